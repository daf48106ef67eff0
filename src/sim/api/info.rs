//! `GetAccessKeyLastUsedInfo`: the key's identity and its most recent use, or the identity
//! alone for a key never used within ActionTrail's coverage.

use super::{on_queried_key, API};
use crate::sim::operation::Operation;
use serde_json::Value;

/// The operation's route.
pub const OPERATION: Operation = Operation::signed(
    "GetAccessKeyLastUsedInfo",
    &API,
    |state, params, principal| {
        on_queried_key(state, OPERATION.action, params, principal, |_, key| {
            let mut out = key.identity.clone();
            if let Some(last) = key.products.first() {
                out.extend(last.fields.clone());
            }
            Ok(Value::Object(out))
        })
    },
);
