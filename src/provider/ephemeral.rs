//! `ephemeral "actiontrail_accesskey_last_used"` (Terraform 1.10 and later): the
//! `actiontrail_accesskey_last_used` data source, gate included, opened as an ephemeral
//! resource so that nothing about the key's use is written to state or plan files.
//!
//! It is the registered data source itself, under a description of its own: the same
//! fields table, the same parse, read and gate, so the two cannot drift, and a gate that
//! fails reads the same either way.

use crate::data_sources::last_used::LastUsed;
use crate::framework::data_source::{DataSource, Entry, Registered};
use crate::model::Schema;

/// The ephemeral resource's type name (the data source's).
pub const TYPE_NAME: &str = LastUsed::TYPE_NAME;

/// The description its schema and docs carry.
pub const DESCRIPTION: &str = "When, where and for what an AccessKey was last used, from ActionTrail's GetAccessKeyLastUsedInfo, without writing any of it to state or plan files; with `fail_if_used_within`, a rotation gate that fails the plan while the key is still in use. The same arguments and attributes as the `actiontrail_accesskey_last_used` data source.";

/// The data source each ephemeral resource opens through, by type name.
pub fn data_source_of(type_name: &str) -> Option<&'static str> {
    (type_name == TYPE_NAME).then_some(LastUsed::TYPE_NAME)
}

/// Every ephemeral resource's type name and schema, sorted by name.
pub fn schemas() -> Vec<(String, Schema)> {
    let mut schema = Entry::<LastUsed>::new().schema().clone();
    schema.block.description = DESCRIPTION.to_owned();
    vec![(TYPE_NAME.to_owned(), schema)]
}
