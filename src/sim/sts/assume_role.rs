//! `AssumeRole`: a signed caller's temporary credentials for a role. A role of a Resource
//! Directory member is trusted by the directory's management account alone, must be one of
//! the member's `roles`, and its credentials belong to the member and read only it; any
//! other role's credentials read what the caller may read.

use super::{
    assumed_role_user, credentials_json, duration, mandatory, role_arn, session_name, API,
};
use crate::sim::auth::Principal;
use crate::sim::error::ApiError;
use crate::sim::operation::{Operation, Params};
use crate::sim::SimState;
use axum::http::StatusCode;
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
    let (owner, readable) = match state.directory.as_ref().and_then(|rd| {
        rd.member(account)
            .map(|m| (rd.management_account_id.as_str(), m))
    }) {
        Some((management, member)) => {
            if principal.account_id != management {
                return Err(ApiError::new(
                    StatusCode::FORBIDDEN,
                    "NoPermission",
                    format!(
                        "You are not authorized to do this action. The role {arn} trusts only the management account {management} of its resource directory, not account {}.",
                        principal.account_id
                    ),
                ));
            }
            if !member.roles.iter().any(|r| r == role) {
                return Err(ApiError::new(
                    StatusCode::NOT_FOUND,
                    "EntityNotExist.Role",
                    format!("The specified Role not exists: {arn}."),
                ));
            }
            (account, vec![account.to_owned()])
        }
        None => (
            principal.account_id.as_str(),
            principal.readable_accounts.clone(),
        ),
    };
    let cred = state.issue_temporary(
        Duration::from_secs(duration),
        owner,
        &format!("{role}:{session}"),
        readable,
    );
    Ok(json!({
        "AssumedRoleUser": assumed_role_user(account, role, session, arn),
        "Credentials": credentials_json(&cred),
    }))
}
