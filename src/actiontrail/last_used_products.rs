//! GetAccessKeyLastUsedProducts (2020-07-06): every service a key used, in one answer
//! (`RequestId`, `Products[ServiceName, ...]`), each entry naming its service.

use super::answer;
use super::client::{Client, Service};
use super::service::Operation;
use super::error::Error;
use super::exchange::erase;
use super::record::{check_entries, usage_record};
use crate::alibaba::decode;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The operation's name.
pub const ACTION: &str = "GetAccessKeyLastUsedProducts";

/// The operation, as a policy grants it: `actiontrail:GetAccessKeyLastUsedProducts`.
pub(crate) const OPERATION: Operation = Operation::new(Service::ActionTrail, ACTION);

usage_record! {
    /// One service a key used (GetAccessKeyLastUsedProducts).
    pub struct ProductUsage {
        /// The service's code name, e.g. `Ecs`.
        pub service_name: String,
        /// Chinese display name.
        pub service_name_cn: Option<String>,
        /// English display name.
        pub service_name_en: Option<String>,
    }
    name: service_name, whose: "a product's ", unnamed: "a product has an empty ServiceName"
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

impl Client {
    /// GetAccessKeyLastUsedProducts: every service `access_key_id` used.
    pub async fn get_access_key_last_used_products(
        &self,
        access_key_id: &(impl AsRef<str> + ?Sized),
    ) -> Result<ProductsPage, Error> {
        let params = BTreeMap::from([("AccessKey".to_owned(), access_key_id.as_ref().to_owned())]);
        self.call(ACTION, params, |body, _| erase(decode(body)))
            .await
    }
}

/// GetAccessKeyLastUsedProducts' answer.
pub fn decode(body: &str) -> Result<ProductsPage, answer::Reason> {
    decode_at(body, decode::EpochMs::now())
}

/// [`decode()`] as of `now`.
pub fn decode_at(body: &str, now: decode::EpochMs) -> Result<ProductsPage, answer::Reason> {
    let mut page: ProductsPage = answer::object(body)?;
    check_entries(&mut page.products, now)?;
    Ok(page)
}
