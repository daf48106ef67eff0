//! The small plugin framework the data sources, the ephemeral resource and the actions are
//! written in: an attribute declared once ([`Field`]), an argument declared once with its
//! type, description and check and read at its path ([`args::Argument`]), and the one way a data source is validated and read ([`DataSource`]).
//! It knows Terraform's model (`crate::model`) and nothing of ActionTrail: the client a
//! data source reads through is its own associated type.

pub mod args;
pub mod attribute;
pub mod data_source;
pub mod docs;

pub use attribute::{Field, Fields, Mode};
pub use data_source::{DataSource, Registered};
