//! `ListAccessKeys`: the AccessKeys of one RAM user of the caller's own account, with their
//! status and creation date.

use super::{iso, API};
use crate::sim::auth::Principal;
use crate::sim::dataset::KeyStatus;
use crate::sim::error::ApiError;
use crate::sim::operation::{trimmed, Operation, Params};
use crate::sim::SimState;
use axum::http::StatusCode;
use serde_json::{json, Value};

/// The operation's route.
pub const OPERATION: Operation = Operation::signed("ListAccessKeys", &API, answer);

fn answer(state: &SimState, params: &Params, principal: &Principal) -> Result<Value, ApiError> {
    let users = state.ram.users_of(OPERATION.action, principal)?;
    let name = trimmed(params, "UserName").ok_or_else(|| {
        ApiError::bad_request(
            "MissingParameter",
            "The input parameter \"UserName\" that is mandatory for processing this request is not supplied.",
        )
    })?;
    let user = users.iter().find(|u| u.name == name).ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "EntityNotExist.User",
            format!("The user does not exist: {name}."),
        )
    })?;
    let keys: Vec<Value> = user
        .keys
        .iter()
        .map(|k| {
            json!({
                "AccessKeyId": k.access_key_id,
                "Status": match k.status {
                    KeyStatus::Active => "Active",
                    KeyStatus::Inactive => "Inactive",
                },
                "CreateDate": iso(k.create_ms),
            })
        })
        .collect();
    Ok(json!({ "AccessKeys": { "AccessKey": keys } }))
}
