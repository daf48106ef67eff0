//! `GetAccessKeyLastUsedInfo`: the key's identity and its most recent use, or the identity
//! alone for a key never used within ActionTrail's coverage.

use super::{queried_key, API};
use crate::sim::auth::Principal;
use crate::sim::error::ApiError;
use crate::sim::operations::{Handler, Operation, Params};
use crate::sim::{lock_read, SimState};
use serde_json::Value;

/// The operation's route.
pub const OPERATION: Operation = Operation {
    action: "GetAccessKeyLastUsedInfo",
    api: &API,
    handler: Handler::Signed(answer),
};

fn answer(state: &SimState, params: &Params, principal: &Principal) -> Result<Value, ApiError> {
    let store = lock_read(&state.resolved);
    let (_, key) = queried_key(&store, OPERATION.action, params, principal)?;
    let mut out = key.identity.clone();
    if let Some(last) = key.products.first() {
        out.extend(last.fields.clone());
    }
    Ok(Value::Object(out))
}
