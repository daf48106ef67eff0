//! The hostile-answer suite: real Terraform runs the real plugin against an endpoint on
//! loopback that knows the gate key was used 2 days ago and distorts that answer the way an
//! attacker on the path or a broken endpoint would: the time in seconds, `1`, a repeated
//! member, a use without a time, a never-used answer padded past the body cap, RAM paging
//! that contradicts itself.
//!
//! For each distortion every gate (the data source's `fail_if_used_within`, the fleet's
//! `fail_if_any_used_within` over RAM discovery and over named keys, and the ephemeral gate
//! on 1.15.5) must fail the plan with a diagnostic naming what was wrong. None may pass.

use crate::support::{mock, terraform_block, Tf, Workspace};
use axum::extract::RawQuery;
use axum::http::StatusCode;
use axum::routing::any;
use axum::Router;
use std::collections::BTreeMap;
use time::format_description::well_known::Rfc3339;

const GATE: &str = "LTAI5tHostileGate0000001";
const OWNER: &str = "deployer";
const DAY_MS: i64 = 86_400_000;

/// How the endpoint distorts the truth (the gate key used 2 days ago).
#[derive(Clone, Copy, Debug)]
enum Distortion {
    /// `UsedTimestamp` in seconds: reads as January 1970.
    Seconds,
    /// `UsedTimestamp` 1.
    One,
    /// A second `UsedTimestamp` of 0 after the true one, and a second, empty `AccessKeys`
    /// in RAM's answer.
    Duplicates,
    /// `UsedTimestamp` 0 beside the `ServiceName`, `Source` and `Detail` of the use.
    UseWithoutTime,
    /// A never-used answer, 17 MiB of spaces, then the true answer.
    PaddedPastTheCap,
    /// ListUsers says `IsTruncated: false` but hands out a `Marker`; the gate key's owner is
    /// on the next page.
    ContradictoryPaging,
    /// `UsedTimestamp` 60 days ago, and the Detail event of 2 days ago with its `eventTime`
    /// spelt without its offset: dropped, it would leave the older use.
    EventTimeSpeltOtherwise,
    /// The use's members named in camel case (`usedTimestamp`, `serviceName`...): passed
    /// over, they would leave an answer without a use.
    MembersNamedApartFromCase,
    /// RAM lists the gate key under a second user too.
    KeyUnderTwoUsers,
    /// A byte that is not UTF-8 (0xFF) inside the name of each member that tells of the
    /// use: read with the byte replaced, the members would be ones the API does not define.
    BadByteInNames,
}

fn now_ms() -> i64 {
    i64::try_from(time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000).unwrap()
}

fn rfc3339(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(ms / 1000)
        .unwrap()
        .format(&Rfc3339)
        .unwrap()
}

/// The true Info answer's members, in order, with `UsedTimestamp` as given.
fn info_members(used_timestamp: &str, used_ms: i64) -> String {
    info_members_at(used_timestamp, &rfc3339(used_ms))
}

/// [`info_members`] with the Detail event's `eventTime` as given.
fn info_members_at(used_timestamp: &str, event_time: &str) -> String {
    let detail = serde_json::json!({
        "eventTime": event_time,
        "eventName": "DescribeInstances",
        "sourceIpAddress": "203.0.113.7",
        "serviceName": "Ecs",
    })
    .to_string();
    format!(
        r#""RequestId":"hostile-info","AccessKeyId":"{GATE}","AccountId":"1234567890","AccountType":"ram-user","UserName":"{OWNER}","ServiceName":"Ecs","Source":"ManagementEvent","Detail":{},"UsedTimestamp":{used_timestamp}"#,
        serde_json::Value::String(detail)
    )
}

/// Stands for the byte 0xFF in a body until it is sent (a `String` cannot hold it).
const BAD_BYTE: char = '\u{1}';

fn info(distortion: Distortion) -> String {
    let used = now_ms() - 2 * DAY_MS;
    match distortion {
        Distortion::Seconds => format!("{{{}}}", info_members(&(used / 1000).to_string(), used)),
        Distortion::One => format!("{{{}}}", info_members("1", used)),
        Distortion::Duplicates => format!(
            "{{{},\"UsedTimestamp\":0}}",
            info_members(&used.to_string(), used)
        ),
        Distortion::UseWithoutTime => format!("{{{}}}", info_members("0", used)),
        Distortion::PaddedPastTheCap => format!(
            "{{\"RequestId\":\"hostile-info\",\"AccessKeyId\":\"{GATE}\",\"AccountType\":\"ram-user\",\"UserName\":\"{OWNER}\"}}{}{{{}}}",
            " ".repeat(17 * 1024 * 1024),
            info_members(&used.to_string(), used)
        ),
        Distortion::ContradictoryPaging | Distortion::KeyUnderTwoUsers => {
            format!("{{{}}}", info_members(&used.to_string(), used))
        }
        Distortion::EventTimeSpeltOtherwise => format!(
            "{{{}}}",
            info_members_at(
                &(now_ms() - 60 * DAY_MS).to_string(),
                rfc3339(used).trim_end_matches('Z')
            )
        ),
        Distortion::BadByteInNames => {
            let mut members = info_members(&used.to_string(), used);
            for name in ["UsedTimestamp", "ServiceName", "Source", "Detail"] {
                let (head, tail) = name.split_at(2);
                members = members.replace(
                    &format!("\"{name}\""),
                    &format!("\"{head}{BAD_BYTE}{tail}\""),
                );
            }
            format!("{{{members}}}")
        }
        Distortion::MembersNamedApartFromCase => {
            let mut members = info_members(&used.to_string(), used);
            for name in ["UsedTimestamp", "ServiceName", "Source", "Detail"] {
                let camel = format!("{}{}", name[..1].to_lowercase(), &name[1..]);
                members = members.replace(&format!("\"{name}\""), &format!("\"{camel}\""));
            }
            format!("{{{members}}}")
        }
    }
}

fn list_users(distortion: Distortion, marker: Option<&str>) -> String {
    let user = |name: &str| format!(r#"{{"UserName":"{name}","UserId":"id-{name}"}}"#);
    match (distortion, marker) {
        (Distortion::ContradictoryPaging, None) => format!(
            r#"{{"RequestId":"users-1","IsTruncated":false,"Marker":"page-2","Users":{{"User":[{}]}}}}"#,
            user("idle-auditor")
        ),
        (Distortion::ContradictoryPaging, Some(_)) => format!(
            r#"{{"RequestId":"users-2","IsTruncated":false,"Users":{{"User":[{}]}}}}"#,
            user(OWNER)
        ),
        (Distortion::KeyUnderTwoUsers, _) => format!(
            r#"{{"RequestId":"users-1","IsTruncated":false,"Users":{{"User":[{},{}]}}}}"#,
            user(OWNER),
            user("second-owner")
        ),
        _ => format!(
            r#"{{"RequestId":"users-1","IsTruncated":false,"Users":{{"User":[{}]}}}}"#,
            user(OWNER)
        ),
    }
}

fn list_access_keys(distortion: Distortion, user: &str) -> String {
    let owns = user == OWNER
        || matches!(distortion, Distortion::KeyUnderTwoUsers) && user == "second-owner";
    let keys = if owns {
        format!(
            r#"{{"AccessKeyId":"{GATE}","Status":"Active","CreateDate":"2024-03-01T08:00:00Z"}}"#
        )
    } else {
        String::new()
    };
    let body = format!(r#""RequestId":"keys-{user}","AccessKeys":{{"AccessKey":[{keys}]}}"#);
    match distortion {
        Distortion::Duplicates => format!(r#"{{{body},"AccessKeys":{{"AccessKey":[]}}}}"#),
        _ => format!("{{{body}}}"),
    }
}

/// Serves the distorted answers on loopback until `rt` ends; the base URL.
fn serve(rt: &tokio::runtime::Runtime, distortion: Distortion) -> String {
    let app = Router::new().route(
        "/",
        any(move |RawQuery(query): RawQuery| async move {
            let q: BTreeMap<String, String> =
                form_urlencoded::parse(query.unwrap_or_default().as_bytes())
                    .into_owned()
                    .collect();
            let body = match q.get("Action").map(String::as_str) {
                Some("GetAccessKeyLastUsedInfo") => info(distortion),
                Some("ListUsers") => list_users(distortion, q.get("Marker").map(String::as_str)),
                Some("ListAccessKeys") => {
                    list_access_keys(distortion, q.get("UserName").map_or("", String::as_str))
                }
                _ => {
                    return (
                        StatusCode::BAD_REQUEST,
                        br#"{"RequestId":"x","Code":"InvalidAction.NotFound","Message":"no"}"#
                            .to_vec(),
                    )
                }
            };
            let bytes: Vec<u8> = body
                .into_bytes()
                .into_iter()
                .map(|b| if b == BAD_BYTE as u8 { 0xff } else { b })
                .collect();
            (StatusCode::OK, bytes)
        }),
    );
    rt.block_on(mock::serve(app))
}

/// The gates: the data source, the fleet over RAM discovery and over named keys, and on
/// Terraform 1.10 and later the ephemeral resource.
fn gates(tf: Tf, discovery_only: bool) -> (String, usize) {
    let discovered = r#"data "actiontrail_accesskeys" "discovered" {
  fail_if_any_used_within = "30d"
}
"#;
    if discovery_only {
        return (discovered.to_owned(), 1);
    }
    let mut hcl = format!(
        r#"data "actiontrail_accesskey_last_used" "gate" {{
  access_key_id       = "{GATE}"
  fail_if_used_within = "30d"
}}

{discovered}
data "actiontrail_accesskeys" "named" {{
  access_key_ids          = ["{GATE}"]
  fail_if_any_used_within = "30d"
}}
"#
    );
    let mut n = 3;
    if matches!(tf, Tf::V1_15_5) {
        hcl.push_str(&format!(
            r#"
ephemeral "actiontrail_accesskey_last_used" "gate" {{
  access_key_id       = "{GATE}"
  fail_if_used_within = "30d"
}}
"#
        ));
        n += 1;
    }
    (hcl, n)
}

/// Plans every gate on `tf` against the distorting endpoint; each error must say `what`
/// (any of the phrases), and there must be one per gate.
fn every_gate_fails(tf: Tf, distortion: Distortion, what: &[&str]) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let url = serve(&rt, distortion);
    let discovery_only = matches!(
        distortion,
        Distortion::ContradictoryPaging | Distortion::KeyUnderTwoUsers
    );
    let (gates, n) = gates(tf, discovery_only);
    let mut ws = Workspace::new(
        tf,
        &format!(
            "{}\nprovider \"actiontrail\" {{\n  endpoint     = \"{url}\"\n  ram_endpoint = \"{url}\"\n  max_retries  = 0\n}}\n\n{gates}",
            terraform_block()
        ),
    );
    ws.env("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAI5tHostileCaller00001")
        .env("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "hostile-caller-secret");
    ws.init();
    let out = ws.fails(&["plan", "-input=false", "-no-color"]);
    // Terraform wraps and frames long diagnostics; compare words, not lines.
    let flat = out
        .replace('│', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let errors: Vec<&str> = flat.split("Error: ").skip(1).collect();
    assert_eq!(
        errors.len(),
        n,
        "{tf:?} {distortion:?}: one error per gate, and no gate passes:\n{out}"
    );
    for e in &errors {
        assert!(
            what.iter().any(|w| e.contains(w)),
            "{tf:?} {distortion:?}: the error does not say {what:?}:\n{e}\n\nwhole output:\n{out}"
        );
    }
}

#[test]
fn a_used_timestamp_in_seconds_fails_every_gate() {
    every_gate_fails(
        Tf::V1_15_5,
        Distortion::Seconds,
        &["UsedTimestamp is before 2022-02-01T00:00:00Z, when ActionTrail's records begin (it reads as seconds"],
    );
}

#[test]
fn a_used_timestamp_of_one_fails_every_gate() {
    every_gate_fails(
        Tf::V0_13_5,
        Distortion::One,
        &["UsedTimestamp is before 2022-02-01T00:00:00Z"],
    );
}

#[test]
fn duplicate_members_fail_every_gate() {
    every_gate_fails(
        Tf::V1_15_5,
        Distortion::Duplicates,
        &[
            "the member `UsedTimestamp` appears twice",
            "the member `AccessKeys` appears twice",
        ],
    );
}

#[test]
fn a_use_without_a_time_is_taken_at_its_event_time_and_fails_every_gate() {
    // UsedTimestamp 0 beside the use's ServiceName, Source and Detail: the most recent
    // plausible sign of use, the Detail event 2 days ago, is the last use.
    every_gate_fails(
        Tf::V1_0_3,
        Distortion::UseWithoutTime,
        &[
            &format!("AccessKey {GATE} was used"),
            "selected AccessKeys were used within",
        ],
    );
}

#[test]
fn a_body_padded_past_the_cap_fails_every_gate_naming_the_cap() {
    every_gate_fails(
        Tf::V1_15_5,
        Distortion::PaddedPastTheCap,
        &["the body is larger than the 16 MiB cap (16777216 bytes)"],
    );
}

#[test]
fn contradictory_ram_paging_fails_the_fleet_gate() {
    every_gate_fails(
        Tf::V1_15_5,
        Distortion::ContradictoryPaging,
        &["IsTruncated is false but a Marker came with it"],
    );
}

#[test]
fn an_event_time_spelt_otherwise_beside_an_older_use_fails_every_gate() {
    every_gate_fails(
        Tf::V1_15_5,
        Distortion::EventTimeSpeltOtherwise,
        &["its Detail eventTime is not an RFC 3339 time"],
    );
}

#[test]
fn members_named_apart_from_case_fail_every_gate() {
    every_gate_fails(
        Tf::V1_0_3,
        Distortion::MembersNamedApartFromCase,
        &["where the API defines"],
    );
}

#[test]
fn a_key_ram_lists_under_two_users_fails_the_fleet_gate() {
    every_gate_fails(
        Tf::V0_13_5,
        Distortion::KeyUnderTwoUsers,
        &["RAM listed one AccessKey under two users"],
    );
}

#[test]
fn a_byte_that_is_not_utf8_in_the_use_members_names_fails_every_gate() {
    every_gate_fails(
        Tf::V1_15_5,
        Distortion::BadByteInNames,
        &["it is not UTF-8 text (a bad byte at offset"],
    );
}
