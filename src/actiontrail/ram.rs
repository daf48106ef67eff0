//! RAM 2015-05-01 at `ram.aliyuncs.com`: the account's users (`ListUsers`, every page
//! through `Marker`) and each user's AccessKeys (`ListAccessKeys`), for a fleet audit.
//! Same signing, retries, caching and concurrency bound as ActionTrail. Answers are read
//! strictly, as the official SDK (`alibabacloud-ram20150501` 1.3.0) shapes them: a missing
//! list, flag, id, status or date is an error, never a default.

use super::client::{Client, Service};
use super::error::Error;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};

/// ListUsers' largest page.
pub const MAX_USERS_PER_PAGE: u32 = 1000;
/// A user list this long is a server bug, not data.
const MAX_USER_PAGES: u32 = 10_000;

/// A RAM user (ListUsers).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RamUser {
    /// The user's name, unique in the account.
    pub user_name: String,
    /// The user's id.
    pub user_id: Option<String>,
    /// Display name.
    pub display_name: Option<String>,
}

/// Whether a key may sign requests.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum KeyStatus {
    /// Enabled.
    Active,
    /// Disabled.
    Inactive,
}

impl KeyStatus {
    /// `Active` or `Inactive`, as RAM writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyStatus::Active => "Active",
            KeyStatus::Inactive => "Inactive",
        }
    }
}

/// One AccessKey of a RAM user (ListAccessKeys).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RamAccessKey {
    /// The AccessKey ID.
    pub access_key_id: String,
    /// `Active` or `Inactive`; anything else is refused.
    pub status: KeyStatus,
    /// When it was created, as RAM writes it (`2015-01-23T12:33:18Z`).
    pub create_date: String,
}

impl RamAccessKey {
    /// The creation time, epoch milliseconds.
    pub fn created_ms(&self) -> Result<i64, String> {
        let t = time::OffsetDateTime::parse(
            &self.create_date,
            &time::format_description::well_known::Rfc3339,
        )
        .map_err(|e| format!("CreateDate {:?} is not RFC 3339: {e}", self.create_date))?;
        i64::try_from(t.unix_timestamp_nanos() / 1_000_000)
            .map_err(|_| format!("CreateDate {:?} is out of range", self.create_date))
    }
}

/// Every user of the account, with the request id of each page.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct UserListing {
    /// The users, in RAM's order.
    pub users: Vec<RamUser>,
    /// One request id per page.
    pub request_ids: Vec<String>,
}

/// A user's keys and the request id of the answer.
#[derive(Clone, Debug, PartialEq)]
pub struct AccessKeyListing {
    /// The keys.
    pub keys: Vec<RamAccessKey>,
    /// The request id.
    pub request_id: String,
}

#[derive(Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UsersWrap {
    user: Vec<RamUser>,
}

#[derive(Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListUsersPage {
    request_id: String,
    is_truncated: bool,
    marker: Option<String>,
    users: UsersWrap,
}

#[derive(Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct KeysWrap {
    access_key: Vec<RamAccessKey>,
}

#[derive(Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListAccessKeysAnswer {
    request_id: String,
    access_keys: KeysWrap,
}

fn untrusted(operation: &str, request_id: &str, reason: impl Into<String>) -> Error {
    Error::Untrusted {
        operation: operation.to_owned(),
        request_id: request_id.to_owned(),
        reason: reason.into(),
    }
}

fn require_request_id(operation: &str, id: &str) -> Result<(), Error> {
    if id.trim().is_empty() {
        return Err(untrusted(operation, "", "RequestId is empty"));
    }
    Ok(())
}

impl Client {
    /// RAM ListUsers, every page (1,000 users each, following `Marker`).
    pub async fn list_ram_users(&self) -> Result<UserListing, Error> {
        const OP: &str = "ListUsers";
        let mut out = UserListing::default();
        let mut seen = HashSet::new();
        let mut marker: Option<String> = None;
        loop {
            if out.request_ids.len() >= MAX_USER_PAGES as usize {
                return Err(Error::Pagination {
                    operation: OP.to_owned(),
                    pages: MAX_USER_PAGES,
                    reason: format!("more than {MAX_USER_PAGES} pages"),
                });
            }
            let mut params =
                BTreeMap::from([("MaxItems".to_owned(), MAX_USERS_PER_PAGE.to_string())]);
            if let Some(m) = marker.take() {
                params.insert("Marker".to_owned(), m);
            }
            let page: ListUsersPage = self.call_strict(Service::Ram, OP, params).await?;
            require_request_id(OP, &page.request_id)?;
            out.users.extend(page.users.user);
            out.request_ids.push(page.request_id.clone());
            if !page.is_truncated {
                return Ok(out);
            }
            let next = page.marker.filter(|m| !m.is_empty()).ok_or_else(|| {
                untrusted(
                    OP,
                    &page.request_id,
                    "IsTruncated is true but no Marker came with it",
                )
            })?;
            if !seen.insert(next.clone()) {
                return Err(Error::Pagination {
                    operation: OP.to_owned(),
                    pages: u32::try_from(out.request_ids.len()).unwrap_or(u32::MAX),
                    reason: format!("Marker {next:?} came back a second time"),
                });
            }
            marker = Some(next);
        }
    }

    /// RAM ListAccessKeys for `user_name`.
    pub async fn list_ram_access_keys(&self, user_name: &str) -> Result<AccessKeyListing, Error> {
        const OP: &str = "ListAccessKeys";
        let params = BTreeMap::from([("UserName".to_owned(), user_name.to_owned())]);
        let answer: ListAccessKeysAnswer = self.call_strict(Service::Ram, OP, params).await?;
        require_request_id(OP, &answer.request_id)?;
        for k in &answer.access_keys.access_key {
            if k.access_key_id.trim().is_empty() {
                return Err(untrusted(OP, &answer.request_id, "an AccessKeyId is empty"));
            }
            k.created_ms()
                .map_err(|why| untrusted(OP, &answer.request_id, why))?;
        }
        Ok(AccessKeyListing {
            keys: answer.access_keys.access_key,
            request_id: answer.request_id,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_users_needs_its_flag_and_list() {
        let ok: ListUsersPage = serde_json::from_str(
            r#"{"RequestId":"R","IsTruncated":false,"Users":{"User":[{"UserName":"a","UserId":"1"}]}}"#,
        )
        .unwrap();
        assert_eq!(ok.users.user[0].user_name, "a");
        for bad in [
            r#"{"RequestId":"R","Users":{"User":[]}}"#,
            r#"{"RequestId":"R","IsTruncated":false}"#,
            r#"{"RequestId":"R","IsTruncated":false,"Users":{}}"#,
            r#"{"IsTruncated":false,"Users":{"User":[]}}"#,
            r#"{"RequestId":"R","IsTruncated":false,"Users":{"User":[{"UserId":"1"}]}}"#,
        ] {
            assert!(serde_json::from_str::<ListUsersPage>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn list_access_keys_refuses_unknown_statuses_and_missing_dates() {
        let ok: ListAccessKeysAnswer = serde_json::from_str(
            r#"{"RequestId":"R","AccessKeys":{"AccessKey":[{"AccessKeyId":"LTAI","Status":"Inactive","CreateDate":"2015-01-23T12:33:18Z"}]}}"#,
        )
        .unwrap();
        let k = &ok.access_keys.access_key[0];
        assert_eq!(k.status, KeyStatus::Inactive);
        assert_eq!(k.created_ms().unwrap(), 1_422_016_398_000);
        for bad in [
            r#"{"RequestId":"R","AccessKeys":{"AccessKey":[{"AccessKeyId":"A","Status":"Deleted","CreateDate":"2015-01-23T12:33:18Z"}]}}"#,
            r#"{"RequestId":"R","AccessKeys":{"AccessKey":[{"AccessKeyId":"A","Status":"Active"}]}}"#,
            r#"{"RequestId":"R","AccessKeys":{}}"#,
        ] {
            assert!(
                serde_json::from_str::<ListAccessKeysAnswer>(bad).is_err(),
                "{bad}"
            );
        }
        let late = RamAccessKey {
            access_key_id: "A".into(),
            status: KeyStatus::Active,
            create_date: "yesterday".into(),
        };
        assert!(late.created_ms().unwrap_err().contains("yesterday"));
    }
}
