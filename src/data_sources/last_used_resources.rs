//! `actiontrail_accesskey_last_used_resources`: every resource a key acted on with one
//! service, and when last (GetAccessKeyLastUsedResources, all pages).

use crate::actiontrail::{last_used_resources, Client, Error, Listing, ResourceUsage};
use crate::data_sources::listing::{self, Entries, Listed, Query, UsageListing};
use crate::data_sources::uses;
use crate::framework::attribute::{Field, Fields};
use crate::model::{Type, Value};
use crate::usage::Used;

/// The data source.
pub struct LastUsedResources;

fn item() -> Fields<Used<ResourceUsage>> {
    Fields::new()
        .with(Field::text(
            "resource_name",
            "the resource's name or ARN",
            |r: &Used<ResourceUsage>| &r.of.resource_name,
        ))
        .with(Field::opt_text(
            "resource_type",
            "its type, e.g. ACS::ECS::Instance",
            |r: &Used<ResourceUsage>| &r.of.resource_type,
        ))
        .and(uses::item_fields())
}

/// The distinct resource types, in order of first appearance.
fn resource_types(l: &Listed<ResourceUsage>) -> Value {
    let mut types: Vec<&str> = Vec::new();
    for t in l.items.iter().filter_map(|r| r.of.resource_type.as_deref()) {
        if !types.contains(&t) {
            types.push(t);
        }
    }
    Value::List(types.into_iter().map(Value::string).collect())
}

#[async_trait::async_trait]
impl UsageListing for LastUsedResources {
    type Item = ResourceUsage;

    const TYPE_NAME: &'static str = "actiontrail_accesskey_last_used_resources";
    const DESCRIPTION: &'static str = "Every resource an AccessKey acted on with one service, and when last, from ActionTrail's GetAccessKeyLastUsedResources (all pages).";
    const ACTION: &'static str = last_used_resources::ACTION;

    fn attributes() -> Fields<Listed<ResourceUsage>> {
        let entries = Entries {
            list: "resources",
            about: "The resources the key acted on, in ActionTrail's order",
            item: item(),
            count: "resource_count",
            counted: "How many resources were read.",
        };
        let types = Field::computed(
            "resource_types",
            Type::list(Type::String),
            "The distinct resource types, in order of first appearance.",
            resource_types,
        );
        listing::fields("resources", entries, [types])
    }

    async fn list(client: &Client, q: &Query) -> Result<Listing<ResourceUsage>, Error> {
        client
            .list_access_key_last_used_resources(&q.key, &q.service, q.page)
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::data_source::Entry;
    use crate::framework::data_source::Registered as _;
    use crate::model::Schema;

    fn schema() -> Schema {
        Entry::<LastUsedResources>::new().schema().clone()
    }

    fn state(config: &Value, key: &str, service: &str, list: &Listing<ResourceUsage>) -> Value {
        listing::state_of::<LastUsedResources, _>(config, key, service, list)
    }

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
            used_timestamp: Some(crate::usage::UsedTimestamp::fixture(1_714_552_205_000)),
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
        crate::model::msgpack::encode(&st, schema().value_type()).expect("conforms");
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
        crate::model::msgpack::encode(&st, schema().value_type()).expect("conforms");
        assert_eq!(st.get("resource_count"), Some(&Value::int(0)));
        assert_eq!(st.get("most_recent_used_at"), Some(&Value::Null));
    }
}
