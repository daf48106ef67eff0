//! GetAccessKeyLastUsedInfo (2020-07-06): when, where and by whom a key was last used.
//!
//! A well-formed answer, from the API reference and the official SDK's models
//! (`alibabacloud_actiontrail20200706` 2.6.0): a JSON object with a non-empty `RequestId`;
//! `AccessKeyId` present and, trimmed of whitespace (the reference's own example ends it
//! with a newline), equal to the key asked about; a use names its `ServiceName`. "Never
//! used" is thus only an answer about the asked key, with a RequestId and no use.

use super::answer::{self, Reason};
use super::client::{Client, Service};
use super::service::Operation;
use super::error::Error;
use super::exchange::erase;
use super::record::usage_record;
use crate::alibaba::decode::{self, Signs, UsedTimestamp};
use std::collections::BTreeMap;

/// The operation's name.
pub const ACTION: &str = "GetAccessKeyLastUsedInfo";

/// The operation, as a policy grants it: `actiontrail:GetAccessKeyLastUsedInfo`.
pub(crate) const OPERATION: Operation = Operation::new(Service::ActionTrail, ACTION);

usage_record! {
    /// GetAccessKeyLastUsedInfo: when and where the key was last used.
    pub struct AccessKeyLastUsedInfo {
        /// The request id ActionTrail assigned.
        pub request_id: String,
        /// The key the answer is about.
        pub access_key_id: Option<String>,
        /// The Alibaba Cloud account that owns the key.
        pub account_id: Option<String>,
        /// `root-account` or `ram-user`.
        pub account_type: Option<String>,
        /// The owner id.
        pub owner_id: Option<String>,
        /// The RAM user name, for a RAM user's key.
        pub user_name: Option<String>,
        /// The service the key last called.
        pub service_name: Option<String>,
        /// The service's Chinese display name.
        pub service_name_cn: Option<String>,
        /// The service's English display name.
        pub service_name_en: Option<String>,
    }
}

impl Client {
    /// GetAccessKeyLastUsedInfo: when, where and by whom `access_key_id` was last used.
    pub async fn get_access_key_last_used_info(
        &self,
        access_key_id: &(impl AsRef<str> + ?Sized),
    ) -> Result<AccessKeyLastUsedInfo, Error> {
        self.call(ACTION, params(access_key_id), |body, params| {
            let asked = params.get("AccessKey").map_or("", String::as_str);
            erase(decode(body, asked))
        })
        .await
    }

    /// GetAccessKeyLastUsedInfo asked of the API now: an answer this process kept from an
    /// earlier read is dropped first, so a check at apply time sees what ActionTrail says
    /// at that moment (an identical call already in flight is joined: it is as recent).
    pub async fn get_access_key_last_used_info_now(
        &self,
        access_key_id: &(impl AsRef<str> + ?Sized),
    ) -> Result<AccessKeyLastUsedInfo, Error> {
        self.forget(OPERATION, &params(access_key_id));
        self.get_access_key_last_used_info(access_key_id).await
    }
}

fn params(access_key_id: &(impl AsRef<str> + ?Sized)) -> BTreeMap<String, String> {
    BTreeMap::from([("AccessKey".to_owned(), access_key_id.as_ref().to_owned())])
}

/// GetAccessKeyLastUsedInfo about `asked`.
pub fn decode(body: &str, asked: &str) -> Result<AccessKeyLastUsedInfo, Reason> {
    decode_at(body, asked, decode::EpochMs::now())
}

/// [`decode()`] as of `now`. The answer's `UsedTimestamp` becomes the last use the strict
/// decoder concludes: the most recent plausible sign of use, or none when there is none.
pub fn decode_at(
    body: &str,
    asked: &str,
    now: decode::EpochMs,
) -> Result<AccessKeyLastUsedInfo, Reason> {
    let mut info: AccessKeyLastUsedInfo = answer::object(body)?;
    match info.access_key_id.as_deref().map(str::trim) {
        None => return Err("it has no AccessKeyId".into()),
        Some(id) if id != asked.trim() => {
            return Err(format!(
                "it is about another AccessKey ({}), not the one asked about",
                crate::alibaba::redact::clip(id, 64)
            ))
        }
        Some(_) => {}
    }
    // The display names come only with a use, beside the ServiceName they translate: one
    // without it contradicts itself, and must not read as "never used".
    let blank = |s: &Option<String>| s.as_deref().is_none_or(|s| s.trim().is_empty());
    if blank(&info.service_name) {
        for (name, value) in [
            ("ServiceNameCn", &info.service_name_cn),
            ("ServiceNameEn", &info.service_name_en),
        ] {
            if !blank(value) {
                return Err(format!("it has a {name} but no ServiceName"));
            }
        }
    }
    let last = decode::last_use(
        "",
        Signs {
            used_timestamp: info.used_timestamp.map(UsedTimestamp::ms),
            service_name: info.service_name.as_deref(),
            source: info.source.as_deref(),
            detail: info.detail.as_deref(),
            listed: false,
        },
        now,
    )?;
    if last.is_some()
        && info
            .service_name
            .as_deref()
            .is_none_or(|s| s.trim().is_empty())
    {
        return Err("it reports a use but no ServiceName".into());
    }
    info.used_timestamp = last;
    Ok(info)
}
