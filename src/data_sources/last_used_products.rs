//! `actiontrail_accesskey_last_used_products`: every service a key used, and when last
//! (GetAccessKeyLastUsedProducts).

use super::api::Api;
use super::usage::{self, FRESHNESS_NOTE};
use super::{key, DataSource};
use crate::actiontrail::types::ProductsPage;
use crate::model::{Attribute, Block, Diagnostic, ReadResult, Schema, Type, Value};

/// The data source's type name.
pub const TYPE_NAME: &str = "actiontrail_accesskey_last_used_products";

/// The data source.
pub struct LastUsedProducts;

const OWN: [(&str, &str); 3] = [
    ("service_name", "the service's code name, e.g. Ecs"),
    ("service_name_cn", "its Chinese display name"),
    ("service_name_en", "its English display name"),
];

fn item_type() -> Type {
    usage::item_type(&[
        ("service_name", Type::String),
        ("service_name_cn", Type::String),
        ("service_name_en", Type::String),
    ])
}

/// The schema.
pub fn schema() -> Schema {
    let items = format!(
        "The services the key used, in ActionTrail's order, each with {}.",
        usage::item_fields_doc(&OWN)
    );
    Schema {
        version: 0,
        block: Block {
            attributes: vec![
                key::attribute(),
                Attribute::computed("id", Type::String, "The AccessKey ID."),
                Attribute::computed("request_id", Type::String, "Request ID of the GetAccessKeyLastUsedProducts call."),
                Attribute::computed("products", Type::list(item_type()), &items),
                Attribute::computed("product_count", Type::Number, "How many services the key used."),
                Attribute::computed("service_names", Type::list(Type::String), "The services' code names, in the order of `products`."),
                Attribute::computed("used", Type::Bool, "Whether ActionTrail has any record of the key using a service."),
                Attribute::computed("most_recent_used_at", Type::String, "The latest use among all services, RFC 3339 UTC; null when never used."),
                Attribute::computed("data_freshness_note", Type::String, "What this answer cannot show: ActionTrail lags about an hour and keeps at most 400 days (nothing before 2022-02-01)."),
            ],
            block_types: vec![],
            description: "Every service an AccessKey was used with and when last, from ActionTrail's GetAccessKeyLastUsedProducts.".to_owned(),
            deprecated: false,
        },
    }
}

/// Checks the configuration; unknowns pass.
pub fn validate(config: &Value) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    key::validate(config, &mut diags);
    diags
}

/// The state for one answer.
pub fn state(config: &Value, page: &ProductsPage) -> Value {
    let key = config.get("access_key_id").cloned().unwrap_or(Value::Null);
    let products: Vec<Value> = page
        .products
        .iter()
        .map(|p| {
            let own = [
                ("service_name", Value::string(p.service_name.clone())),
                (
                    "service_name_cn",
                    Value::opt_string(p.service_name_cn.clone()),
                ),
                (
                    "service_name_en",
                    Value::opt_string(p.service_name_en.clone()),
                ),
            ];
            Value::object(own.into_iter().chain(usage::item_values(
                p.used_timestamp,
                p.source.as_deref(),
                p.detail.as_deref(),
            )))
        })
        .collect();
    let latest = usage::most_recent(page.products.iter().map(|p| p.used_timestamp));
    Value::object([
        ("access_key_id", key.clone()),
        ("id", key),
        ("request_id", Value::string(page.request_id.clone())),
        ("product_count", Value::int(products.len() as i64)),
        (
            "service_names",
            Value::List(
                page.products
                    .iter()
                    .map(|p| Value::string(p.service_name.clone()))
                    .collect(),
            ),
        ),
        ("used", Value::Bool(!products.is_empty())),
        ("products", Value::List(products)),
        ("most_recent_used_at", latest),
        ("data_freshness_note", Value::string(FRESHNESS_NOTE)),
    ])
}

#[async_trait::async_trait]
impl DataSource for LastUsedProducts {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value) -> Vec<Diagnostic> {
        validate(config)
    }

    async fn read(&self, api: &Api, config: &Value) -> ReadResult {
        let key = match key::of(config) {
            Ok(k) => k,
            Err(d) => return ReadResult::failed(d),
        };
        tracing::debug!(access_key_id = key, "reading {TYPE_NAME}");
        api.products(key)
            .await
            .map(|page| state(config, &page))
            .into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actiontrail::types::ProductUsage;

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
                    used_timestamp: Some(1_714_552_200_000),
                    detail: Some("garbage".into()),
                    ..Default::default()
                },
                ProductUsage {
                    service_name: "Ecs".into(),
                    used_timestamp: Some(1_714_638_600_000),
                    source: Some("ManagementEvent".into()),
                    detail: Some(r#"{"sourceIpAddress":"198.51.100.2"}"#.into()),
                    ..Default::default()
                },
            ],
        };
        let st = state(&config(), &page);
        crate::model::msgpack::encode(&st, &schema().block.value_type()).expect("conforms");
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
        crate::model::msgpack::encode(&st, &schema().block.value_type()).expect("conforms");
        assert_eq!(st.get("used"), Some(&Value::Bool(false)));
        assert_eq!(st.get("products"), Some(&Value::List(vec![])));
        assert_eq!(st.get("most_recent_used_at"), Some(&Value::Null));
    }
}
