//! GetAccessKeyLastUsedResources (2020-07-06): the resources a key acted on through one
//! service, paged by `NextToken` (`RequestId`, `NextToken`, `Resources[ResourceName, ...]`).

use super::answer;
use super::client::{erase, Client};
use super::error::Error;
use super::pagination::{Listing, PageOptions};
use super::record::{check_entries, usage_page, usage_record, Source};
use crate::alibaba::decode::{self, UsedTimestamp};
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

usage_record!(ResourceUsage, name: resource_name, whose: "a resource's ", unnamed: "an entry has an empty ResourceName");
usage_page!(ResourcesPage, resources, ResourceUsage);

impl Client {
    /// GetAccessKeyLastUsedResources across pages: the resources `access_key_id` acted on through `service_name`.
    pub async fn list_access_key_last_used_resources(
        &self,
        access_key_id: &(impl AsRef<str> + ?Sized),
        service_name: &str,
        options: PageOptions,
    ) -> Result<Listing<ResourceUsage>, Error> {
        self.list_usage::<ResourcesPage, _>(
            ACTION,
            access_key_id,
            service_name,
            options,
            |body, _| erase(decode(body)),
        )
        .await
    }
}

/// One page of GetAccessKeyLastUsedResources.
pub fn decode(body: &str) -> Result<ResourcesPage, answer::Reason> {
    decode_at(body, decode::now_ms())
}

/// [`decode()`] as of `now_ms`.
pub fn decode_at(body: &str, now_ms: i64) -> Result<ResourcesPage, answer::Reason> {
    let mut page: ResourcesPage = answer::object(body)?;
    check_entries(&mut page.resources, now_ms)?;
    Ok(page)
}
