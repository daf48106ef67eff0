//! RAM 2015-05-01 over the data set, so a fleet audit can discover the caller's keys: what
//! `ListUsers` and `ListAccessKeys` share. Every `ram-user` key of the caller's own account
//! (other than an `STS.` key) belongs to the RAM user in its `user_name`.

super::operation::served! {
    list_users,
    list_access_keys,
}

use super::auth::Principal;
use super::dataset::{DataSet, KeyStatus};
use super::error::ApiError;
use super::operation::Api;
use std::collections::HashMap;

/// RAM's operations: faults apply, and every request is signed.
pub const API: Api = Api {
    version: "2015-05-01",
    product: "Ram",
    faults: true,
};

/// A key never used and without `create_date` was created this long before start-up.
const DEFAULT_AGE_MS: i64 = 30 * 86_400_000;

#[derive(Clone, Debug)]
struct RamKey {
    access_key_id: String,
    status: KeyStatus,
    create_ms: i64,
}

#[derive(Clone, Debug)]
struct RamUser {
    name: String,
    keys: Vec<RamKey>,
}

/// Each account's RAM users and their keys, in data-set order.
#[derive(Clone, Debug, Default)]
pub struct Directory {
    accounts: HashMap<String, Vec<RamUser>>,
}

fn iso(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000))
        .map(super::iso_seconds)
        .unwrap_or_default()
}

impl Directory {
    /// The RAM view of `data`, dates resolved against `now_ms`.
    pub fn new(data: &DataSet, now_ms: i64) -> Directory {
        let mut accounts: HashMap<String, Vec<RamUser>> = HashMap::new();
        for k in &data.keys {
            let Some(name) = k.user_name.as_deref() else {
                continue;
            };
            if k.account_type != "ram-user" || k.access_key_id.starts_with("STS.") {
                continue;
            }
            let earliest = k.products.iter().map(|p| p.used_at.resolve(now_ms)).min();
            let create_ms = match k.create_date {
                Some(w) => w.resolve(now_ms),
                None => earliest.unwrap_or(now_ms).saturating_sub(DEFAULT_AGE_MS),
            };
            let key = RamKey {
                access_key_id: k.access_key_id.clone(),
                status: k.status.unwrap_or_default(),
                create_ms,
            };
            let users = accounts.entry(k.account_id.clone()).or_default();
            match users.iter_mut().find(|u| u.name == name) {
                Some(u) => u.keys.push(key),
                None => users.push(RamUser {
                    name: name.to_owned(),
                    keys: vec![key],
                }),
            }
        }
        Directory { accounts }
    }

    /// The RAM users of `principal`'s own account, once it may read any: what both
    /// operations answer from.
    fn users_of(&self, action: &str, principal: &Principal) -> Result<&[RamUser], ApiError> {
        if principal.readable_accounts.is_empty() {
            return Err(no_permission(action, principal));
        }
        Ok(self
            .accounts
            .get(principal.account_id.as_str())
            .map_or(&[], Vec::as_slice))
    }
}

/// RAM's permission error, with the action it lacks.
fn no_permission(action: &str, principal: &Principal) -> ApiError {
    principal.denied(
        "NoPermission",
        format!(
            "You are not authorized to do this action. You should be authorized by RAM. {} lacks the permission ram:{action}.",
            principal.name
        ),
        &format!("ram:{action}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::operation::{Handler, Params};
    use crate::sim::operations;
    use crate::sim::{SimConfig, SimState};
    use axum::http::StatusCode;
    use serde_json::Value;
    use std::collections::BTreeMap;

    /// `action` answered as the emulator routes it.
    fn call(
        state: &SimState,
        action: &str,
        params: &Params,
        p: &Principal,
    ) -> Result<Value, ApiError> {
        match operations::find(action).map(|op| op.handler) {
            Some(Handler::Signed(answer)) => answer(state, params, p),
            other => panic!("{action} is routed as {other:?}"),
        }
    }

    fn demo() -> SimState {
        SimState::new(SimConfig::default(), &DataSet::demo())
    }

    fn auditor(account: &str) -> Principal {
        Principal {
            access_key_id: "LTAI5tDemoCaller0000001".into(),
            account_id: account.into(),
            name: "auditor".into(),
            readable_accounts: vec!["*".into()],
            identity: crate::sim::auth::Identity::RamUser,
        }
    }

    #[test]
    fn users_page_through_markers_and_keys_carry_status_and_date() {
        let state = demo();
        let p = auditor(super::super::dataset::ACME_ACCOUNT);
        let mut names = Vec::new();
        let mut params = BTreeMap::from([("MaxItems".to_owned(), "1".to_owned())]);
        loop {
            let page = call(&state, "ListUsers", &params, &p).unwrap();
            for u in page["Users"]["User"].as_array().unwrap() {
                names.push(u["UserName"].as_str().unwrap().to_owned());
            }
            if !page["IsTruncated"].as_bool().unwrap() {
                assert!(page.get("Marker").is_none());
                break;
            }
            params.insert("Marker".into(), page["Marker"].as_str().unwrap().into());
        }
        assert_eq!(names, ["ci-deployer", "legacy-backup", "new-hire"]);
        let keys = call(
            &state,
            "ListAccessKeys",
            &BTreeMap::from([("UserName".to_owned(), "legacy-backup".to_owned())]),
            &p,
        )
        .unwrap();
        let keys = keys["AccessKeys"]["AccessKey"].as_array().unwrap();
        assert_eq!(keys.len(), 2);
        assert_eq!(keys[1]["Status"], "Inactive");
        assert_eq!(keys[0]["CreateDate"], "2024-03-01T08:00:00Z");
    }

    #[test]
    fn an_unknown_user_a_bad_marker_and_no_permission_are_errors() {
        let state = demo();
        let p = auditor(super::super::dataset::ACME_ACCOUNT);
        let one = |k: &str, v: &str| BTreeMap::from([(k.to_owned(), v.to_owned())]);
        let e = call(&state, "ListAccessKeys", &one("UserName", "nobody"), &p).unwrap_err();
        assert_eq!(
            (e.status, e.code.as_str()),
            (StatusCode::NOT_FOUND, "EntityNotExist.User")
        );
        let e = call(&state, "ListUsers", &one("Marker", "forged"), &p).unwrap_err();
        assert_eq!(e.code, "InvalidParameter");
        let e = call(&state, "ListUsers", &one("MaxItems", "1001"), &p).unwrap_err();
        assert_eq!(e.code, "InvalidParameter");
        let mut denied = p.clone();
        denied.readable_accounts.clear();
        let e = call(&state, "ListUsers", &BTreeMap::new(), &denied).unwrap_err();
        assert_eq!(
            (e.status, e.code.as_str()),
            (StatusCode::FORBIDDEN, "NoPermission")
        );
        assert!(e.message.contains("ram:ListUsers"));
    }
}
