//! GetAccessKeyLastUsedIps (2020-07-06): the IPs a key called one service from, paged by
//! `NextToken` (`RequestId`, `NextToken`, `Ips[Ip, ...]`), each entry naming its IP.

use super::service::{Operation, Service};
use super::record::{usage_listing, usage_record};

/// The operation's name.
pub const ACTION: &str = "GetAccessKeyLastUsedIps";

/// The operation, as a policy grants it: `actiontrail:GetAccessKeyLastUsedIps`.
pub(crate) const OPERATION: Operation = Operation::new(Service::ActionTrail, ACTION);

usage_record! {
    /// One source IP a key was used from (GetAccessKeyLastUsedIps).
    pub struct IpUsage {
        /// The IP address.
        pub ip: String,
    }
    name: ip, whose: "an IP's ", unnamed: "an entry has an empty Ip"
}

usage_listing! {
    /// GetAccessKeyLastUsedIps across pages: the IPs `access_key_id` called `service_name` from.
    fn list_access_key_last_used_ips -> IpsPage { ips: Vec<IpUsage> }
}
