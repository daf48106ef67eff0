//! `actiontrail_accesskey_last_used_ips`: every IP a key was used from with one service,
//! and when last (GetAccessKeyLastUsedIps, all pages).

use super::api::Api;
use super::usage;
use super::{key, listing, DataSource};
use crate::actiontrail::types::IpUsage;
use crate::actiontrail::Listing;
use crate::model::{Attribute, Block, Diagnostic, ReadResult, Schema, Type, Value};

/// The data source's type name.
pub const TYPE_NAME: &str = "actiontrail_accesskey_last_used_ips";

/// The data source.
pub struct LastUsedIps;

/// The schema.
pub fn schema() -> Schema {
    let items = format!(
        "The IPs the key was used from, in ActionTrail's order, each with {}.",
        usage::item_fields_doc(&[("ip", "the IP address")])
    );
    let mut attributes = vec![key::attribute()];
    attributes.extend(listing::arguments("IPs"));
    attributes.extend([
        Attribute::computed("id", Type::String, "`<access_key_id>:<service_name>`."),
        Attribute::computed("ips", Type::list(usage::item_type(&[("ip", Type::String)])), &items),
        Attribute::computed("ip_count", Type::Number, "How many IPs were read."),
        Attribute::computed("addresses", Type::list(Type::String), "The IP addresses alone, in the order of `ips`."),
        Attribute::computed("data_freshness_note", Type::String, "What this answer cannot show: ActionTrail lags about an hour and keeps at most 400 days (nothing before 2022-02-01)."),
    ]);
    attributes.extend(listing::attributes("IPs"));
    Schema {
        version: 0,
        block: Block {
            attributes,
            block_types: vec![],
            description: "Every IP address an AccessKey was used from with one service, and when last, from ActionTrail's GetAccessKeyLastUsedIps (all pages).".to_owned(),
            deprecated: false,
        },
    }
}

/// Checks the configuration; unknowns pass.
pub fn validate(config: &Value) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    key::validate(config, &mut diags);
    listing::validate(config, &mut diags);
    diags
}

/// The state for one listing.
pub fn state(config: &Value, key: &str, service: &str, list: &Listing<IpUsage>) -> Value {
    let ips: Vec<Value> = list
        .items
        .iter()
        .map(|i| {
            let own = [("ip", Value::string(i.ip.clone()))];
            Value::object(own.into_iter().chain(usage::item_values(
                i.used_timestamp,
                i.source.as_deref(),
                i.detail.as_deref(),
            )))
        })
        .collect();
    let mut attrs = listing::values(config, key, service, list, |i| i.used_timestamp);
    attrs.extend([
        ("ip_count", Value::int(ips.len() as i64)),
        (
            "addresses",
            Value::List(
                list.items
                    .iter()
                    .map(|i| Value::string(i.ip.clone()))
                    .collect(),
            ),
        ),
        ("ips", Value::List(ips)),
    ]);
    Value::object(attrs)
}

#[async_trait::async_trait]
impl DataSource for LastUsedIps {
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
        let (service, page) = listing::of(config);
        tracing::debug!(access_key_id = key, service_name = %service, "reading {TYPE_NAME}");
        api.ips(key, &service, page)
            .await
            .map(|list| state(config, key, &service, &list))
            .into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ips_keep_their_order_and_report_truncation_and_request_ids() {
        let config = Value::object([
            ("access_key_id", Value::string("LTAI5tManyIps0000000001")),
            ("service_name", Value::string("Ecs")),
            ("page_size", Value::Null),
            ("max_items", Value::int(2)),
        ]);
        let list = Listing {
            items: vec![
                IpUsage {
                    ip: "10.0.0.2".into(),
                    used_timestamp: Some(2_000),
                    ..Default::default()
                },
                IpUsage {
                    ip: "10.0.0.1".into(),
                    used_timestamp: Some(1_000),
                    ..Default::default()
                },
            ],
            pages: 1,
            truncated: true,
            request_ids: vec!["R1".into()],
        };
        let st = state(&config, "LTAI5tManyIps0000000001", "Ecs", &list);
        crate::model::msgpack::encode(&st, &schema().block.value_type()).expect("conforms");
        assert_eq!(
            st.get("id"),
            Some(&Value::string("LTAI5tManyIps0000000001:Ecs"))
        );
        assert_eq!(
            st.get("addresses"),
            Some(&Value::List(vec![
                Value::string("10.0.0.2"),
                Value::string("10.0.0.1")
            ]))
        );
        assert_eq!(st.get("truncated"), Some(&Value::Bool(true)));
        assert_eq!(st.get("ip_count"), Some(&Value::int(2)));
        assert_eq!(
            st.get("most_recent_used_at"),
            Some(&Value::string("1970-01-01T00:00:02Z"))
        );
        assert_eq!(
            st.get("request_ids"),
            Some(&Value::List(vec![Value::string("R1")]))
        );
    }

    #[test]
    fn every_attribute_is_described_and_service_name_is_required() {
        let s = schema();
        assert!(s.block.attribute("service_name").unwrap().required);
        for a in s.block.attributes {
            assert!(!a.description.is_empty(), "{}", a.name);
        }
    }
}
