//! RAM 2015-05-01 `ListUsers` and `ListAccessKeys` over the data set, so a fleet audit can
//! discover the caller's keys: every `ram-user` key of the caller's own account (other than
//! an `STS.` key) belongs to the RAM user in its `user_name`.

use super::api::{decode_token, encode_token};
use super::auth::Principal;
use super::dataset::{DataSet, KeyStatus};
use super::error::ApiError;
use axum::http::StatusCode;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};

/// The RAM API version the emulator serves.
pub const VERSION: &str = "2015-05-01";
/// The RAM operations served.
pub const OPERATIONS: [&str; 2] = ["ListUsers", "ListAccessKeys"];

const DEFAULT_MAX_ITEMS: usize = 100;
const MAX_MAX_ITEMS: usize = 1000;
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

/// A stable numeric id for `name` in `account`, shaped like RAM's user ids.
fn user_id(account: &str, name: &str) -> String {
    use sha2::{Digest, Sha256};
    let h = Sha256::digest(format!("{account}\0{name}").as_bytes());
    let n = u64::from_be_bytes([h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7]]);
    format!("2{:017}", n % 100_000_000_000_000_000)
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

    /// Answers ListUsers or ListAccessKeys for `principal`, over its own account.
    pub fn answer(
        &self,
        action: &str,
        params: &BTreeMap<String, String>,
        principal: &Principal,
    ) -> Result<Value, ApiError> {
        if principal.readable_accounts.is_empty() {
            return Err(no_permission(action, principal));
        }
        let account = principal.account_id.as_str();
        let users: &[RamUser] = self.accounts.get(account).map_or(&[], Vec::as_slice);
        match action {
            "ListUsers" => {
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
                    .map(|u| {
                        let created = u.keys.iter().map(|k| k.create_ms).min().unwrap_or(0);
                        json!({
                            "UserName": u.name,
                            "UserId": user_id(account, &u.name),
                            "DisplayName": u.name,
                            "CreateDate": iso(created),
                            "UpdateDate": iso(created),
                            "Comments": "",
                        })
                    })
                    .collect();
                let truncated = end < users.len();
                let mut out = json!({ "IsTruncated": truncated, "Users": { "User": page } });
                if truncated {
                    out["Marker"] = json!(encode_token(end, &scope));
                }
                Ok(out)
            }
            "ListAccessKeys" => {
                let name = params
                    .get("UserName")
                    .map(|s| s.trim())
                    .filter(|s| !s.is_empty())
                    .ok_or_else(|| {
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
            _ => Err(ApiError::new(
                StatusCode::NOT_FOUND,
                "InvalidAction.NotFound",
                format!("Specified api {action} is not found, please check your url and method."),
            )),
        }
    }
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

    fn auditor(account: &str) -> Principal {
        Principal {
            access_key_id: "LTAI5tDemoCaller0000001".into(),
            account_id: account.into(),
            name: "auditor".into(),
            readable_accounts: vec!["*".into()],
        }
    }

    #[test]
    fn users_page_through_markers_and_keys_carry_status_and_date() {
        let dir = Directory::new(&DataSet::demo(), 1_800_000_000_000);
        let p = auditor(super::super::dataset::ACME_ACCOUNT);
        let mut names = Vec::new();
        let mut params = BTreeMap::from([("MaxItems".to_owned(), "1".to_owned())]);
        loop {
            let page = dir.answer("ListUsers", &params, &p).unwrap();
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
        let keys = dir
            .answer(
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
        let dir = Directory::new(&DataSet::demo(), 1_800_000_000_000);
        let p = auditor(super::super::dataset::ACME_ACCOUNT);
        let one = |k: &str, v: &str| BTreeMap::from([(k.to_owned(), v.to_owned())]);
        let e = dir
            .answer("ListAccessKeys", &one("UserName", "nobody"), &p)
            .unwrap_err();
        assert_eq!(
            (e.status, e.code.as_str()),
            (StatusCode::NOT_FOUND, "EntityNotExist.User")
        );
        let e = dir
            .answer("ListUsers", &one("Marker", "forged"), &p)
            .unwrap_err();
        assert_eq!(e.code, "InvalidParameter");
        let e = dir
            .answer("ListUsers", &one("MaxItems", "1001"), &p)
            .unwrap_err();
        assert_eq!(e.code, "InvalidParameter");
        let mut denied = p.clone();
        denied.readable_accounts.clear();
        let e = dir
            .answer("ListUsers", &BTreeMap::new(), &denied)
            .unwrap_err();
        assert_eq!(
            (e.status, e.code.as_str()),
            (StatusCode::FORBIDDEN, "NoPermission")
        );
        assert!(e.message.contains("ram:ListUsers"));
    }
}
