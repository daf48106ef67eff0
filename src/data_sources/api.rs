//! The client every read of the process shares.
//!
//! An organisation audits hundreds of keys in one plan, often through several data
//! sources on the same key (`count`, modules). The client makes each distinct request
//! once per process: identical reads, concurrent or not, share one API call, and failures
//! are not kept, so a later read tries again. This layer names the request in the logs and
//! turns client errors into diagnostics.

use crate::actiontrail::{AccessKeyLastUsedInfo, IpUsage, ProductsPage, ResourceUsage};
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

    /// The client, for [`Api::call`].
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Awaits `request`, a call of `action` about `key` on [`Api::client`], logging it
    /// and turning its failure into a diagnostic. A new operation needs nothing here:
    /// `api.call("GetAccessKeyLastUsedEvents", key, api.client().some_call(key))`.
    pub async fn call<T>(
        &self,
        action: &str,
        key: &str,
        request: impl std::future::Future<Output = Result<T, crate::actiontrail::Error>>,
    ) -> Result<T, Diagnostic> {
        tracing::debug!(action, access_key_id = key, "ActionTrail request");
        request.await.map_err(|e| {
            tracing::warn!(action, access_key_id = key, error = %e, "ActionTrail call failed");
            crate::actiontrail::diagnostic::diagnostic(action, key, &e, self.max_retries)
        })
    }

    /// GetAccessKeyLastUsedInfo.
    pub async fn info(&self, key: &str) -> Result<AccessKeyLastUsedInfo, Diagnostic> {
        let request = self.client.get_access_key_last_used_info(key);
        self.call("GetAccessKeyLastUsedInfo", key, request).await
    }

    /// GetAccessKeyLastUsedInfo read afresh, never from an earlier answer (the action's
    /// apply-time check).
    pub async fn info_now(&self, key: &str) -> Result<AccessKeyLastUsedInfo, Diagnostic> {
        let request = self.client.get_access_key_last_used_info_now(key);
        self.call("GetAccessKeyLastUsedInfo", key, request).await
    }

    /// GetAccessKeyLastUsedProducts.
    pub async fn products(&self, key: &str) -> Result<ProductsPage, Diagnostic> {
        let request = self.client.get_access_key_last_used_products(key);
        self.call("GetAccessKeyLastUsedProducts", key, request)
            .await
    }

    /// Every page of GetAccessKeyLastUsedIps.
    pub async fn ips(
        &self,
        key: &str,
        service: &str,
        page: PageOptions,
    ) -> Result<Listing<IpUsage>, Diagnostic> {
        tracing::debug!(service_name = service, "listing IPs");
        let request = self
            .client
            .list_access_key_last_used_ips(key, service, page);
        self.call("GetAccessKeyLastUsedIps", key, request).await
    }

    /// Every page of GetAccessKeyLastUsedResources.
    pub async fn resources(
        &self,
        key: &str,
        service: &str,
        page: PageOptions,
    ) -> Result<Listing<ResourceUsage>, Diagnostic> {
        tracing::debug!(service_name = service, "listing resources");
        let request = self
            .client
            .list_access_key_last_used_resources(key, service, page);
        self.call("GetAccessKeyLastUsedResources", key, request)
            .await
    }

    /// Every page of GetAccessKeyLastUsedEvents.
    pub async fn events(
        &self,
        key: &str,
        service: &str,
        page: PageOptions,
    ) -> Result<Listing<EventUsage>, Diagnostic> {
        tracing::debug!(service_name = service, "listing events");
        let request = self
            .client
            .list_access_key_last_used_events(key, service, page);
        self.call("GetAccessKeyLastUsedEvents", key, request).await
    }

    /// Every page of RAM ListUsers.
    pub async fn ram_users(&self) -> Result<UserListing, Diagnostic> {
        tracing::debug!(action = "ListUsers", "RAM request");
        self.client.list_ram_users().await.map_err(|e| {
            tracing::warn!(action = "ListUsers", error = %e, "RAM call failed");
            crate::actiontrail::diagnostic::diagnostic_for(
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
            crate::actiontrail::diagnostic::diagnostic_for(
                "RAM",
                "ListAccessKeys",
                &format!("RAM user {user:?}"),
                &e,
                self.max_retries,
            )
        })
    }
}
