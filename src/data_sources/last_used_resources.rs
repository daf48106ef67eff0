//! `actiontrail_accesskey_last_used_resources`: every resource a key acted on with one
//! service, and when last (GetAccessKeyLastUsedResources, all pages).

use super::api::Api;
use super::usage;
use super::{key, listing, DataSource};
use crate::actiontrail::types::ResourceUsage;
use crate::actiontrail::Listing;
use crate::model::{Attribute, Block, Diagnostic, ReadResult, Schema, Type, Value};

/// The data source's type name.
pub const TYPE_NAME: &str = "actiontrail_accesskey_last_used_resources";

/// The data source.
pub struct LastUsedResources;

/// The schema.
pub fn schema() -> Schema {
    let items = format!(
        "The resources the key acted on, in ActionTrail's order, each with {}.",
        usage::item_fields_doc(&[
            ("resource_name", "the resource's name or ARN"),
            ("resource_type", "its type, e.g. ACS::ECS::Instance")
        ])
    );
    let item = usage::item_type(&[
        ("resource_name", Type::String),
        ("resource_type", Type::String),
    ]);
    let mut attributes = vec![key::attribute()];
    attributes.extend(listing::arguments("resources"));
    attributes.extend([
        Attribute::computed("id", Type::String, "`<access_key_id>:<service_name>`."),
        Attribute::computed("resources", Type::list(item), &items),
        Attribute::computed("resource_count", Type::Number, "How many resources were read."),
        Attribute::computed("resource_types", Type::list(Type::String), "The distinct resource types, in order of first appearance."),
        Attribute::computed("data_freshness_note", Type::String, "What this answer cannot show: ActionTrail lags about an hour and keeps at most 400 days (nothing before 2022-02-01)."),
    ]);
    attributes.extend(listing::attributes("resources"));
    Schema {
        version: 0,
        block: Block {
            attributes,
            block_types: vec![],
            description: "Every resource an AccessKey acted on with one service, and when last, from ActionTrail's GetAccessKeyLastUsedResources (all pages).".to_owned(),
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
pub fn state(config: &Value, key: &str, service: &str, list: &Listing<ResourceUsage>) -> Value {
    let resources: Vec<Value> = list
        .items
        .iter()
        .map(|r| {
            let own = [
                ("resource_name", Value::string(r.resource_name.clone())),
                ("resource_type", Value::opt_string(r.resource_type.clone())),
            ];
            Value::object(own.into_iter().chain(usage::item_values(
                r.used_timestamp,
                r.source.as_deref(),
                r.detail.as_deref(),
            )))
        })
        .collect();
    let mut types: Vec<&str> = Vec::new();
    for t in list.items.iter().filter_map(|r| r.resource_type.as_deref()) {
        if !types.contains(&t) {
            types.push(t);
        }
    }
    let mut attrs = listing::values(config, key, service, list, |r| r.used_timestamp);
    attrs.extend([
        ("resource_count", Value::int(resources.len() as i64)),
        (
            "resource_types",
            Value::List(types.into_iter().map(Value::string).collect()),
        ),
        ("resources", Value::List(resources)),
    ]);
    Value::object(attrs)
}

#[async_trait::async_trait]
impl DataSource for LastUsedResources {
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
        api.resources(key, &service, page)
            .await
            .map(|list| state(config, key, &service, &list))
            .into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resources_keep_their_order_and_list_distinct_types() {
        let config = Value::object([
            ("access_key_id", Value::string("LTAI5tRecentUse000000001")),
            ("service_name", Value::string("Ecs")),
            ("page_size", Value::int(50)),
            ("max_items", Value::Null),
        ]);
        let r = |name: &str, ty: Option<&str>| ResourceUsage {
            resource_name: name.into(),
            resource_type: ty.map(Into::into),
            used_timestamp: Some(5),
            ..Default::default()
        };
        let list = Listing {
            items: vec![
                r("i-2", Some("ACS::ECS::Instance")),
                r("d-1", Some("ACS::ECS::Disk")),
                r("i-1", Some("ACS::ECS::Instance")),
                r("x", None),
            ],
            pages: 1,
            truncated: false,
            request_ids: vec!["R1".into()],
        };
        let st = state(&config, "LTAI5tRecentUse000000001", "Ecs", &list);
        crate::model::msgpack::encode(&st, &schema().block.value_type()).expect("conforms");
        assert_eq!(
            st.get("resource_types"),
            Some(&Value::List(vec![
                Value::string("ACS::ECS::Instance"),
                Value::string("ACS::ECS::Disk")
            ]))
        );
        let names: Vec<_> = st
            .get("resources")
            .and_then(Value::as_elements)
            .unwrap()
            .iter()
            .map(|v| v.get("resource_name").cloned())
            .collect();
        assert_eq!(
            names,
            ["i-2", "d-1", "i-1", "x"].map(|n| Some(Value::string(n)))
        );
        assert_eq!(st.get("page_size"), Some(&Value::int(50)));
    }

    #[test]
    fn an_empty_listing_is_an_answer() {
        let config = Value::object([
            ("access_key_id", Value::string("LTAI5tNeverUsed00000001")),
            ("service_name", Value::string("Ecs")),
            ("page_size", Value::Null),
            ("max_items", Value::Null),
        ]);
        let list = Listing {
            items: vec![],
            pages: 1,
            truncated: false,
            request_ids: vec![],
        };
        let st = state(&config, "LTAI5tNeverUsed00000001", "Ecs", &list);
        crate::model::msgpack::encode(&st, &schema().block.value_type()).expect("conforms");
        assert_eq!(st.get("resource_count"), Some(&Value::int(0)));
        assert_eq!(st.get("most_recent_used_at"), Some(&Value::Null));
    }
}
