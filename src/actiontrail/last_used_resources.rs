//! GetAccessKeyLastUsedResources (2020-07-06): the resources a key acted on through one
//! service, paged by `NextToken` (`RequestId`, `NextToken`, `Resources[ResourceName, ...]`).

use super::record::{usage_listing, usage_record, Source};
use crate::alibaba::decode::UsedTimestamp;
use serde::{Deserialize, Serialize};

/// The operation's name.
pub const ACTION: &str = "GetAccessKeyLastUsedResources";

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

usage_record!(ResourceUsage, name: resource_name, whose: "a resource's ", unnamed: "an entry has an empty ResourceName");

usage_listing! {
    /// GetAccessKeyLastUsedResources across pages: the resources `access_key_id` acted on through
    /// `service_name`.
    fn list_access_key_last_used_resources -> ResourcesPage { resources: Vec<ResourceUsage> }
}
