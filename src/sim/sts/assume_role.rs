//! `AssumeRole`: a signed caller's temporary credentials for a role, reading what the caller
//! may read.

use super::{
    assumed_role_user, credentials_json, duration, mandatory, role_arn, session_name, API,
};
use crate::sim::auth::Principal;
use crate::sim::error::ApiError;
use crate::sim::operation::{Operation, Params};
use crate::sim::SimState;
use serde_json::{json, Value};
use std::time::Duration;

/// The operation's route.
pub const OPERATION: Operation = Operation::signed("AssumeRole", &API, answer);

/// Answers AssumeRole for `principal`.
fn answer(state: &SimState, params: &Params, principal: &Principal) -> Result<Value, ApiError> {
    let arn = mandatory(params, "RoleArn")?;
    let (account, role) = role_arn(arn)?;
    let session = session_name(params)?;
    let duration = duration(params)?;
    let cred = state.issue_temporary(
        Duration::from_secs(duration),
        &principal.account_id,
        &format!("{role}:{session}"),
        principal.readable_accounts.clone(),
    );
    Ok(json!({
        "AssumedRoleUser": assumed_role_user(account, role, session, arn),
        "Credentials": credentials_json(&cred),
    }))
}
