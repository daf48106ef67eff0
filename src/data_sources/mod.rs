//! The data sources, one file each, and the pieces several of them share (the key
//! argument, the listing arguments).
//!
//! A data source implements [`crate::framework::DataSource`]: its type name, its
//! attributes declared once in a [`crate::framework::Fields`] table (from which both its
//! schema and its state are built), how its configuration parses, and its read against the
//! typed client. The paginated ones (IPs, resources, events) implement
//! [`listing::UsageListing`] instead, which gives them the arguments and the read they
//! share. Adding one is a new file here and a line in the provider's list
//! (`crate::provider::data_sources`); the docs and the tests take the list from there.

pub mod accesskeys;
pub mod fleet;
pub mod fleet_gate;
pub mod key;
pub mod last_used;
pub mod last_used_events;
pub mod last_used_ips;
pub mod last_used_products;
pub mod last_used_resources;
pub mod listing;
pub mod organization;
pub mod organization_accesskeys;
pub mod uses;
