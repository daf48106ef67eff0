//! The client every read of the process shares.
//!
//! An organisation audits hundreds of keys in one plan, often through several data
//! sources on the same key (`count`, modules). The client makes each distinct request
//! once per process: identical reads, concurrent or not, share one API call, and failures
//! are not kept, so a later read tries again. This layer names the request in the logs and
//! turns client errors into diagnostics.

use super::api_error;
use crate::actiontrail::types::{AccessKeyLastUsedInfo, IpUsage, ProductsPage, ResourceUsage};
use crate::actiontrail::{AccessKeyListing, Client, EventUsage, Listing, PageOptions, UserListing};
use crate::model::Diagnostic;

/// The configured client, as the data sources call it.
pub struct Api {
    client: Client,
    max_retries: u32,
}

impl Api {
    /// Wraps a client; `max_retries` is quoted in error hints.
    pub fn new(client: Client, max_retries: u32) -> Api {
        Api {
            client,
            max_retries,
        }
    }

    fn fail(&self, action: &str, key: &str, err: &crate::actiontrail::Error) -> Diagnostic {
        tracing::warn!(action, access_key_id = key, error = %err, "ActionTrail call failed");
        api_error::diagnostic(action, key, err, self.max_retries)
    }

    /// GetAccessKeyLastUsedInfo.
    pub async fn info(&self, key: &str) -> Result<AccessKeyLastUsedInfo, Diagnostic> {
        const ACTION: &str = "GetAccessKeyLastUsedInfo";
        tracing::debug!(action = ACTION, access_key_id = key, "ActionTrail request");
        self.client
            .get_access_key_last_used_info(key)
            .await
            .map_err(|e| self.fail(ACTION, key, &e))
    }

    /// GetAccessKeyLastUsedProducts.
    pub async fn products(&self, key: &str) -> Result<ProductsPage, Diagnostic> {
        const ACTION: &str = "GetAccessKeyLastUsedProducts";
        tracing::debug!(action = ACTION, access_key_id = key, "ActionTrail request");
        self.client
            .get_access_key_last_used_products(key)
            .await
            .map_err(|e| self.fail(ACTION, key, &e))
    }

    /// Every page of GetAccessKeyLastUsedIps.
    pub async fn ips(
        &self,
        key: &str,
        service: &str,
        page: PageOptions,
    ) -> Result<Listing<IpUsage>, Diagnostic> {
        const ACTION: &str = "GetAccessKeyLastUsedIps";
        tracing::debug!(
            action = ACTION,
            access_key_id = key,
            service_name = service,
            "ActionTrail request"
        );
        self.client
            .list_access_key_last_used_ips(key, service, page)
            .await
            .map_err(|e| self.fail(ACTION, key, &e))
    }

    /// Every page of GetAccessKeyLastUsedResources.
    pub async fn resources(
        &self,
        key: &str,
        service: &str,
        page: PageOptions,
    ) -> Result<Listing<ResourceUsage>, Diagnostic> {
        const ACTION: &str = "GetAccessKeyLastUsedResources";
        tracing::debug!(
            action = ACTION,
            access_key_id = key,
            service_name = service,
            "ActionTrail request"
        );
        self.client
            .list_access_key_last_used_resources(key, service, page)
            .await
            .map_err(|e| self.fail(ACTION, key, &e))
    }

    /// Every page of GetAccessKeyLastUsedEvents.
    pub async fn events(
        &self,
        key: &str,
        service: &str,
        page: PageOptions,
    ) -> Result<Listing<EventUsage>, Diagnostic> {
        const ACTION: &str = "GetAccessKeyLastUsedEvents";
        tracing::debug!(
            action = ACTION,
            access_key_id = key,
            service_name = service,
            "ActionTrail request"
        );
        self.client
            .list_access_key_last_used_events(key, service, page)
            .await
            .map_err(|e| self.fail(ACTION, key, &e))
    }

    /// Every page of RAM ListUsers.
    pub async fn ram_users(&self) -> Result<UserListing, Diagnostic> {
        tracing::debug!(action = "ListUsers", "RAM request");
        self.client.list_ram_users().await.map_err(|e| {
            tracing::warn!(action = "ListUsers", error = %e, "RAM call failed");
            api_error::diagnostic_for(
                "RAM",
                "ListUsers",
                "the account's RAM users",
                &e,
                self.max_retries,
            )
        })
    }

    /// RAM ListAccessKeys of `user`.
    pub async fn ram_access_keys(&self, user: &str) -> Result<AccessKeyListing, Diagnostic> {
        tracing::debug!(action = "ListAccessKeys", user_name = user, "RAM request");
        self.client.list_ram_access_keys(user).await.map_err(|e| {
            tracing::warn!(action = "ListAccessKeys", user_name = user, error = %e, "RAM call failed");
            api_error::diagnostic_for(
                "RAM",
                "ListAccessKeys",
                &format!("RAM user {user:?}"),
                &e,
                self.max_retries,
            )
        })
    }
}
