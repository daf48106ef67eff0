//! The client every read of the process shares, with each distinct request made once.
//!
//! An organisation audits hundreds of keys in one plan, often through several data
//! sources on the same key (`count`, modules). A provider process lives for one Terraform
//! operation, so an answer stays good for the whole process: identical reads, concurrent
//! or not, share one API call. Failures are not kept, so a later read tries again.

use super::api_error;
use crate::actiontrail::types::{AccessKeyLastUsedInfo, IpUsage, ProductsPage, ResourceUsage};
use crate::actiontrail::{Client, Listing, PageOptions};
use crate::model::Diagnostic;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};
use tokio::sync::OnceCell;

/// Answers by request, each computed once.
struct Memo<K, V> {
    cells: Mutex<HashMap<K, Arc<OnceCell<Arc<V>>>>>,
}

impl<K: Eq + Hash, V> Default for Memo<K, V> {
    fn default() -> Self {
        Memo {
            cells: Mutex::new(HashMap::new()),
        }
    }
}

impl<K: Eq + Hash, V> Memo<K, V> {
    async fn get_or_try<E, F, Fut>(&self, key: K, call: F) -> Result<Arc<V>, E>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<V, E>>,
    {
        let cell = {
            // A panic elsewhere while holding the lock leaves the map intact: go on with it.
            let mut cells = self.cells.lock().unwrap_or_else(|p| p.into_inner());
            cells.entry(key).or_default().clone()
        };
        cell.get_or_try_init(|| async { call().await.map(Arc::new) })
            .await
            .cloned()
    }
}

type ListKey = (String, String, Option<u32>, Option<usize>);

/// The configured client and what it has already answered.
pub struct Api {
    client: Client,
    max_retries: u32,
    info: Memo<String, AccessKeyLastUsedInfo>,
    products: Memo<String, ProductsPage>,
    ips: Memo<ListKey, Listing<IpUsage>>,
    resources: Memo<ListKey, Listing<ResourceUsage>>,
}

impl Api {
    /// Wraps a client; `max_retries` is quoted in error hints.
    pub fn new(client: Client, max_retries: u32) -> Api {
        Api {
            client,
            max_retries,
            info: Memo::default(),
            products: Memo::default(),
            ips: Memo::default(),
            resources: Memo::default(),
        }
    }

    fn fail(&self, action: &str, key: &str, err: &crate::actiontrail::Error) -> Diagnostic {
        tracing::warn!(action, access_key_id = key, error = %err, "ActionTrail call failed");
        api_error::diagnostic(action, key, err, self.max_retries)
    }

    /// GetAccessKeyLastUsedInfo.
    pub async fn info(&self, key: &str) -> Result<Arc<AccessKeyLastUsedInfo>, Diagnostic> {
        const ACTION: &str = "GetAccessKeyLastUsedInfo";
        tracing::debug!(action = ACTION, access_key_id = key, "ActionTrail request");
        self.info
            .get_or_try(key.to_owned(), || {
                self.client.get_access_key_last_used_info(key)
            })
            .await
            .map_err(|e| self.fail(ACTION, key, &e))
    }

    /// GetAccessKeyLastUsedProducts.
    pub async fn products(&self, key: &str) -> Result<Arc<ProductsPage>, Diagnostic> {
        const ACTION: &str = "GetAccessKeyLastUsedProducts";
        tracing::debug!(action = ACTION, access_key_id = key, "ActionTrail request");
        self.products
            .get_or_try(key.to_owned(), || {
                self.client.get_access_key_last_used_products(key)
            })
            .await
            .map_err(|e| self.fail(ACTION, key, &e))
    }

    /// Every page of GetAccessKeyLastUsedIps.
    pub async fn ips(
        &self,
        key: &str,
        service: &str,
        page: PageOptions,
    ) -> Result<Arc<Listing<IpUsage>>, Diagnostic> {
        const ACTION: &str = "GetAccessKeyLastUsedIps";
        tracing::debug!(
            action = ACTION,
            access_key_id = key,
            service_name = service,
            "ActionTrail request"
        );
        let memo_key = (
            key.to_owned(),
            service.to_owned(),
            page.page_size,
            page.max_items,
        );
        self.ips
            .get_or_try(memo_key, || {
                self.client
                    .list_access_key_last_used_ips(key, service, page)
            })
            .await
            .map_err(|e| self.fail(ACTION, key, &e))
    }

    /// Every page of GetAccessKeyLastUsedResources.
    pub async fn resources(
        &self,
        key: &str,
        service: &str,
        page: PageOptions,
    ) -> Result<Arc<Listing<ResourceUsage>>, Diagnostic> {
        const ACTION: &str = "GetAccessKeyLastUsedResources";
        tracing::debug!(
            action = ACTION,
            access_key_id = key,
            service_name = service,
            "ActionTrail request"
        );
        let memo_key = (
            key.to_owned(),
            service.to_owned(),
            page.page_size,
            page.max_items,
        );
        self.resources
            .get_or_try(memo_key, || {
                self.client
                    .list_access_key_last_used_resources(key, service, page)
            })
            .await
            .map_err(|e| self.fail(ACTION, key, &e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test]
    async fn concurrent_identical_requests_share_one_call_and_failures_are_retried() {
        let memo: Memo<&str, u32> = Memo::default();
        let calls = AtomicUsize::new(0);
        let call = || async {
            calls.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            Ok::<_, ()>(7)
        };
        let all = futures::future::join_all((0..10).map(|_| memo.get_or_try("k", call))).await;
        assert!(all.iter().all(|r| r.as_deref() == Ok(&7)));
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        memo.get_or_try("k", call).await.unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), 1, "kept for later reads");

        let failing = memo
            .get_or_try("f", || async { Err::<u32, _>("boom") })
            .await;
        assert_eq!(failing, Err("boom"));
        let later = memo.get_or_try("f", || async { Ok::<_, &str>(3) }).await;
        assert_eq!(later.as_deref(), Ok(&3));
    }
}
