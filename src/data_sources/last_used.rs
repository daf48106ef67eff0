//! `actiontrail_accesskey_last_used`: when, where and for what a key was last used
//! (GetAccessKeyLastUsedInfo), with the rotation gate `fail_if_used_within`.

use super::api::Api;
use super::args::{self, Arg};
use super::usage::{self, FRESHNESS_NOTE};
use super::{duration, key, DataSource};
use crate::actiontrail::types::{AccessKeyLastUsedInfo, Event};
use crate::model::{Attribute, AttributePath, Block, Diagnostic, ReadResult, Schema, Type, Value};
use std::time::Duration;

/// The data source's type name.
pub const TYPE_NAME: &str = "actiontrail_accesskey_last_used";

/// The data source.
pub struct LastUsed;

/// ActionTrail's coverage: a window longer than this cannot see the use it is about.
const COVERAGE: Duration = Duration::from_secs(400 * 86_400);

fn computed(name: &str, ty: Type, description: &str) -> Attribute {
    Attribute::computed(name, ty, description)
}

/// The schema.
pub fn schema() -> Schema {
    Schema {
        version: 0,
        block: Block {
            attributes: vec![
                key::attribute(),
                Attribute::optional("fail_if_used_within", Type::String, "Rotation gate: fail the plan, pointing here, if the key was used more recently than this: a duration such as `30d`, `720h`, `2w`, or a number of days."),
                computed("id", Type::String, "The AccessKey ID."),
                computed("request_id", Type::String, "Request ID of the GetAccessKeyLastUsedInfo call."),
                computed("account_id", Type::String, "The Alibaba Cloud account that owns the key (AccountId)."),
                computed("account_type", Type::String, "`root-account` or `ram-user` (AccountType)."),
                computed("owner_id", Type::String, "The key's owner ID (OwnerId)."),
                computed("user_name", Type::String, "The RAM user owning the key, for a RAM user's key (UserName)."),
                computed("service_name", Type::String, "Code name of the service the key last called, e.g. `Ecs` (ServiceName); null when never used."),
                computed("service_name_cn", Type::String, "The service's Chinese display name (ServiceNameCn)."),
                computed("service_name_en", Type::String, "The service's English display name (ServiceNameEn)."),
                computed("source", Type::String, "How ActionTrail recorded the use: Internal, ManagementEvent or DataEvent (Source)."),
                computed("detail", Type::String, "The raw ActionTrail event of the last use, a JSON string (Detail)."),
                computed("used_timestamp", Type::Number, "When the key was last used, epoch milliseconds (UsedTimestamp); null when never used."),
                computed("last_used_at", Type::String, "When the key was last used, RFC 3339 in UTC (for `timecmp`); null when never used."),
                computed("event", usage::event_type(), usage::EVENT_DESCRIPTION),
                computed("used", Type::Bool, "Whether ActionTrail has any record of the key being used."),
                computed("days_since_last_used", Type::Number, "Whole days from the last use to the time of reading; null when never used."),
                computed("last_used_service", Type::String, "The service of the last use (same as service_name); null when never used."),
                computed("last_used_ip", Type::String, "The IP the key was last used from, from the event; null when unknown."),
                computed("last_used_region", Type::String, "The region the key was last used in, from the event; null when unknown."),
                computed("data_freshness_note", Type::String, "What this answer cannot show: ActionTrail lags about an hour and keeps at most 400 days (nothing before 2022-02-01)."),
            ],
            block_types: vec![],
            description: "When, where and for what an AccessKey was last used, from ActionTrail's GetAccessKeyLastUsedInfo; with `fail_if_used_within`, a rotation gate that fails the plan while the key is still in use.".to_owned(),
            deprecated: false,
        },
    }
}

/// Checks the configuration; unknowns pass.
pub fn validate(config: &Value) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    key::validate(config, &mut diags);
    let path = AttributePath::root("fail_if_used_within");
    match args::string(config, "fail_if_used_within", &path) {
        Ok(Arg::Known(text)) => match duration::parse_window(text) {
            Err(e) => diags.push(args::invalid("fail_if_used_within", &path, format!("fail_if_used_within {e}."))),
            Ok(window) if window > COVERAGE => diags.push(
                Diagnostic::warning(
                    "fail_if_used_within reaches beyond ActionTrail's records",
                    format!("fail_if_used_within is {}, but ActionTrail keeps at most 400 days of AccessKey use: older use cannot fail the gate.", duration::describe(window)),
                )
                .at(path),
            ),
            Ok(_) => {}
        },
        Ok(_) => {}
        Err(d) => diags.push(d),
    }
    diags
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
    /// When the key was last used, epoch milliseconds.
    pub used_ms: i64,
    /// The time of reading, epoch milliseconds.
    pub now_ms: i64,
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
    let ago = usage::elapsed(u.used_ms, u.now_ms);
    if ago >= u.window {
        return None;
    }
    let when =
        usage::rfc3339(u.used_ms).unwrap_or_else(|| format!("{} ms since the epoch", u.used_ms));
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

/// The state for `info`, read at `now_ms`; `config` supplies the arguments.
pub fn state(config: &Value, info: &AccessKeyLastUsedInfo, now_ms: i64) -> Value {
    let key = config.get("access_key_id").cloned().unwrap_or(Value::Null);
    let ms = usage::used_ms(info.used_timestamp);
    let event: Option<Event> = usage::parse_event(info.detail.as_deref());
    let ev =
        |f: fn(&Event) -> Option<&String>| Value::opt_string(event.as_ref().and_then(f).cloned());
    let s = |v: &Option<String>| Value::opt_string(v.clone());
    Value::object([
        ("access_key_id", key.clone()),
        (
            "fail_if_used_within",
            config
                .get("fail_if_used_within")
                .cloned()
                .unwrap_or(Value::Null),
        ),
        ("id", key),
        ("request_id", Value::string(info.request_id.clone())),
        ("account_id", s(&info.account_id)),
        ("account_type", s(&info.account_type)),
        ("owner_id", s(&info.owner_id)),
        ("user_name", s(&info.user_name)),
        ("service_name", s(&info.service_name)),
        ("service_name_cn", s(&info.service_name_cn)),
        ("service_name_en", s(&info.service_name_en)),
        ("source", s(&info.source)),
        ("detail", s(&info.detail)),
        ("used_timestamp", Value::opt_int(ms)),
        (
            "last_used_at",
            Value::opt_string(ms.and_then(usage::rfc3339)),
        ),
        ("event", usage::event_value(event.as_ref())),
        ("used", Value::Bool(ms.is_some())),
        (
            "days_since_last_used",
            Value::opt_int(ms.map(|ms| usage::whole_days(ms, now_ms))),
        ),
        (
            "last_used_service",
            if ms.is_some() {
                s(&info.service_name)
            } else {
                Value::Null
            },
        ),
        ("last_used_ip", ev(|e| e.source_ip_address.as_ref())),
        ("last_used_region", ev(|e| e.acs_region.as_ref())),
        ("data_freshness_note", Value::string(FRESHNESS_NOTE)),
    ])
}

#[async_trait::async_trait]
impl DataSource for LastUsed {
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
        tracing::debug!(
            access_key_id = key,
            "reading actiontrail_accesskey_last_used"
        );
        let info = match api.info(key).await {
            Ok(info) => info,
            Err(d) => return ReadResult::failed(d),
        };
        let now = usage::now_ms();
        let mut diagnostics = Vec::new();
        let window_text = config.get("fail_if_used_within").and_then(Value::as_str);
        if let (Some(text), Some(used_ms)) = (window_text, usage::used_ms(info.used_timestamp)) {
            match duration::parse_window(text) {
                Ok(window) => {
                    let event = usage::parse_event(info.detail.as_deref());
                    let recent = RecentUse {
                        key,
                        window_text: text,
                        window,
                        used_ms,
                        now_ms: now,
                        service: info
                            .service_name
                            .as_deref()
                            .or(event.as_ref().and_then(|e| e.service_name.as_deref())),
                        ip: event.as_ref().and_then(|e| e.source_ip_address.as_deref()),
                        region: event.as_ref().and_then(|e| e.acs_region.as_deref()),
                        action: event.as_ref().and_then(|e| e.event_name.as_deref()),
                    };
                    if let Some(d) = gate(&recent) {
                        tracing::info!(
                            access_key_id = key,
                            window = text,
                            "rotation gate: key used within the window"
                        );
                        diagnostics.push(d);
                    }
                }
                Err(e) => diagnostics.push(args::invalid(
                    "fail_if_used_within",
                    &AttributePath::root("fail_if_used_within"),
                    format!("fail_if_used_within {e}."),
                )),
            }
        }
        let failed = crate::model::diag::has_errors(&diagnostics);
        ReadResult {
            state: (!failed).then(|| state(config, &info, now)),
            diagnostics,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
            used_timestamp: Some(USED),
        }
    }

    fn conforms(v: &Value) {
        crate::model::msgpack::encode(v, &schema().block.value_type())
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
            used_ms: USED,
            now_ms: now,
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
