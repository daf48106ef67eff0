//! `GetCallerIdentity`: who signed the request: the account itself, a RAM user, or the
//! session of an assumed role (whose account is the role's).

use super::{digits, API};
use crate::sim::auth::{Identity, Principal};
use crate::sim::error::ApiError;
use crate::sim::operation::{Operation, Params};
use crate::sim::{ram, SimState};
use serde_json::{json, Value};

/// The operation's route.
pub const OPERATION: Operation = Operation::signed("GetCallerIdentity", &API, answer);

fn answer(_: &SimState, _: &Params, principal: &Principal) -> Result<Value, ApiError> {
    let account = principal.account_id.as_str();
    Ok(match &principal.identity {
        Identity::Account => json!({
            "AccountId": account,
            "UserId": account,
            "PrincipalId": account,
            "Arn": format!("acs:ram::{account}:root"),
            "IdentityType": "Account",
        }),
        Identity::RamUser => {
            let id = ram::list_users::user_id(account, &principal.name);
            json!({
                "AccountId": account,
                "UserId": id,
                "PrincipalId": id,
                "Arn": format!("acs:ram::{account}:user/{}", principal.name),
                "IdentityType": "RAMUser",
            })
        }
        Identity::AssumedRole { role, session } => {
            let role_id = format!("3{}", digits(&format!("acs:ram::{account}:role/{role}")));
            let principal_id = format!("{role_id}:{session}");
            json!({
                "AccountId": account,
                "UserId": principal_id,
                "PrincipalId": principal_id,
                "RoleId": role_id,
                "Arn": format!(
                    "acs:ram::{account}:assumed-role/{}/{session}",
                    role.to_ascii_lowercase()
                ),
                "IdentityType": "AssumedRoleUser",
            })
        }
    })
}
