//! The provider and its data sources, one file each, and the registry that lists them.
//!
//! A data source implements [`DataSource`]: its type name, its attributes declared once
//! in a [`Fields`] table (from which both its schema and its state are built), how its
//! configuration parses, and its read against the typed client. Adding one is a new file
//! and a line in `registry()` below; the provider, the docs and the tests take the list from
//! there. The provider builds one client at Configure and every read of the process
//! shares it, through [`api::Api`], which makes each distinct request once.

pub mod accesskeys;
pub mod api;
pub mod api_error;
pub(crate) mod args;
pub mod attribute;
pub mod data_source;
pub mod docs;
pub mod duration;
pub mod ephemeral;
pub mod fleet;
pub mod key;
pub mod last_used;
pub mod last_used_events;
pub mod last_used_ips;
pub mod last_used_products;
pub mod last_used_resources;
pub mod listing;
pub mod provider;
pub mod usage;

pub use attribute::{Field, Fields, Mode};
pub use data_source::{DataSource, Registered};
pub use provider::{provider, ActionTrailProvider};

use crate::model::Schema;
use data_source::entry;

/// Every data source, sorted by type name. A new data source is one line here.
fn registry() -> Vec<Box<dyn Registered>> {
    let mut all = vec![
        entry::<accesskeys::AccessKeys>(),
        entry::<last_used::LastUsed>(),
        entry::<last_used_events::LastUsedEvents>(),
        entry::<last_used_ips::LastUsedIps>(),
        entry::<last_used_products::LastUsedProducts>(),
        entry::<last_used_resources::LastUsedResources>(),
    ];
    all.sort_by_key(|d| d.type_name());
    all
}

/// Every data source's type name, sorted.
pub fn type_names() -> Vec<&'static str> {
    registry().iter().map(|d| d.type_name()).collect()
}

/// Every data source's type name and schema, sorted by name (for docs and the provider).
pub fn data_source_schemas() -> Vec<(String, Schema)> {
    registry()
        .iter()
        .map(|d| (d.type_name().to_owned(), d.schema().clone()))
        .collect()
}

/// Every data source's type name, schema and the section its docs add (markdown).
pub fn data_source_docs() -> Vec<(&'static str, Schema, &'static str)> {
    registry()
        .iter()
        .map(|d| (d.type_name(), d.schema().clone(), d.guide()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_names_each_attribute_once_and_describes_it() {
        for d in registry() {
            let attrs = &d.schema().block.attributes;
            let mut names: Vec<&str> = attrs.iter().map(|a| a.name.as_str()).collect();
            names.sort_unstable();
            let before = names.len();
            names.dedup();
            assert_eq!(
                names.len(),
                before,
                "{}: a name declared twice",
                d.type_name()
            );
            for a in attrs {
                assert!(!a.description.is_empty(), "{}.{}", d.type_name(), a.name);
                assert!(
                    a.name
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
                    "{}.{} is not snake_case",
                    d.type_name(),
                    a.name
                );
            }
        }
    }
}
