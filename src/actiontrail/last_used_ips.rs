//! GetAccessKeyLastUsedIps (2020-07-06): the IPs a key called one service from, paged by
//! `NextToken` (`RequestId`, `NextToken`, `Ips[Ip, ...]`), each entry naming its IP.

use super::record::{usage_listing, usage_record, Source};
use crate::alibaba::decode::UsedTimestamp;
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

usage_record!(IpUsage, name: ip, whose: "an IP's ", unnamed: "an entry has an empty Ip");

usage_listing! {
    /// GetAccessKeyLastUsedIps across pages: the IPs `access_key_id` called `service_name` from.
    fn list_access_key_last_used_ips -> IpsPage { ips: Vec<IpUsage> }
}
