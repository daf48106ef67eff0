//! GetAccessKeyLastUsedIps (2020-07-06): the IPs a key called one service from, paged by
//! `NextToken` (`RequestId`, `NextToken`, `Ips[Ip, ...]`), each entry naming its IP.

use super::answer;
use super::client::{erase, Client};
use super::error::Error;
use super::pagination::{Listing, PageOptions};
use super::record::{check_entries, usage_page, usage_record, Source};
use crate::alibaba::decode::{self, UsedTimestamp};
use serde::{Deserialize, Serialize};

/// The operation's name.
pub const ACTION: &str = "GetAccessKeyLastUsedIps";

/// One source IP a key was used from (GetAccessKeyLastUsedIps).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct IpUsage {
    /// The IP address.
    pub ip: String,
    /// When the key was last used from it, epoch milliseconds.
    pub used_timestamp: Option<UsedTimestamp>,
    /// How the use was recorded.
    pub source: Option<Source>,
    /// The ActionTrail event, as a JSON string.
    pub detail: Option<String>,
}

/// The wire shape of one GetAccessKeyLastUsedIps page.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct IpsPage {
    /// The request id.
    pub request_id: String,
    /// Token for the next page; empty or absent on the last one.
    pub next_token: Option<String>,
    /// This page's IPs.
    pub ips: Vec<IpUsage>,
}

usage_record!(IpUsage, name: ip, whose: "an IP's ", unnamed: "an entry has an empty Ip");
usage_page!(IpsPage, ips, IpUsage);

impl Client {
    /// GetAccessKeyLastUsedIps across pages: the IPs `access_key_id` called `service_name` from.
    pub async fn list_access_key_last_used_ips(
        &self,
        access_key_id: &(impl AsRef<str> + ?Sized),
        service_name: &str,
        options: PageOptions,
    ) -> Result<Listing<IpUsage>, Error> {
        self.list_usage::<IpsPage, _>(ACTION, access_key_id, service_name, options, |body, _| {
            erase(decode(body))
        })
        .await
    }
}

/// One page of GetAccessKeyLastUsedIps.
pub fn decode(body: &str) -> Result<IpsPage, answer::Reason> {
    decode_at(body, decode::now_ms())
}

/// [`decode()`] as of `now_ms`.
pub fn decode_at(body: &str, now_ms: i64) -> Result<IpsPage, answer::Reason> {
    let mut page: IpsPage = answer::object(body)?;
    check_entries(&mut page.ips, now_ms)?;
    Ok(page)
}
