//! What every data source reports about a use of a key: the timestamp in milliseconds and
//! as RFC 3339, the raw `Detail` and the ActionTrail event parsed from it.

pub mod duration;

use crate::actiontrail::{Event, Use, UserIdentity};
pub use crate::alibaba::decode::UsedTimestamp;
use crate::model::{Type, Value};
use std::time::Duration;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// The caveat every data source carries: ActionTrail lags and forgets.
pub const FRESHNESS_NOTE: &str = "ActionTrail records AccessKey use about an hour late and keeps at most 400 days of it (nothing before 2022-02-01): use in the last hour, or older than that, does not show here.";

/// Epoch milliseconds as RFC 3339 in UTC (`2024-05-01T08:30:00Z`, with a fraction only
/// when the milliseconds are not zero); `None` for times RFC 3339 cannot spell.
pub fn rfc3339(ms: i64) -> Option<String> {
    let t = OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).ok()?;
    t.format(&Rfc3339).ok()
}

/// How long ago `ms` was, as of `now_ms`; zero for times in the future (clock skew).
pub fn elapsed(ms: i64, now_ms: i64) -> Duration {
    Duration::from_millis(u64::try_from(now_ms.saturating_sub(ms)).unwrap_or(0))
}

/// Whole days from `ms` to `now_ms`, never negative.
pub fn whole_days(ms: i64, now_ms: i64) -> i64 {
    (now_ms.saturating_sub(ms) / 86_400_000).max(0)
}

/// The current time in epoch milliseconds.
pub fn now_ms() -> i64 {
    i64::try_from(OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

/// `Detail` parsed into an event, only when it is a JSON object.
pub fn parse_event(detail: Option<&str>) -> Option<Event> {
    let text = detail?.trim_start();
    if !text.starts_with('{') {
        return None;
    }
    Event::parse(Some(text))
}

/// The type of the `user_identity` object inside `event`.
pub fn user_identity_type() -> Type {
    Type::object([
        ("type", Type::String),
        ("user_name", Type::String),
        ("account_id", Type::String),
        ("principal_id", Type::String),
        ("access_key_id", Type::String),
    ])
}

/// The type of the parsed `event` object.
pub fn event_type() -> Type {
    Type::object([
        ("event_id", Type::String),
        ("event_name", Type::String),
        ("event_source", Type::String),
        ("event_time", Type::String),
        ("event_type", Type::String),
        ("source_ip_address", Type::String),
        ("acs_region", Type::String),
        ("service_name", Type::String),
        ("request_id", Type::String),
        ("api_version", Type::String),
        ("is_global", Type::Bool),
        ("user_identity", user_identity_type()),
    ])
}

/// The `event` attribute's description.
pub const EVENT_DESCRIPTION: &str = "The ActionTrail event parsed from `detail` (event_id, event_name, event_source, event_time, event_type, source_ip_address, acs_region, service_name, request_id, api_version, is_global, user_identity); null when there is no detail or it is not a JSON object.";

fn user_identity_value(u: &UserIdentity) -> Value {
    Value::object([
        ("type", Value::opt_string(u.kind.clone())),
        ("user_name", Value::opt_string(u.user_name.clone())),
        ("account_id", Value::opt_string(u.account_id.clone())),
        ("principal_id", Value::opt_string(u.principal_id.clone())),
        ("access_key_id", Value::opt_string(u.access_key_id.clone())),
    ])
}

/// The `event` value: an object of [`event_type`], or null.
pub fn event_value(event: Option<&Event>) -> Value {
    let Some(e) = event else {
        return Value::Null;
    };
    Value::object([
        ("event_id", Value::opt_string(e.event_id.clone())),
        ("event_name", Value::opt_string(e.event_name.clone())),
        ("event_source", Value::opt_string(e.event_source.clone())),
        ("event_time", Value::opt_string(e.event_time.clone())),
        ("event_type", Value::opt_string(e.event_type.clone())),
        (
            "source_ip_address",
            Value::opt_string(e.source_ip_address.clone()),
        ),
        ("acs_region", Value::opt_string(e.acs_region.clone())),
        ("service_name", Value::opt_string(e.service_name.clone())),
        ("request_id", Value::opt_string(e.request_id.clone())),
        ("api_version", Value::opt_string(e.api_version.clone())),
        ("is_global", e.is_global.map_or(Value::Null, Value::Bool)),
        (
            "user_identity",
            e.user_identity
                .as_ref()
                .map_or(Value::Null, user_identity_value),
        ),
    ])
}

/// One use with what every attribute derives from it, worked out once: the time (`None`
/// for never) and the event parsed from `Detail`.
#[derive(Clone, Debug, PartialEq)]
pub struct Used<T> {
    /// The record as the API returned it.
    pub of: T,
    /// When; `None` for never.
    pub ms: Option<UsedTimestamp>,
    /// The event parsed from `Detail`.
    pub event: Option<Event>,
}

impl<T: Use> Used<T> {
    /// `record`, with its time and event worked out.
    pub fn new(record: T) -> Used<T> {
        Used {
            ms: record.used_timestamp(),
            event: parse_event(record.detail()),
            of: record,
        }
    }

    /// A field of the event, when there is one.
    pub fn event_field(&self, f: fn(&Event) -> Option<&String>) -> Value {
        Value::opt_string(self.event.as_ref().and_then(f).cloned())
    }

    /// When, as RFC 3339.
    pub fn last_used_at(&self) -> Value {
        Value::opt_string(self.ms.map(UsedTimestamp::rfc3339))
    }
}

/// The latest of some times of use, as RFC 3339.
pub fn most_recent<I: IntoIterator<Item = Option<UsedTimestamp>>>(timestamps: I) -> Value {
    let latest = timestamps.into_iter().flatten().max();
    Value::opt_string(latest.map(UsedTimestamp::rfc3339))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_become_rfc3339_utc_with_a_fraction_only_when_needed() {
        assert_eq!(
            rfc3339(1_714_552_200_000).as_deref(),
            Some("2024-05-01T08:30:00Z")
        );
        assert_eq!(
            rfc3339(1_714_552_200_120).as_deref(),
            Some("2024-05-01T08:30:00.12Z")
        );
        assert_eq!(rfc3339(i64::MAX), None);
        assert_eq!(rfc3339(i64::MIN), None);
    }

    #[test]
    fn the_latest_use_wins_and_none_is_never() {
        let at = UsedTimestamp::fixture;
        assert_eq!(most_recent([None, None]), Value::Null);
        assert_eq!(
            most_recent([
                Some(at(1_714_552_200_000)),
                None,
                Some(at(1_714_552_100_000))
            ]),
            Value::string("2024-05-01T08:30:00Z")
        );
        assert_eq!(at(1_714_552_200_120).rfc3339(), "2024-05-01T08:30:00.12Z");
        assert_eq!(
            at(1_714_552_200_000).whole_days(1_714_552_200_000 + 3 * 86_400_000 - 1),
            2
        );
        assert_eq!(at(1_714_552_200_000).elapsed(0), Duration::ZERO);
    }

    #[test]
    fn days_are_whole_and_never_negative() {
        let day = 86_400_000;
        assert_eq!(whole_days(0, 3 * day - 1), 2);
        assert_eq!(whole_days(0, 3 * day), 3);
        assert_eq!(whole_days(5 * day, 0), 0);
        assert_eq!(whole_days(i64::MIN, i64::MAX), i64::MAX / day);
        assert_eq!(elapsed(10, 0), Duration::ZERO);
    }

    #[test]
    fn invalid_or_non_object_detail_yields_no_event() {
        assert_eq!(parse_event(None), None);
        assert_eq!(parse_event(Some("not json")), None);
        assert_eq!(parse_event(Some("[]")), None);
        assert_eq!(parse_event(Some("{\"eventName\": 3}")), None);
        assert_eq!(event_value(None), Value::Null);
        let e = parse_event(Some(r#"{"eventName":"DescribeInstances","isGlobal":false,"userIdentity":{"type":"ram-user"}}"#)).unwrap();
        let v = event_value(Some(&e));
        assert_eq!(
            v.get("event_name"),
            Some(&Value::string("DescribeInstances"))
        );
        assert_eq!(v.get("is_global"), Some(&Value::Bool(false)));
        assert_eq!(
            v.get("user_identity").and_then(|u| u.get("type")),
            Some(&Value::string("ram-user"))
        );
        assert_eq!(v.get("acs_region"), Some(&Value::Null));
    }
}
