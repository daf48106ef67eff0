//! `actiontrail_accesskey_last_used_ips`: every IP a key was used from with one service,
//! and when last (GetAccessKeyLastUsedIps, all pages).

use crate::actiontrail::{last_used_ips, Client, Error, IpUsage, Listing};
use crate::data_sources::listing::{self, Entries, Listed, Query, UsageListing};
use crate::data_sources::uses;
use crate::framework::attribute::{Field, Fields};
use crate::usage::Used;

/// The data source.
pub struct LastUsedIps;

fn item() -> Fields<Used<IpUsage>> {
    Fields::new()
        .with(Field::text("ip", "the IP address", |i: &Used<IpUsage>| {
            &i.of.ip
        }))
        .and(uses::item_fields())
}

#[async_trait::async_trait]
impl UsageListing for LastUsedIps {
    type Item = IpUsage;

    const TYPE_NAME: &'static str = "actiontrail_accesskey_last_used_ips";
    const DESCRIPTION: &'static str = "Every IP address an AccessKey was used from with one service, and when last, from ActionTrail's GetAccessKeyLastUsedIps (all pages).";
    const ACTION: &'static str = last_used_ips::ACTION;

    fn attributes() -> Fields<Listed<IpUsage>> {
        let entries = Entries {
            list: "ips",
            about: "The IPs the key was used from, in ActionTrail's order",
            item: item(),
            count: "ip_count",
            counted: "How many IPs were read.",
        };
        let addresses = uses::names(
            "addresses",
            "The IP addresses alone, in the order of `ips`.",
            |l: &Listed<IpUsage>| &l.items,
            |i| &i.ip,
        );
        listing::fields("IPs", entries, [addresses])
    }

    async fn list(client: &Client, q: &Query) -> Result<Listing<IpUsage>, Error> {
        client
            .list_access_key_last_used_ips(&q.key, &q.service, q.page)
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::data_source::Entry;
    use crate::framework::data_source::Registered as _;
    use crate::model::Schema;
    use crate::model::Value;

    fn schema() -> Schema {
        Entry::<LastUsedIps>::new().schema().clone()
    }

    fn state(config: &Value, key: &str, service: &str, list: &Listing<IpUsage>) -> Value {
        listing::state_of::<LastUsedIps, _>(config, key, service, list)
    }

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
                    used_timestamp: Some(crate::usage::UsedTimestamp::fixture(1_714_552_202_000)),
                    ..Default::default()
                },
                IpUsage {
                    ip: "10.0.0.1".into(),
                    used_timestamp: Some(crate::usage::UsedTimestamp::fixture(1_714_552_201_000)),
                    ..Default::default()
                },
            ],
            pages: 1,
            truncated: true,
            request_ids: vec!["R1".into()],
        };
        let st = state(&config, "LTAI5tManyIps0000000001", "Ecs", &list);
        crate::model::msgpack::encode(&st, schema().value_type()).expect("conforms");
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
            Some(&Value::string("2024-05-01T08:30:02Z"))
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
