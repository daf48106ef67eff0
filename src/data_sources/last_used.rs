//! `actiontrail_accesskey_last_used`: when, where and for what a key was last used
//! (GetAccessKeyLastUsedInfo), with the rotation gate `fail_if_used_within`.

use crate::actiontrail::diagnostic::About;
use crate::actiontrail::{last_used_info, Client};
use crate::actiontrail::{AccessKeyLastUsedInfo, Event};
use crate::data_sources::key::AccessKeyId;
use crate::data_sources::key::{self, Keyed};
use crate::data_sources::uses;
use crate::framework::args::{Argument, At, Reads};
use crate::framework::attribute::{Field, Fields};
use crate::framework::data_source::DataSource;
use crate::model::{AttributePath, Diagnostic, Type, Value};
use crate::usage::duration;
use crate::usage::EpochMs;
use crate::usage::{self, Used, FRESHNESS_NOTE};
use std::time::Duration;

/// The data source.
pub struct LastUsed;

/// The gate argument's name.
pub const FAIL_IF_USED_WITHIN: &str = "fail_if_used_within";

/// ActionTrail's coverage: a window longer than this cannot see the use it is about.
const COVERAGE: Duration = Duration::from_secs(400 * 86_400);

/// The configuration, checked.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// The key.
    pub key: AccessKeyId,
    /// The rotation gate, when set.
    pub gate: Option<Gate>,
}

/// `fail_if_used_within`, parsed.
#[derive(Clone, Debug, PartialEq)]
pub struct Gate {
    /// As written, e.g. `30d`.
    pub text: String,
    /// The window.
    pub window: Duration,
}

/// What a read found: the key's last use, and when it was read.
#[derive(Clone, Debug, PartialEq)]
pub struct LastUse {
    /// The key.
    pub key: AccessKeyId,
    /// GetAccessKeyLastUsedInfo's answer, its time and event worked out.
    pub used: Used<AccessKeyLastUsedInfo>,
    /// The time of reading, epoch milliseconds.
    pub now: EpochMs,
}

impl Keyed for LastUse {
    fn access_key_id(&self) -> &AccessKeyId {
        &self.key
    }
}

impl LastUse {
    fn info(&self) -> &AccessKeyLastUsedInfo {
        &self.used.of
    }
}

fn info(
    name: &'static str,
    description: &'static str,
    f: fn(&AccessKeyLastUsedInfo) -> &Option<String>,
) -> Field<LastUse> {
    Field::computed(name, Type::String, description, move |a: &LastUse| {
        Value::opt_string(f(a.info()).clone())
    })
}

/// `fail_if_used_within`, the data source's, the ephemeral gate's and (required there)
/// the action's: a window ActionTrail can see.
pub(crate) const GATE: Argument<Gate> = Argument::new(
    FAIL_IF_USED_WITHIN,
    "Rotation gate: fail the plan, pointing here, if the key was used more recently than this: a duration such as `30d`, `720h`, `2w`, or a number of days.",
    Reads::Text(check_gate),
);

fn check_gate(text: &str, at: &mut At<'_>) -> Option<Gate> {
    let window = match duration::parse_window(text) {
        Ok(w) => w,
        Err(e) => return at.invalid(format!("fail_if_used_within {e}.")),
    };
    if window > COVERAGE {
        at.warn(
            "fail_if_used_within reaches beyond ActionTrail's records",
            format!("fail_if_used_within is {}, but ActionTrail keeps at most 400 days of AccessKey use: older use cannot fail the gate.", duration::describe(window)),
        );
    }
    Some(Gate {
        text: text.to_owned(),
        window,
    })
}

#[async_trait::async_trait]
impl DataSource for LastUsed {
    type Client = Client;
    type Config = Config;
    type Answer = LastUse;

    const TYPE_NAME: &'static str = "actiontrail_accesskey_last_used";
    const DESCRIPTION: &'static str = "When, where and for what an AccessKey was last used, from ActionTrail's GetAccessKeyLastUsedInfo; with `fail_if_used_within`, a rotation gate that fails the plan while the key is still in use.";
    const GUIDE: &'static str = "\n## The rotation gate\n\nWith `fail_if_used_within`, a read that finds the key used more recently than the window fails the plan with an error pointing at the argument. It names the key, the service, IP and region of the last use, how long ago it was and when, and what to do: keep the key until it has been idle that long, or remove the gate. A key never used, or last used before the window, passes. \"Never used\" is only a well-formed answer about the asked key that reports no use (no UsedTimestamp, or null or 0): an answer that is not ActionTrail's (`200 {}`, HTML, a cut body, a redirect, an answer about another key) fails the plan instead, so the gate never passes on it.\n";

    fn fields() -> Fields<LastUse> {
        Fields::new()
            .with(key::ACCESS_KEY.field())
            .with(GATE.field())
            .with(key::id())
            .with(Field::computed("request_id", Type::String, "Request ID of the GetAccessKeyLastUsedInfo call.", |a: &LastUse| Value::string(a.info().request_id.clone())))
            .with(info("account_id", "The Alibaba Cloud account that owns the key (AccountId).", |i| &i.account_id))
            .with(info("account_type", "`root-account` or `ram-user` (AccountType).", |i| &i.account_type))
            .with(info("owner_id", "The key's owner ID (OwnerId).", |i| &i.owner_id))
            .with(info("user_name", "The RAM user owning the key, for a RAM user's key (UserName).", |i| &i.user_name))
            .with(info("service_name", "Code name of the service the key last called, e.g. `Ecs` (ServiceName); null when never used.", |i| &i.service_name))
            .with(info("service_name_cn", "The service's Chinese display name (ServiceNameCn).", |i| &i.service_name_cn))
            .with(info("service_name_en", "The service's English display name (ServiceNameEn).", |i| &i.service_name_en))
            .with(info("source", "How ActionTrail recorded the use: Internal, ManagementEvent or DataEvent (Source).", |i| &i.source))
            .with(info("detail", "The raw ActionTrail event of the last use, a JSON string (Detail).", |i| &i.detail))
            .with(Field::computed("used_timestamp", Type::Number, "When the key was last used, epoch milliseconds (UsedTimestamp); null when never used.", |a: &LastUse| Value::opt_int(a.used.ms.map(usage::UsedTimestamp::ms))))
            .with(Field::computed("last_used_at", Type::String, "When the key was last used, RFC 3339 in UTC (for `timecmp`); null when never used.", |a: &LastUse| a.used.last_used_at()))
            .with(Field::computed("event", usage::event_type(), usage::EVENT_DESCRIPTION, |a: &LastUse| usage::event_value(a.used.event.as_ref())))
            .with(Field::computed("used", Type::Bool, "Whether ActionTrail has any record of the key being used.", |a: &LastUse| Value::Bool(a.used.ms.is_some())))
            .with(Field::computed("days_since_last_used", Type::Number, "Whole days from the last use to the time of reading; null when never used.", |a: &LastUse| Value::opt_int(a.used.ms.map(|t| t.whole_days(a.now)))))
            .with(Field::computed("last_used_service", Type::String, "The service of the last use (same as service_name); null when never used.", |a: &LastUse| {
                Value::opt_string(a.used.ms.and(a.info().service_name.clone()))
            }))
            .with(Field::computed("last_used_ip", Type::String, "The IP the key was last used from, from the event; null when unknown.", |a: &LastUse| a.used.event_field(|e| e.source_ip_address.as_ref())))
            .with(Field::computed("last_used_region", Type::String, "The region the key was last used in, from the event; null when unknown.", |a: &LastUse| a.used.event_field(|e| e.acs_region.as_ref())))
            .with(uses::freshness_note())
    }

    fn parse(config: &Value, diags: &mut Vec<Diagnostic>) -> Option<Config> {
        let key = key::ACCESS_KEY.get(config, diags);
        let gate = GATE.optional(config, diags);
        Some(Config {
            key: key?,
            gate: gate?,
        })
    }

    async fn read(client: &Client, config: &Config) -> Result<LastUse, Diagnostic> {
        tracing::debug!(
            access_key_id = %config.key,
            "reading actiontrail_accesskey_last_used"
        );
        let key = &config.key;
        let info = client
            .diagnosed(
                last_used_info::ACTION,
                About::Key(key.as_str()),
                client.get_access_key_last_used_info(key),
            )
            .await?;
        Ok(LastUse {
            key: config.key.clone(),
            used: Used::new(info),
            now: EpochMs::now(),
        })
    }

    fn check(config: &Config, answer: &LastUse) -> Vec<Diagnostic> {
        let (Some(g), Some(used)) = (&config.gate, answer.used.ms) else {
            return Vec::new();
        };
        let event: Option<&Event> = answer.used.event.as_ref();
        let recent = RecentUse {
            key: config.key.as_str(),
            window_text: &g.text,
            window: g.window,
            used,
            now: answer.now,
            service: answer
                .info()
                .service_name
                .as_deref()
                .or(event.and_then(|e| e.service_name.as_deref())),
            ip: event.and_then(|e| e.source_ip_address.as_deref()),
            region: event.and_then(|e| e.acs_region.as_deref()),
            action: event.and_then(|e| e.event_name.as_deref()),
        };
        let found = gate(&recent);
        if found.is_some() {
            tracing::info!(
                access_key_id = %config.key,
                window = %g.text,
                "rotation gate: key used within the window"
            );
        }
        found.into_iter().collect()
    }
}

/// What the gate reports when a key was used within its window.
#[derive(Clone, Debug, PartialEq)]
pub struct RecentUse<'a> {
    /// The key.
    pub key: &'a str,
    /// The gate as written, e.g. `30d`.
    pub window_text: &'a str,
    /// The gate's window.
    pub window: Duration,
    /// When the key was last used.
    pub used: usage::UsedTimestamp,
    /// The time of reading, epoch milliseconds.
    pub now: EpochMs,
    /// The service used.
    pub service: Option<&'a str>,
    /// The caller's IP.
    pub ip: Option<&'a str>,
    /// The region.
    pub region: Option<&'a str>,
    /// The API action.
    pub action: Option<&'a str>,
}

/// The gate: an error at `fail_if_used_within` when the key was used within the window.
pub fn gate(u: &RecentUse<'_>) -> Option<Diagnostic> {
    let ago = u.used.elapsed(u.now);
    if ago >= u.window {
        return None;
    }
    let when = u.used.rfc3339();
    let ago_text = duration::describe(ago);
    let action = u
        .action
        .map(|a| format!(", calling {a}"))
        .unwrap_or_default();
    let detail = format!(
        "AccessKey {key} was last used {ago_text} ago, at {when}: service {service}{action}, from IP {ip}, in region {region}. \
         That is within fail_if_used_within = \"{window_text}\", so something still uses this key, and retiring it now would break that.\n\n\
         Move that caller to a new key, then keep the key until it has been idle for {window} (another {left} at the earliest), or remove the gate (fail_if_used_within) to proceed anyway.\n\n{FRESHNESS_NOTE}",
        key = u.key,
        service = u.service.unwrap_or("(not recorded)"),
        ip = u.ip.unwrap_or("(not recorded)"),
        region = u.region.unwrap_or("(not recorded)"),
        window_text = u.window_text,
        window = duration::describe(u.window),
        left = duration::describe(u.window.saturating_sub(ago)),
    );
    Some(
        Diagnostic::error(
            format!(
                "AccessKey {} was used {ago_text} ago, within {}",
                u.key, u.window_text
            ),
            detail,
        )
        .at(AttributePath::root("fail_if_used_within")),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::data_source::{Entry, Registered as _};
    use crate::model::Schema;

    fn schema() -> Schema {
        Entry::<LastUsed>::new().schema().clone()
    }

    fn state(config: &Value, info: &AccessKeyLastUsedInfo, now_ms: i64) -> Value {
        let answer = LastUse {
            key: AccessKeyId::listed(
                config
                    .get(key::ACCESS_KEY_ID)
                    .and_then(Value::as_str)
                    .unwrap_or_default(),
            ),
            used: Used::new(info.clone()),
            now: EpochMs::new(now_ms),
        };
        Entry::<LastUsed>::new().state(config, &answer)
    }

    fn validate(config: &Value) -> Vec<Diagnostic> {
        Entry::<LastUsed>::new().validate(config)
    }

    const DAY: i64 = 86_400_000;
    const USED: i64 = 1_714_552_200_000; // 2024-05-01T08:30:00Z

    fn config(key: &str, gate: Option<&str>) -> Value {
        Value::object([
            ("access_key_id", Value::string(key)),
            ("fail_if_used_within", Value::opt_string(gate)),
        ])
    }

    fn recent_info() -> AccessKeyLastUsedInfo {
        AccessKeyLastUsedInfo {
            request_id: "REQ-1".into(),
            access_key_id: Some("LTAI5tRecentUse000000001".into()),
            account_id: Some("1234567890123456".into()),
            account_type: Some("ram-user".into()),
            owner_id: Some("1234567890123456".into()),
            user_name: Some("deployer".into()),
            service_name: Some("Ecs".into()),
            service_name_cn: Some("云服务器ECS".into()),
            service_name_en: Some("Elastic Compute Service".into()),
            source: Some("ManagementEvent".into()),
            detail: Some(r#"{"eventName":"DescribeInstances","sourceIpAddress":"203.0.113.7","acsRegion":"cn-shanghai","isGlobal":false,"userIdentity":{"type":"ram-user","userName":"deployer","accessKeyId":"LTAI5tRecentUse000000001"}}"#.into()),
            used_timestamp: Some(usage::UsedTimestamp::fixture(USED)),
        }
    }

    fn conforms(v: &Value) {
        crate::model::msgpack::encode(v, schema().value_type())
            .expect("state conforms to the schema");
        assert!(v.is_wholly_known());
    }

    #[test]
    fn a_used_key_maps_every_field_and_derives_time_ip_and_region() {
        let st = state(
            &config("LTAI5tRecentUse000000001", None),
            &recent_info(),
            USED + 3 * DAY + 5,
        );
        conforms(&st);
        assert_eq!(
            st.get("id"),
            Some(&Value::string("LTAI5tRecentUse000000001"))
        );
        assert_eq!(st.get("used"), Some(&Value::Bool(true)));
        assert_eq!(st.get("used_timestamp"), Some(&Value::int(USED)));
        assert_eq!(
            st.get("last_used_at"),
            Some(&Value::string("2024-05-01T08:30:00Z"))
        );
        assert_eq!(st.get("days_since_last_used"), Some(&Value::int(3)));
        assert_eq!(st.get("last_used_ip"), Some(&Value::string("203.0.113.7")));
        assert_eq!(
            st.get("last_used_region"),
            Some(&Value::string("cn-shanghai"))
        );
        assert_eq!(st.get("last_used_service"), Some(&Value::string("Ecs")));
        assert_eq!(
            st.get("event").and_then(|e| e.get("event_name")),
            Some(&Value::string("DescribeInstances"))
        );
        assert_eq!(st.get("request_id"), Some(&Value::string("REQ-1")));
    }

    #[test]
    fn a_never_used_key_is_unused_with_null_times() {
        let info = AccessKeyLastUsedInfo {
            request_id: "REQ-2".into(),
            ..Default::default()
        };
        let st = state(&config("LTAI5tNeverUsed00000001", Some("30d")), &info, USED);
        conforms(&st);
        assert_eq!(st.get("used"), Some(&Value::Bool(false)));
        for attr in [
            "used_timestamp",
            "last_used_at",
            "days_since_last_used",
            "event",
            "last_used_ip",
            "last_used_service",
        ] {
            assert_eq!(st.get(attr), Some(&Value::Null), "{attr}");
        }
        assert_eq!(st.get("fail_if_used_within"), Some(&Value::string("30d")));
    }

    #[test]
    fn invalid_detail_json_leaves_the_event_null_but_keeps_the_raw_text() {
        let info = AccessKeyLastUsedInfo {
            detail: Some("{not json".into()),
            ..recent_info()
        };
        let st = state(&config("LTAI5tRecentUse000000001", None), &info, USED);
        conforms(&st);
        assert_eq!(st.get("event"), Some(&Value::Null));
        assert_eq!(st.get("last_used_ip"), Some(&Value::Null));
        assert_eq!(st.get("detail"), Some(&Value::string("{not json")));
        assert_eq!(st.get("used"), Some(&Value::Bool(true)));
    }

    fn recent(now: i64) -> RecentUse<'static> {
        RecentUse {
            key: "LTAI5tRecentUse000000001",
            window_text: "30d",
            window: Duration::from_secs(30 * 86_400),
            used: usage::UsedTimestamp::fixture(USED),
            now: EpochMs::new(now),
            service: Some("Ecs"),
            ip: Some("203.0.113.7"),
            region: Some("cn-shanghai"),
            action: Some("DescribeInstances"),
        }
    }

    #[test]
    fn the_gate_names_key_service_ip_region_age_time_and_the_way_out() {
        let d = gate(&recent(USED + 2 * DAY + 3_600_000)).expect("fires");
        assert_eq!(d.severity, crate::model::Severity::Error);
        assert_eq!(
            d.attribute,
            Some(AttributePath::root("fail_if_used_within"))
        );
        let text = format!("{}\n{}", d.summary, d.detail);
        for needle in [
            "LTAI5tRecentUse000000001",
            "Ecs",
            "203.0.113.7",
            "cn-shanghai",
            "2 days 1 hour ago",
            "2024-05-01T08:30:00Z",
            "DescribeInstances",
            "idle for 30 days",
            "another 27 days 23 hours",
            "remove the gate",
        ] {
            assert!(text.contains(needle), "{needle}: {text}");
        }
    }

    #[test]
    fn the_gate_passes_use_older_than_the_window() {
        assert_eq!(gate(&recent(USED + 30 * DAY)), None);
        assert_eq!(gate(&recent(USED + 400 * DAY)), None);
        assert!(gate(&recent(USED + 30 * DAY - 1000)).is_some());
    }

    #[test]
    fn the_gate_says_what_was_not_recorded() {
        let u = RecentUse {
            ip: None,
            region: None,
            action: None,
            ..recent(USED + DAY)
        };
        let d = gate(&u).unwrap();
        assert!(d.detail.contains("from IP (not recorded)"), "{}", d.detail);
    }

    #[test]
    fn fail_if_used_within_is_checked_at_its_path_and_unknowns_pass() {
        let d = validate(&config("LTAI5tRecentUse000000001", Some("soon")));
        assert_eq!(d.len(), 1);
        assert_eq!(
            d[0].attribute,
            Some(AttributePath::root("fail_if_used_within"))
        );
        assert!(d[0].detail.contains("fail_if_used_within"));
        assert!(validate(&config("LTAI5tRecentUse000000001", Some("30d"))).is_empty());
        assert!(validate(&config("LTAI5tRecentUse000000001", Some("30"))).is_empty());
        let warn = validate(&config("LTAI5tRecentUse000000001", Some("1000d")));
        assert_eq!(warn.len(), 1);
        assert_eq!(warn[0].severity, crate::model::Severity::Warning);
        let unknown = Value::object([
            ("access_key_id", Value::Unknown),
            ("fail_if_used_within", Value::Unknown),
        ]);
        assert!(validate(&unknown).is_empty());
    }

    #[test]
    fn every_attribute_is_described() {
        for a in schema().block.attributes {
            assert!(!a.description.is_empty(), "{}", a.name);
        }
    }
}
