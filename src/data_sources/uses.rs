//! The attributes every data source reports about a use of a key, declared once: a use's
//! time, how it was recorded and its event (`item_fields`), the latest use of a list, the
//! count of a list and the freshness note.

use crate::actiontrail::Use;
use crate::framework::attribute::Field;
use crate::model::{Type, Value};
use crate::usage::{event_type, event_value, most_recent, Used, UsedTimestamp, FRESHNESS_NOTE};
use std::borrow::Cow;

/// The fields every list item shares, after its own: the use's time, how it was recorded
/// and its event.
pub fn item_fields<T: Use + 'static>() -> [Field<Used<T>>; 8] {
    [
        Field::computed(
            "used_timestamp",
            Type::Number,
            "When, in epoch milliseconds (UsedTimestamp).",
            |u: &Used<T>| Value::opt_int(u.ms.map(UsedTimestamp::ms)),
        ),
        Field::computed(
            "last_used_at",
            Type::String,
            "When, as RFC 3339 in UTC; null when unknown.",
            |u: &Used<T>| u.last_used_at(),
        ),
        Field::computed(
            "source",
            Type::String,
            "How ActionTrail recorded the use: Internal, ManagementEvent or DataEvent.",
            |u: &Used<T>| Value::opt_string(u.of.source()),
        ),
        Field::computed(
            "detail",
            Type::String,
            "The raw ActionTrail event, a JSON string (Detail).",
            |u: &Used<T>| Value::opt_string(u.of.detail()),
        ),
        Field::computed(
            "event",
            event_type(),
            "The event parsed from detail; null when absent or invalid.",
            |u: &Used<T>| event_value(u.event.as_ref()),
        ),
        Field::computed(
            "event_name",
            Type::String,
            "The API action called, from the event (e.g. DescribeInstances).",
            |u: &Used<T>| u.event_field(|e| e.event_name.as_ref()),
        ),
        Field::computed(
            "source_ip_address",
            Type::String,
            "The caller's IP, from the event.",
            |u: &Used<T>| u.event_field(|e| e.source_ip_address.as_ref()),
        ),
        Field::computed(
            "acs_region",
            Type::String,
            "The region called, from the event.",
            |u: &Used<T>| u.event_field(|e| e.acs_region.as_ref()),
        ),
    ]
}

/// `most_recent_used_at`: the latest use among `items(answer)`.
pub fn most_recent_used_at<A: 'static, T: 'static>(
    description: impl Into<Cow<'static, str>>,
    items: fn(&A) -> &[Used<T>],
) -> Field<A> {
    Field::computed(
        "most_recent_used_at",
        Type::String,
        description,
        move |a: &A| most_recent(items(a).iter().map(|u| u.ms)),
    )
}

/// A list attribute of each of `items(answer)`'s `name` alone, in their order
/// (`addresses`, `event_names`, `service_names`).
pub fn names<A: 'static, T: 'static>(
    list: &'static str,
    description: &'static str,
    items: fn(&A) -> &[Used<T>],
    name: fn(&T) -> &String,
) -> Field<A> {
    Field::computed(list, Type::list(Type::String), description, move |a: &A| {
        Value::List(
            items(a)
                .iter()
                .map(|u| Value::string(name(&u.of).clone()))
                .collect(),
        )
    })
}

/// `data_freshness_note`: what no answer can show.
pub fn freshness_note<A>() -> Field<A> {
    Field::computed(
        "data_freshness_note",
        Type::String,
        "What this answer cannot show: ActionTrail lags about an hour and keeps at most 400 days (nothing before 2022-02-01).",
        |_: &A| Value::string(FRESHNESS_NOTE),
    )
}

/// A count of the items of a list: `name` is `ip_count`, `product_count`, ...
pub fn count<A: 'static, T: 'static>(
    name: &'static str,
    description: &'static str,
    items: fn(&A) -> &[T],
) -> Field<A> {
    Field::computed(name, Type::Number, description, move |a: &A| {
        Value::int(items(a).len() as i64)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actiontrail::IpUsage;
    use crate::framework::attribute::Fields;

    #[test]
    fn item_values_conform_to_item_type() {
        let item = Fields::new()
            .with(Field::computed(
                "ip",
                Type::String,
                "the IP address",
                |u: &Used<IpUsage>| Value::string(u.of.ip.clone()),
            ))
            .and(item_fields());
        let ty = item.ty();
        let v = item.value(&Used::new(IpUsage {
            ip: "10.0.0.1".into(),
            used_timestamp: Some(UsedTimestamp::fixture(1_714_552_200_000)),
            source: Some("ManagementEvent".into()),
            detail: Some("{\"sourceIpAddress\":\"10.0.0.1\"}".into()),
        }));
        crate::model::msgpack::encode(&v, &ty).expect("conforms");
        assert_eq!(v.get("source_ip_address"), Some(&Value::string("10.0.0.1")));
        assert_eq!(
            v.get("last_used_at"),
            Some(&Value::string("2024-05-01T08:30:00Z"))
        );
        let never = item.value(&Used::new(IpUsage {
            ip: "x".into(),
            ..Default::default()
        }));
        crate::model::msgpack::encode(&never, &ty).expect("conforms");
        assert_eq!(never.get("last_used_at"), Some(&Value::Null));
    }
}
