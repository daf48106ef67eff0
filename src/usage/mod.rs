//! What every data source reports about a use of a key: the timestamp in milliseconds and
//! as RFC 3339, the raw `Detail` and the ActionTrail event parsed from it.

pub mod duration;

use crate::actiontrail::{Event, Use, UserIdentity};
pub use crate::alibaba::decode::{EpochMs, UsedTimestamp, CLOCK_SKEW_MS};
use crate::model::{Type, Value};

/// The caveat every data source carries: ActionTrail lags and forgets.
pub const FRESHNESS_NOTE: &str = "ActionTrail records AccessKey use about an hour late and keeps at most 400 days of it (nothing before 2022-02-01): use in the last hour, or older than that, does not show here.";

/// `Detail` parsed into an event, only when it is a JSON object.
pub fn parse_event(detail: Option<&str>) -> Option<Event> {
    let text = detail?.trim_start();
    if !text.starts_with('{') {
        return None;
    }
    Event::parse(Some(text))
}

/// One member of an object the event is shown as: its name, its type and how it is read.
type Member<T> = (&'static str, Type, fn(&T) -> Value);

/// The members of the `user_identity` object inside `event`, each declared once for its
/// type and its value.
fn user_identity_members() -> [Member<UserIdentity>; 5] {
    [
        ("type", Type::String, |u| text(&u.kind)),
        ("user_name", Type::String, |u| text(&u.user_name)),
        ("account_id", Type::String, |u| text(&u.account_id)),
        ("principal_id", Type::String, |u| text(&u.principal_id)),
        ("access_key_id", Type::String, |u| text(&u.access_key_id)),
    ]
}

/// The members of the parsed `event` object, each declared once for its type and its
/// value.
fn event_members() -> [Member<Event>; 12] {
    [
        ("event_id", Type::String, |e| text(&e.event_id)),
        ("event_name", Type::String, |e| text(&e.event_name)),
        ("event_source", Type::String, |e| text(&e.event_source)),
        ("event_time", Type::String, |e| text(&e.event_time)),
        ("event_type", Type::String, |e| text(&e.event_type)),
        ("source_ip_address", Type::String, |e| {
            text(&e.source_ip_address)
        }),
        ("acs_region", Type::String, |e| text(&e.acs_region)),
        ("service_name", Type::String, |e| text(&e.service_name)),
        ("request_id", Type::String, |e| text(&e.request_id)),
        ("api_version", Type::String, |e| text(&e.api_version)),
        ("is_global", Type::Bool, |e| {
            e.is_global.map_or(Value::Null, Value::Bool)
        }),
        ("user_identity", user_identity_type(), |e| {
            let identity = e.user_identity.as_ref();
            identity.map_or(Value::Null, |u| members_value(user_identity_members(), u))
        }),
    ]
}

/// A member that is text, null when absent.
fn text(member: &Option<String>) -> Value {
    Value::opt_string(member.clone())
}

fn members_type<T, const N: usize>(members: [Member<T>; N]) -> Type {
    Type::object(members.map(|(name, ty, _)| (name, ty)))
}

fn members_value<T, const N: usize>(members: [Member<T>; N], of: &T) -> Value {
    Value::object(members.map(|(name, _, get)| (name, get(of))))
}

/// The type of the `user_identity` object inside `event`.
pub fn user_identity_type() -> Type {
    members_type(user_identity_members())
}

/// The type of the parsed `event` object.
pub fn event_type() -> Type {
    members_type(event_members())
}

/// The `event` attribute's description.
pub const EVENT_DESCRIPTION: &str = "The ActionTrail event parsed from `detail` (event_id, event_name, event_source, event_time, event_type, source_ip_address, acs_region, service_name, request_id, api_version, is_global, user_identity); null when there is no detail or it is not a JSON object.";

/// The `event` value: an object of [`event_type`], or null.
pub fn event_value(event: Option<&Event>) -> Value {
    event.map_or(Value::Null, |e| members_value(event_members(), e))
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
    use std::time::Duration;

    fn rfc3339(ms: i64) -> Option<String> {
        EpochMs::new(ms).rfc3339()
    }

    fn whole_days(ms: i64, now: i64) -> i64 {
        EpochMs::new(ms).whole_days(EpochMs::new(now))
    }

    fn elapsed(ms: i64, now: i64) -> Duration {
        EpochMs::new(ms).elapsed(EpochMs::new(now))
    }

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
            at(1_714_552_200_000).whole_days(EpochMs::new(1_714_552_200_000 + 3 * 86_400_000 - 1)),
            2
        );
        assert_eq!(
            at(1_714_552_200_000).elapsed(EpochMs::new(0)),
            Duration::ZERO
        );
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
