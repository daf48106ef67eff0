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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::dataset::DataSet;
    use crate::sim::SimConfig;

    fn who(identity: Identity, name: &str) -> Value {
        let state = SimState::new(SimConfig::default(), &DataSet::default());
        let p = Principal {
            access_key_id: "LTAI5tAnyone".into(),
            account_id: "1688000000000002".into(),
            name: name.into(),
            readable_accounts: vec![],
            identity,
        };
        answer(&state, &Params::new(), &p).unwrap()
    }

    #[test]
    fn each_kind_of_caller_is_told_apart() {
        let root = who(Identity::Account, "root");
        assert_eq!(root["IdentityType"], "Account");
        assert_eq!(root["Arn"], "acs:ram::1688000000000002:root");
        assert_eq!(root["PrincipalId"], "1688000000000002");
        let user = who(Identity::RamUser, "alice");
        assert_eq!(user["IdentityType"], "RAMUser");
        assert_eq!(user["Arn"], "acs:ram::1688000000000002:user/alice");
        assert_eq!(
            user["UserId"].as_str(),
            Some(ram::list_users::user_id("1688000000000002", "alice").as_str())
        );
        assert!(user.get("RoleId").is_none());
        let role = who(
            Identity::AssumedRole {
                role: "Auditor".into(),
                session: "s1".into(),
            },
            "Auditor:s1",
        );
        assert_eq!(role["IdentityType"], "AssumedRoleUser");
        assert_eq!(
            role["Arn"],
            "acs:ram::1688000000000002:assumed-role/auditor/s1"
        );
        let role_id = role["RoleId"].as_str().unwrap();
        assert!(role_id.starts_with('3') && role_id.len() == 18, "{role_id}");
        assert_eq!(role["PrincipalId"], format!("{role_id}:s1"));
    }
}
