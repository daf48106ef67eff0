//! `actiontrail_accesskey_last_used_products`: every service a key used, and when last
//! (GetAccessKeyLastUsedProducts).

use crate::actiontrail::diagnostic::About;
use crate::actiontrail::{last_used_products, Client};
use crate::actiontrail::{ProductUsage, ProductsPage};
use crate::data_sources::key::AccessKeyId;
use crate::data_sources::key::{self, Keyed};
use crate::data_sources::uses;
use crate::framework::attribute::{Field, Fields};
use crate::framework::data_source::DataSource;
use crate::model::{Diagnostic, Type, Value};
use crate::usage::Used;

/// The data source.
pub struct LastUsedProducts;

/// What a read found: every service the key used.
#[derive(Clone, Debug, PartialEq)]
pub struct Products {
    /// The key.
    pub key: AccessKeyId,
    /// Request ID of the call.
    pub request_id: String,
    /// The services, in the API's order.
    pub products: Vec<Used<ProductUsage>>,
}

impl Products {
    /// `page`, as read for `key`.
    pub fn new(key: &AccessKeyId, page: ProductsPage) -> Products {
        Products {
            key: key.clone(),
            request_id: page.request_id,
            products: page.products.into_iter().map(Used::new).collect(),
        }
    }
}

impl Keyed for Products {
    fn access_key_id(&self) -> &AccessKeyId {
        &self.key
    }
}

fn item() -> Fields<Used<ProductUsage>> {
    Fields::new()
        .with(Field::text(
            "service_name",
            "the service's code name, e.g. Ecs",
            |p: &Used<ProductUsage>| &p.of.service_name,
        ))
        .with(Field::opt_text(
            "service_name_cn",
            "its Chinese display name",
            |p| &p.of.service_name_cn,
        ))
        .with(Field::opt_text(
            "service_name_en",
            "its English display name",
            |p| &p.of.service_name_en,
        ))
        .and(uses::item_fields())
}

#[async_trait::async_trait]
impl DataSource for LastUsedProducts {
    type Client = Client;
    type Config = AccessKeyId;
    type Answer = Products;

    const TYPE_NAME: &'static str = "actiontrail_accesskey_last_used_products";
    const DESCRIPTION: &'static str = "Every service an AccessKey was used with and when last, from ActionTrail's GetAccessKeyLastUsedProducts.";

    fn fields() -> Fields<Products> {
        Fields::new()
            .with(key::ACCESS_KEY.field())
            .with(key::id())
            .with(Field::text(
                "request_id",
                "Request ID of the GetAccessKeyLastUsedProducts call.",
                |a: &Products| &a.request_id,
            ))
            .with(Field::list(
                "products",
                "The services the key used, in ActionTrail's order",
                item(),
                |a: &Products| &a.products,
            ))
            .with(uses::count(
                "product_count",
                "How many services the key used.",
                |a: &Products| &a.products,
            ))
            .with(uses::names(
                "service_names",
                "The services' code names, in the order of `products`.",
                |a: &Products| &a.products,
                |p| &p.service_name,
            ))
            .with(Field::computed(
                "used",
                Type::Bool,
                "Whether ActionTrail has any record of the key using a service.",
                |a: &Products| Value::Bool(!a.products.is_empty()),
            ))
            .with(uses::most_recent_used_at(
                "The latest use among all services, RFC 3339 UTC; null when never used.",
                |a: &Products| &a.products,
            ))
            .with(uses::freshness_note())
    }

    fn parse(config: &Value, diags: &mut Vec<Diagnostic>) -> Option<AccessKeyId> {
        key::ACCESS_KEY.get(config, diags)
    }

    async fn read(client: &Client, key: &AccessKeyId) -> Result<Products, Diagnostic> {
        tracing::debug!(access_key_id = %key, "reading {}", Self::TYPE_NAME);
        let page = client
            .diagnosed(
                last_used_products::ACTION,
                About::Key(key.as_str()),
                client.get_access_key_last_used_products(key),
            )
            .await?;
        Ok(Products::new(key, page))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::data_source::{Entry, Registered as _};
    use crate::model::Schema;

    fn schema() -> Schema {
        Entry::<LastUsedProducts>::new().schema().clone()
    }

    fn state(config: &Value, page: &ProductsPage) -> Value {
        let key = config
            .get(key::ACCESS_KEY_ID)
            .and_then(Value::as_str)
            .unwrap();
        Entry::<LastUsedProducts>::new().state(
            config,
            &Products::new(&AccessKeyId::listed(key), page.clone()),
        )
    }

    fn config() -> Value {
        Value::object([("access_key_id", Value::string("LTAI5tRecentUse000000001"))])
    }

    #[test]
    fn products_keep_the_apis_order_and_the_latest_use_is_found() {
        let page = ProductsPage {
            request_id: "R".into(),
            products: vec![
                ProductUsage {
                    service_name: "Oss".into(),
                    used_timestamp: Some(crate::usage::UsedTimestamp::fixture(1_714_552_200_000)),
                    detail: Some("garbage".into()),
                    ..Default::default()
                },
                ProductUsage {
                    service_name: "Ecs".into(),
                    used_timestamp: Some(crate::usage::UsedTimestamp::fixture(1_714_638_600_000)),
                    source: Some("ManagementEvent".into()),
                    detail: Some(r#"{"sourceIpAddress":"198.51.100.2"}"#.into()),
                    ..Default::default()
                },
            ],
        };
        let st = state(&config(), &page);
        crate::model::msgpack::encode(&st, schema().value_type()).expect("conforms");
        assert_eq!(
            st.get("service_names"),
            Some(&Value::List(vec![
                Value::string("Oss"),
                Value::string("Ecs")
            ]))
        );
        assert_eq!(st.get("product_count"), Some(&Value::int(2)));
        assert_eq!(
            st.get("most_recent_used_at"),
            Some(&Value::string("2024-05-02T08:30:00Z"))
        );
        let items = st.get("products").and_then(Value::as_elements).unwrap();
        assert_eq!(items[0].get("event"), Some(&Value::Null));
        assert_eq!(
            items[1].get("source_ip_address"),
            Some(&Value::string("198.51.100.2"))
        );
    }

    #[test]
    fn no_products_is_an_unused_key_not_an_error() {
        let st = state(
            &config(),
            &ProductsPage {
                request_id: "R".into(),
                products: vec![],
            },
        );
        crate::model::msgpack::encode(&st, schema().value_type()).expect("conforms");
        assert_eq!(st.get("used"), Some(&Value::Bool(false)));
        assert_eq!(st.get("products"), Some(&Value::List(vec![])));
        assert_eq!(st.get("most_recent_used_at"), Some(&Value::Null));
    }
}
