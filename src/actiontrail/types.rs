//! Typed responses of the four GetAccessKeyLastUsed* operations (version 2020-07-06).
//!
//! Field names follow the API (`UsedTimestamp`, `NextToken`...). `Detail` is kept raw, and
//! parsed into an [`Event`] when it is valid JSON.
//!
//! Nothing here defaults: a field the API reference and the official SDK's models mark
//! required (RequestId, the list of each listing, ServiceName, Ip, ResourceName) must be
//! present, and every field present must have its type, or decoding fails. A missing
//! field must never read as "never used".

use crate::alibaba::decode::UsedTimestamp;
use serde::{Deserialize, Serialize};

/// How ActionTrail learned of the use: `Internal`, `ManagementEvent` or `DataEvent`.
pub type Source = String;

/// GetAccessKeyLastUsedInfo: when and where the key was last used.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
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
    /// How the use was recorded.
    pub source: Option<Source>,
    /// The ActionTrail event, as a JSON string.
    pub detail: Option<String>,
    /// When it was last used, epoch milliseconds; absent when never used.
    pub used_timestamp: Option<UsedTimestamp>,
}

/// One service a key used (GetAccessKeyLastUsedProducts).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ProductUsage {
    /// The service's code name, e.g. `Ecs`.
    pub service_name: String,
    /// Chinese display name.
    pub service_name_cn: Option<String>,
    /// English display name.
    pub service_name_en: Option<String>,
    /// How the use was recorded.
    pub source: Option<Source>,
    /// The ActionTrail event, as a JSON string.
    pub detail: Option<String>,
    /// When the key last used this service, epoch milliseconds.
    pub used_timestamp: Option<UsedTimestamp>,
}

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

/// One resource a key acted on (GetAccessKeyLastUsedResources).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ResourceUsage {
    /// The resource's name or ARN.
    pub resource_name: String,
    /// The resource's type, e.g. `ACS::ECS::Instance`.
    pub resource_type: Option<String>,
    /// When the key last acted on it, epoch milliseconds.
    pub used_timestamp: Option<UsedTimestamp>,
    /// How the use was recorded.
    pub source: Option<Source>,
    /// The ActionTrail event, as a JSON string.
    pub detail: Option<String>,
}

/// The wire shape of GetAccessKeyLastUsedProducts.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ProductsPage {
    /// The request id.
    pub request_id: String,
    /// Services used.
    pub products: Vec<ProductUsage>,
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

/// The wire shape of one GetAccessKeyLastUsedResources page.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ResourcesPage {
    /// The request id.
    pub request_id: String,
    /// Token for the next page; empty or absent on the last one.
    pub next_token: Option<String>,
    /// This page's resources.
    pub resources: Vec<ResourceUsage>,
}

/// The identity in an ActionTrail event.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct UserIdentity {
    /// `root-account`, `ram-user`, `assumed-role`...
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// User name.
    pub user_name: Option<String>,
    /// Account id.
    pub account_id: Option<String>,
    /// Principal id.
    pub principal_id: Option<String>,
    /// The AccessKey used.
    pub access_key_id: Option<String>,
}

/// An ActionTrail event, parsed from `Detail`. Unknown fields are ignored.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Event {
    /// Event id.
    pub event_id: Option<String>,
    /// The API action, e.g. `DescribeInstances`.
    pub event_name: Option<String>,
    /// The endpoint called.
    pub event_source: Option<String>,
    /// When, as ActionTrail wrote it.
    pub event_time: Option<String>,
    /// `ApiCall`, `ConsoleSignin`...
    pub event_type: Option<String>,
    /// The caller's IP.
    pub source_ip_address: Option<String>,
    /// The region.
    pub acs_region: Option<String>,
    /// The service.
    pub service_name: Option<String>,
    /// The API request id.
    pub request_id: Option<String>,
    /// The API version.
    pub api_version: Option<String>,
    /// Whether the event is global.
    pub is_global: Option<bool>,
    /// Who called.
    pub user_identity: Option<UserIdentity>,
}

impl Event {
    /// Parses a `Detail` string; `None` when it is absent or not a JSON object.
    pub fn parse(detail: Option<&str>) -> Option<Event> {
        serde_json::from_str(detail?).ok()
    }
}
