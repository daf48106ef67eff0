//! `actiontrail_accesskey_last_used_events`: the API actions a key called on one service,
//! and when last (GetAccessKeyLastUsedEvents, all pages).

use crate::actiontrail::{last_used_events, Client, Error, EventUsage, Listing};
use crate::data_sources::listing::{self, Entries, Listed, Query, UsageListing};
use crate::data_sources::uses;
use crate::framework::attribute::{Field, Fields};
use crate::usage::Used;

/// The data source.
pub struct LastUsedEvents;

fn item() -> Fields<Used<EventUsage>> {
    Fields::new()
        .with(Field::text(
            "event_name",
            "the API action, as ActionTrail names it (EventName)",
            |e: &Used<EventUsage>| &e.of.event_name,
        ))
        // The shared item fields read `event_name` from the event in Detail; here the API
        // names it itself, so that one is left out.
        .and(
            uses::item_fields()
                .into_iter()
                .filter(|f| f.name() != "event_name"),
        )
}

#[async_trait::async_trait]
impl UsageListing for LastUsedEvents {
    type Item = EventUsage;

    const TYPE_NAME: &'static str = "actiontrail_accesskey_last_used_events";
    const DESCRIPTION: &'static str = "The API actions (events) an AccessKey called on one service, and when last, from ActionTrail's GetAccessKeyLastUsedEvents (all pages).";
    const ACTION: &'static str = last_used_events::ACTION;

    fn attributes() -> Fields<Listed<EventUsage>> {
        let entries = Entries {
            list: "events",
            about: "The API actions the key called, in ActionTrail's order (most recent first)",
            item: item(),
            count: "event_count",
            counted: "How many events were read.",
        };
        let names = uses::names(
            "event_names",
            "The API action names alone, in the order of `events`.",
            |l: &Listed<EventUsage>| &l.items,
            |e| &e.event_name,
        );
        listing::fields("events", entries, [names])
    }

    async fn list(client: &Client, q: &Query) -> Result<Listing<EventUsage>, Error> {
        client
            .list_access_key_last_used_events(&q.key, &q.service, q.page)
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::data_source::{Entry, Registered as _};
    use crate::model::Value;

    #[test]
    fn events_keep_their_order_and_name_and_conform_to_the_schema() {
        let entry = Entry::<LastUsedEvents>::new();
        let config = Value::object([
            ("access_key_id", Value::string("LTAI5tRecentUse000000001")),
            ("service_name", Value::string("Ecs")),
            ("page_size", Value::Null),
            ("max_items", Value::Null),
        ]);
        let q = Query {
            key: crate::data_sources::key::AccessKeyId::listed("LTAI5tRecentUse000000001"),
            service: "Ecs".into(),
            page: Default::default(),
        };
        let list = Listing {
            items: vec![
                EventUsage {
                    event_name: "StartInstance".into(),
                    used_timestamp: crate::usage::UsedTimestamp::fixture(1_714_552_202_000),
                    source: Some("ManagementEvent".into()),
                    detail: Some(
                        r#"{"eventName":"StartInstance","sourceIpAddress":"203.0.113.1"}"#.into(),
                    ),
                },
                EventUsage {
                    event_name: "DescribeInstances".into(),
                    used_timestamp: crate::usage::UsedTimestamp::fixture(1_714_552_201_000),
                    source: None,
                    detail: None,
                },
            ],
            pages: 1,
            truncated: false,
            request_ids: vec!["R1".into()],
        };
        let st = entry.state(&config, &Listed::new(&q, list));
        crate::model::msgpack::encode(&st, entry.schema().value_type()).expect("conforms");
        let events = st.get("events").and_then(Value::as_elements).unwrap();
        assert_eq!(
            events[0].get("event_name"),
            Some(&Value::string("StartInstance"))
        );
        assert_eq!(
            events[0].get("source_ip_address"),
            Some(&Value::string("203.0.113.1"))
        );
        assert_eq!(events[1].get("event"), Some(&Value::Null));
        assert_eq!(st.get("event_count"), Some(&Value::int(2)));
        assert_eq!(
            st.get("event_names"),
            Some(&Value::List(vec![
                Value::string("StartInstance"),
                Value::string("DescribeInstances")
            ]))
        );
    }
}
