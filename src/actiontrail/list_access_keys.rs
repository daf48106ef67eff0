//! RAM ListAccessKeys (2015-05-01, `ram.aliyuncs.com`): one user's AccessKeys, for a fleet
//! audit. Read strictly, as the official SDK (`alibabacloud-ram20150501` 1.3.0) shapes
//! it: a missing list, id, status or date is an error, never a default.

use super::client::{Client, Service};
use super::service::Operation;
use super::error::Error;
use super::list_users::{require_request_id, untrusted};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The operation.
pub const ACTION: &str = "ListAccessKeys";

/// The operation, as a policy grants it: `ram:ListAccessKeys`.
pub(crate) const OPERATION: Operation = Operation::new(Service::Ram, ACTION);

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
    /// The creation time, epoch milliseconds, checked by the strict decoder (an RFC 3339
    /// time, not before 2009 nor in the future); the error never quotes the value.
    pub fn created(&self) -> Result<crate::alibaba::decode::EpochMs, String> {
        crate::alibaba::decode::create_date(
            &self.create_date,
            crate::alibaba::decode::EpochMs::now(),
        )
        .map_err(|why| format!("AccessKey {}: {why}", self.access_key_id))
    }
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
pub(super) struct KeysWrap {
    pub(super) access_key: Vec<RamAccessKey>,
}

#[derive(Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ListAccessKeysAnswer {
    request_id: String,
    pub(super) access_keys: KeysWrap,
}

impl Client {
    /// RAM ListAccessKeys for `user_name`.
    pub async fn list_ram_access_keys(&self, user_name: &str) -> Result<AccessKeyListing, Error> {
        let params = BTreeMap::from([("UserName".to_owned(), user_name.to_owned())]);
        let answer: ListAccessKeysAnswer = self.call_strict(OPERATION, params).await?;
        checked_keys(answer)
    }
}

/// The most keys one ListAccessKeys answer may list. RAM gives a user at most 2; a few
/// more leave room for a raised quota, and a cap keeps a hostile answer's list (held in the
/// client's cache and in the fleet) small.
pub const MAX_KEYS_PER_USER: usize = 10;
/// The longest AccessKeyId taken from RAM: real ones are 16 to 30 characters, and an id is
/// held and quoted in messages, so a longer one is refused rather than kept.
pub const MAX_ACCESS_KEY_ID_CHARS: usize = 128;

/// A ListAccessKeys answer's keys, at most [`MAX_KEYS_PER_USER`], each with a plausible id
/// and CreateDate.
pub(super) fn checked_keys(answer: ListAccessKeysAnswer) -> Result<AccessKeyListing, Error> {
    require_request_id(ACTION, &answer.request_id)?;
    if answer.access_keys.access_key.len() > MAX_KEYS_PER_USER {
        return Err(untrusted(
            ACTION,
            &answer.request_id,
            format!(
                "it lists more than {MAX_KEYS_PER_USER} AccessKeys for one user (MAX_KEYS_PER_USER); RAM gives a user at most 2"
            ),
        ));
    }
    let mut seen = std::collections::HashSet::new();
    for k in &answer.access_keys.access_key {
        if k.access_key_id.trim().is_empty() {
            return Err(untrusted(ACTION, &answer.request_id, "an AccessKeyId is empty"));
        }
        if k.access_key_id.len() > MAX_ACCESS_KEY_ID_CHARS {
            return Err(untrusted(
                ACTION,
                &answer.request_id,
                format!(
                    "an AccessKeyId is longer than {MAX_ACCESS_KEY_ID_CHARS} characters (MAX_ACCESS_KEY_ID_CHARS); it is not one RAM issues"
                ),
            ));
        }
        // Listed twice, one key would be read, counted and reported twice.
        if !seen.insert(k.access_key_id.as_str()) {
            return Err(untrusted(
                ACTION,
                &answer.request_id,
                format!("AccessKey {} is listed twice", k.access_key_id),
            ));
        }
        k.created()
            .map_err(|why| untrusted(ACTION, &answer.request_id, why))?;
    }
    Ok(AccessKeyListing {
        keys: answer.access_keys.access_key,
        request_id: answer.request_id,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys_answer(ids: &[String]) -> ListAccessKeysAnswer {
        let keys: Vec<String> = ids
            .iter()
            .map(|id| {
                format!(
                    r#"{{"AccessKeyId":"{id}","Status":"Active","CreateDate":"2024-01-02T03:04:05Z"}}"#
                )
            })
            .collect();
        serde_json::from_str(&format!(
            r#"{{"RequestId":"R","AccessKeys":{{"AccessKey":[{}]}}}}"#,
            keys.join(",")
        ))
        .unwrap()
    }

    #[test]
    fn a_listaccesskeys_answer_past_its_bounds_is_refused_naming_the_cap() {
        let id = |i: usize| format!("LTAI5tKey{i:015}");
        let most: Vec<String> = (0..MAX_KEYS_PER_USER).map(id).collect();
        assert_eq!(
            checked_keys(keys_answer(&most)).unwrap().keys.len(),
            MAX_KEYS_PER_USER
        );
        let too_many: Vec<String> = (0..=MAX_KEYS_PER_USER).map(id).collect();
        let e = checked_keys(keys_answer(&too_many))
            .unwrap_err()
            .to_string();
        assert!(e.contains("MAX_KEYS_PER_USER"), "{e}");
        let twice = vec![id(1), id(2), id(1)];
        let e = checked_keys(keys_answer(&twice)).unwrap_err().to_string();
        assert!(e.contains("AccessKey LTAI5tKey000000000000001 is listed twice"), "{e}");
        let long = "L".repeat(MAX_ACCESS_KEY_ID_CHARS + 1);
        let e = checked_keys(keys_answer(std::slice::from_ref(&long)))
            .unwrap_err()
            .to_string();
        assert!(e.contains("MAX_ACCESS_KEY_ID_CHARS"), "{e}");
        assert!(!e.contains(&long), "the id is not quoted: {e}");
        let longest = "L".repeat(MAX_ACCESS_KEY_ID_CHARS);
        assert!(checked_keys(keys_answer(&[longest])).is_ok());
    }

    #[test]
    fn list_access_keys_refuses_unknown_statuses_and_missing_dates() {
        let ok: ListAccessKeysAnswer = serde_json::from_str(
            r#"{"RequestId":"R","AccessKeys":{"AccessKey":[{"AccessKeyId":"LTAI","Status":"Inactive","CreateDate":"2015-01-23T12:33:18Z"}]}}"#,
        )
        .unwrap();
        let k = &ok.access_keys.access_key[0];
        assert_eq!(k.status, KeyStatus::Inactive);
        assert_eq!(
            k.created().unwrap(),
            crate::alibaba::decode::EpochMs::new(1_422_016_398_000)
        );
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
        let why = late.created().unwrap_err();
        assert!(
            why.contains("CreateDate is not an RFC 3339 time") && !why.contains("yesterday"),
            "{why}"
        );
        let seconds = RamAccessKey {
            create_date: "1970-01-17T12:33:18Z".into(),
            ..late
        };
        assert!(seconds.created().unwrap_err().contains("before 2009"));
    }
}
