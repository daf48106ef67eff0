//! `ephemeral "actiontrail_accesskey_last_used"` (Terraform 1.10 and later): the
//! `actiontrail_accesskey_last_used` data source, gate included, opened as an ephemeral
//! resource so that nothing about the key's use is written to state or plan files.
//!
//! It has the data source's arguments and attributes and reads through the same code, so
//! the two cannot drift: a gate that fails reads the same either way.

use super::last_used;
use crate::model::Schema;

/// The ephemeral resource's type name (the data source's).
pub const TYPE_NAME: &str = last_used::TYPE_NAME;

/// The data source each ephemeral resource opens through, by type name.
pub fn data_source_of(type_name: &str) -> Option<&'static str> {
    (type_name == TYPE_NAME).then_some(last_used::TYPE_NAME)
}

/// Every ephemeral resource's type name and schema, sorted by name.
pub fn schemas() -> Vec<(String, Schema)> {
    let mut schema = last_used::schema();
    schema.block.description = "When, where and for what an AccessKey was last used, from ActionTrail's GetAccessKeyLastUsedInfo, without writing any of it to state or plan files; with `fail_if_used_within`, a rotation gate that fails the plan while the key is still in use. The same arguments and attributes as the `actiontrail_accesskey_last_used` data source.".to_owned();
    vec![(TYPE_NAME.to_owned(), schema)]
}
