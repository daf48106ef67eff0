//! `ListUsers`: the RAM users of the caller's own account, in data-set order, `MaxItems` at a
//! time with an opaque `Marker`.

use super::{iso, RamUser, API};
use crate::sim::auth::Principal;
use crate::sim::error::ApiError;
use crate::sim::operation::{Operation, Params};
use crate::sim::paging::{decode_token, encode_token};
use crate::sim::SimState;
use serde_json::{json, Value};

/// The operation's route.
pub const OPERATION: Operation = Operation::signed("ListUsers", &API, answer);

const DEFAULT_MAX_ITEMS: usize = 100;
const MAX_MAX_ITEMS: usize = 1000;

fn answer(state: &SimState, params: &Params, principal: &Principal) -> Result<Value, ApiError> {
    let users = state.ram.users_of(OPERATION.action, principal)?;
    let account = principal.account_id.as_str();
    let max_items = max_items(params.get("MaxItems").map(String::as_str))?;
    let scope = format!("ListUsers|{account}");
    let offset = match params.get("Marker").map(String::as_str) {
        None | Some("") => 0,
        Some(m) => decode_token(m, &scope, users.len())
            .map_err(|_| invalid("The parameter Marker is invalid."))?,
    };
    let end = offset.saturating_add(max_items).min(users.len());
    let page: Vec<Value> = users
        .get(offset..end)
        .unwrap_or(&[])
        .iter()
        .map(|u| user(account, u))
        .collect();
    let truncated = end < users.len();
    let mut out = json!({ "IsTruncated": truncated, "Users": { "User": page } });
    if truncated {
        out["Marker"] = json!(encode_token(end, &scope));
    }
    Ok(out)
}

/// A user as the answer lists it, created when its oldest key was.
fn user(account: &str, u: &RamUser) -> Value {
    let created = u.keys.iter().map(|k| k.create_ms).min().unwrap_or(0);
    json!({
        "UserName": u.name,
        "UserId": user_id(account, &u.name),
        "DisplayName": u.name,
        "CreateDate": iso(created),
        "UpdateDate": iso(created),
        "Comments": "",
    })
}

/// A stable numeric id for `name` in `account`, shaped like RAM's user ids (STS
/// `GetCallerIdentity` names the same user by it).
pub(crate) fn user_id(account: &str, name: &str) -> String {
    use sha2::{Digest, Sha256};
    let h = Sha256::digest(format!("{account}\0{name}").as_bytes());
    let n = u64::from_be_bytes([h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7]]);
    format!("2{:017}", n % 100_000_000_000_000_000)
}

fn invalid(message: &str) -> ApiError {
    ApiError::bad_request("InvalidParameter", message)
}

fn max_items(value: Option<&str>) -> Result<usize, ApiError> {
    match value.map(str::trim) {
        None | Some("") => Ok(DEFAULT_MAX_ITEMS),
        Some(v) => match v.parse::<usize>() {
            Ok(n) if (1..=MAX_MAX_ITEMS).contains(&n) => Ok(n),
            _ => Err(invalid(&format!(
                "The parameter MaxItems {v:?} is invalid; it must be an integer from 1 to {MAX_MAX_ITEMS}."
            ))),
        },
    }
}
