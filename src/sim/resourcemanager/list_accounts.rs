//! `ListAccounts`: every account of the caller's Resource Directory, the management account
//! included, `PageSize` (1-100, default 10) at a time by `PageNumber` (from 1), with the
//! `TotalCount`. Only the management account's callers may list it.

use super::API;
use crate::sim::auth::{Identity, Principal};
use crate::sim::directory::{Member, ResourceDirectory};
use crate::sim::error::ApiError;
use crate::sim::operation::{Operation, Params};
use crate::sim::{iso_millis, SimState};
use axum::http::StatusCode;
use serde_json::{json, Value};

/// The operation's route.
pub const OPERATION: Operation = Operation::signed("ListAccounts", &API, answer);

const DEFAULT_PAGE_SIZE: u64 = 10;
const MAX_PAGE_SIZE: u64 = 100;

fn answer(state: &SimState, params: &Params, principal: &Principal) -> Result<Value, ApiError> {
    let rd = directory_of(state.directory.as_ref(), principal)?;
    let page_number = integer(params, "PageNumber", 1, u64::MAX)?.unwrap_or(1);
    let page_size = integer(params, "PageSize", 1, MAX_PAGE_SIZE)?.unwrap_or(DEFAULT_PAGE_SIZE);
    let skip = usize::try_from((page_number - 1).saturating_mul(page_size)).unwrap_or(usize::MAX);
    let take = usize::try_from(page_size).unwrap_or(usize::MAX);
    let page: Vec<Value> = rd
        .accounts
        .iter()
        .skip(skip)
        .take(take)
        .map(|m| account(rd, m, state.started_ms))
        .collect();
    Ok(json!({
        "PageNumber": page_number,
        "PageSize": page_size,
        "TotalCount": rd.accounts.len(),
        "Accounts": { "Account": page },
    }))
}

/// The directory `principal` may list: its account must be the management account, and
/// not through a role assumed into it from elsewhere (a role of the management account
/// itself is the management account's).
fn directory_of<'a>(
    directory: Option<&'a ResourceDirectory>,
    principal: &Principal,
) -> Result<&'a ResourceDirectory, ApiError> {
    // The only error Alibaba documents for ListAccounts: the caller's account has no
    // directory (it neither enabled one nor belongs to one).
    let not_enabled = || {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "EntityNotExists.ResourceDirectory",
            "The resource directory for the account is not enabled. We recommend that you first enable the resource directory for the account.",
        )
    };
    let rd = directory.ok_or_else(not_enabled)?;
    let account = principal.account_id.as_str();
    if rd.member(account).is_none() {
        return Err(not_enabled());
    }
    // Alibaba publishes no code for a member account (or a caller without
    // resourcemanager:ListAccounts) calling ListAccounts; RAM's NoPermission, 403, with
    // the action it lacks, is what its other APIs answer a caller not allowed to.
    if account != rd.management_account_id || principal.readable_accounts.is_empty() {
        let who = match &principal.identity {
            Identity::AssumedRole { role, .. } => format!("the role {role} of account {account}"),
            _ => principal.name.clone(),
        };
        return Err(principal.denied(
            "NoPermission",
            format!(
                "You are not authorized to do this action. Only the management account {} of the resource directory may list its accounts; {who} lacks the permission resourcemanager:ListAccounts.",
                rd.management_account_id
            ),
            "resourcemanager:ListAccounts",
        ));
    }
    Ok(rd)
}

/// `name` as an integer from `min` to `max`, when given.
fn integer(params: &Params, name: &str, min: u64, max: u64) -> Result<Option<u64>, ApiError> {
    let Some(raw) = params.get(name).map(|v| v.trim()).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    match raw.parse::<u64>() {
        Ok(n) if (min..=max).contains(&n) => Ok(Some(n)),
        _ => {
            let range = if max == u64::MAX {
                format!("an integer from {min}")
            } else {
                format!("an integer from {min} to {max}")
            };
            Err(ApiError::bad_request(
                "InvalidParameter",
                format!(
                    "The parameter {name} {:?} is invalid; it must be {range}.",
                    crate::sim::echo(raw)
                ),
            ))
        }
    }
}

/// A member as the answer lists it; it joined, and was last changed, at `join_time`.
fn account(rd: &ResourceDirectory, m: &Member, started_ms: i64) -> Value {
    let joined = iso_millis(m.join_time.resolve(started_ms));
    let folder = rd.root_folder();
    json!({
        "AccountId": m.account_id,
        "DisplayName": m.display_name,
        "FolderId": folder,
        "JoinMethod": m.kind.join_method(),
        "JoinTime": joined,
        "ModifyTime": joined,
        "ResourceDirectoryId": rd.id,
        "ResourceDirectoryPath": format!("{}/{folder}/{}", rd.id, m.account_id),
        "Status": m.status,
        "Type": m.kind.as_str(),
    })
}
