//! The fleet audit end to end: real Terraform (1.0.3 and 1.15.5) runs
//! `actiontrail_accesskeys` and `actiontrail_accesskey_last_used_events` against
//! `actiontrail-sim` over real HTTP, RAM discovery included; every bad input is a
//! diagnostic on its argument.

use crate::support::{terraform_block, Sim, Tf, Workspace};
use serde_json::Value as J;
use std::collections::BTreeSet;

const RECENT: &str = "LTAI5tRecentUse000000001";
const IDLE: &str = "LTAI5tIdleKey0000000001";
const IDLE_OFF: &str = "LTAI5tIdleKey0000000002";
const NEVER: &str = "LTAI5tNeverUsed00000001";
const MANY: &str = "LTAI5tManyIps0000000001";
const ROOT: &str = "LTAI5tRootFinance000001";

const VERSIONS: [Tf; 2] = [Tf::V1_0_3, Tf::V1_15_5];

fn workspace(tf: Tf, sim: &Sim, body: &str) -> Workspace {
    let mut ws = Workspace::new(
        tf,
        &format!(
            "{}\nprovider \"actiontrail\" {{}}\n{body}",
            terraform_block()
        ),
    );
    ws.use_sim(sim);
    ws.init();
    ws
}

pub(crate) fn ids(v: &J) -> BTreeSet<String> {
    v.as_array()
        .unwrap_or_else(|| panic!("not a list: {v}"))
        .iter()
        .map(|x| x.as_str().unwrap().to_owned())
        .collect()
}

pub(crate) fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

/// Terraform wraps diagnostics at 78 columns: the text with its lines joined.
pub(crate) fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The 1-based line of `main.tf` in `ws` that contains `needle`.
fn line_of(ws: &Workspace, needle: &str) -> usize {
    let tf = std::fs::read_to_string(ws.work().join("main.tf")).unwrap();
    tf.lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("main.tf has no line with {needle:?}"))
        + 1
}

/// The diagnostic (flattened) that Terraform shows at the line of `needle` and that says
/// `what`; fails the test when there is none.
fn diagnostic_at(tf: Tf, ws: &Workspace, text: &str, needle: &str, what: &str) -> String {
    let at = format!("on main.tf line {},", line_of(ws, needle));
    text.split("Error: ")
        .map(flat)
        .find(|d| d.contains(&at) && d.contains(&flat(what)))
        .unwrap_or_else(|| {
            panic!("{tf:?}: no diagnostic at {needle:?} ({at}) saying {what:?}:\n{text}")
        })
}

/// Runs `f` for each Terraform version on its own thread: the runs are independent.
pub(crate) fn each_version(f: impl Fn(Tf) + Sync) {
    std::thread::scope(|s| {
        let handles: Vec<_> = VERSIONS.iter().map(|tf| s.spawn(|| f(*tf))).collect();
        for h in handles {
            h.join().expect("a version's run panicked");
        }
    });
}

#[test]
fn discovery_lists_every_ram_users_key_joined_with_its_last_use_in_one_call_each() {
    each_version(|tf| {
        let sim = Sim::start(&[]);
        let ws = workspace(
            tf,
            &sim,
            &format!(
                r#"
data "actiontrail_accesskeys" "all" {{}}

data "actiontrail_accesskey_last_used" "recent" {{
  access_key_id = "{RECENT}"
}}

output "ids" {{
  value = data.actiontrail_accesskeys.all.matching_access_key_ids
}}
output "keys" {{
  value = {{ for k in data.actiontrail_accesskeys.all.keys : k.access_key_id => k }}
}}
output "counts" {{
  value = {{
    keys       = data.actiontrail_accesskeys.all.key_count
    used       = data.actiontrail_accesskeys.all.used_count
    never_used = data.actiontrail_accesskeys.all.never_used_count
    users      = data.actiontrail_accesskeys.all.user_count
  }}
}}
output "single" {{
  value = data.actiontrail_accesskey_last_used.recent.last_used_at
}}
"#
            ),
        );
        let out = ws.outputs();
        // The caller's own account only: fleet-agent's key lives in another account, the
        // STS key is no RAM user's.
        assert_eq!(
            ids(&out["ids"]),
            set(&[RECENT, IDLE, IDLE_OFF, NEVER]),
            "{tf:?}: {out}"
        );
        let keys = &out["keys"];
        let recent = &keys[RECENT];
        assert_eq!(recent["user_name"], "ci-deployer", "{tf:?}: {recent}");
        assert_eq!(recent["status"], "Active");
        assert_eq!(recent["used"], true);
        assert_eq!(recent["last_used_service"], "Ecs");
        assert_eq!(recent["last_used_ip"], "203.0.113.10");
        assert_eq!(recent["days_since_last_used"], 2);
        assert!(recent["age_days"].as_i64().is_some_and(|d| d >= 399));
        // One read, the same answer as the single-key data source, from the same call.
        assert_eq!(recent["last_used_at"], out["single"], "{tf:?}: {out}");
        assert_eq!(keys[IDLE_OFF]["status"], "Inactive");
        assert_eq!(keys[IDLE_OFF]["used"], false);
        assert_eq!(keys[IDLE_OFF]["last_used_at"], J::Null);
        assert_eq!(keys[IDLE_OFF]["days_since_last_used"], J::Null);
        assert_eq!(keys[IDLE]["create_date"], "2024-03-01T08:00:00Z");
        assert_eq!(keys[IDLE]["user_name"], "legacy-backup");
        assert_eq!(
            out["counts"],
            serde_json::json!({"keys": 4, "used": 2, "never_used": 2, "users": 3}),
            "{tf:?}"
        );
        let stats = sim.stats();
        // apply plans and applies: each distinct request is made once per process; the
        // fleet's Info call on RECENT is the single-key data source's.
        let per_process = |op: &str| stats["requests"][op].as_u64().unwrap();
        let infos = per_process("GetAccessKeyLastUsedInfo");
        assert!(
            infos % 4 == 0 && infos > 0,
            "{tf:?}: 4 distinct keys per process, one call each: {stats}"
        );
        assert_eq!(per_process("ListAccessKeys"), 3 * infos / 4, "{stats}");
        assert_eq!(per_process("ListUsers"), infos / 4, "{stats}");
    });
}

#[test]
fn filters_keep_idle_unused_recent_inactive_or_named_users_keys() {
    each_version(|tf| {
        let sim = Sim::start(&[]);
        let ws = workspace(
            tf,
            &sim,
            r#"
data "actiontrail_accesskeys" "idle" {
  unused_for = "90d"
}
data "actiontrail_accesskeys" "recent" {
  used_within = "30d"
}
data "actiontrail_accesskeys" "inactive" {
  status = "Inactive"
}
data "actiontrail_accesskeys" "backup" {
  user_names = ["legacy-backup"]
  status     = "Active"
}
output "idle" {
  value = data.actiontrail_accesskeys.idle.matching_access_key_ids
}
output "recent" {
  value = data.actiontrail_accesskeys.recent.matching_access_key_ids
}
output "inactive" {
  value = data.actiontrail_accesskeys.inactive.matching_access_key_ids
}
output "backup" {
  value = data.actiontrail_accesskeys.backup.matching_access_key_ids
}
output "selected" {
  value = data.actiontrail_accesskeys.backup.selected_count
}
"#,
        );
        let out = ws.outputs();
        assert_eq!(ids(&out["idle"]), set(&[IDLE, IDLE_OFF, NEVER]), "{tf:?}");
        assert_eq!(ids(&out["recent"]), set(&[RECENT]), "{tf:?}");
        assert_eq!(ids(&out["inactive"]), set(&[IDLE_OFF]), "{tf:?}");
        assert_eq!(ids(&out["backup"]), set(&[IDLE]), "{tf:?}");
        assert_eq!(out["selected"], 2, "{tf:?}");
    });
}

/// The demo data set plus a second recently used key of ci-deployer, for `--data`.
fn two_recent_keys(dir: &std::path::Path) -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_actiontrail-sim"))
        .arg("--dump-data")
        .output()
        .unwrap();
    let mut data: J = serde_json::from_slice(&out.stdout).unwrap();
    let keys = data["keys"].as_array_mut().unwrap();
    let mut second = keys
        .iter()
        .find(|k| k["access_key_id"] == RECENT)
        .unwrap()
        .clone();
    second["access_key_id"] = "LTAI5tRecentUse000000002".into();
    second["products"] = serde_json::json!([{
        "service_name": "Ecs", "used_at": "now-5days", "source_ip": "198.51.100.77",
        "event_name": "RunInstances"
    }]);
    second.as_object_mut().unwrap().remove("events");
    keys.push(second);
    let path = dir.join("data.json");
    std::fs::write(&path, serde_json::to_vec(&data).unwrap()).unwrap();
    path.display().to_string()
}

#[test]
fn the_fleet_gate_fails_once_listing_every_key_used_within_its_window() {
    let dir = tempfile::tempdir().unwrap();
    let data = two_recent_keys(dir.path());
    each_version(|tf| {
        let sim = Sim::start(&["--data", &data]);
        let ws = workspace(
            tf,
            &sim,
            &format!(
                r#"
data "actiontrail_accesskeys" "retiring" {{
  access_key_ids          = ["{RECENT}", "{IDLE}", "LTAI5tRecentUse000000002", "{NEVER}"]
  fail_if_any_used_within = "30d"
}}
"#
            ),
        );
        let text = ws.fails(&["plan", "-input=false", "-no-color"]);
        assert_eq!(
            text.matches("Error: ").count(),
            1,
            "{tf:?}: one diagnostic:\n{text}"
        );
        diagnostic_at(
            tf,
            &ws,
            &text,
            "fail_if_any_used_within",
            "fail_if_any_used_within is 30 days",
        );
        let text = flat(&text);
        assert!(
            text.contains("2 of 4 selected AccessKeys were used within 30 days"),
            "{tf:?}:\n{text}"
        );
        assert!(
            text.contains(&format!(
                "{RECENT} (RAM user ci-deployer): Ecs from 203.0.113.10 at "
            )),
            "{tf:?}:\n{text}"
        );
        assert!(
            text.contains(
                "LTAI5tRecentUse000000002 (RAM user ci-deployer): Ecs from 198.51.100.77"
            ),
            "{tf:?}:\n{text}"
        );
        assert!(
            !text.contains(&format!("{IDLE} (RAM")) && !text.contains(&format!("{NEVER} (RAM"))
        );
        // The same set passes a gate of 1 day.
        let ok = workspace(
            tf,
            &sim,
            &format!(
                r#"
data "actiontrail_accesskeys" "retiring" {{
  access_key_ids          = ["{RECENT}", "{IDLE}", "{NEVER}"]
  fail_if_any_used_within = "1d"
}}
output "n" {{
  value = data.actiontrail_accesskeys.retiring.key_count
}}
"#
            ),
        );
        assert_eq!(ok.outputs()["n"], 3, "{tf:?}");
    });
}

#[test]
fn the_events_data_source_lists_a_keys_api_actions_in_actiontrails_order() {
    each_version(|tf| {
        let sim = Sim::start(&[]);
        let ws = workspace(
            tf,
            &sim,
            &format!(
                r#"
data "actiontrail_accesskey_last_used_events" "ecs" {{
  access_key_id = "{RECENT}"
  service_name  = "Ecs"
  page_size     = 3
}}
data "actiontrail_accesskey_last_used_events" "capped" {{
  access_key_id = "{RECENT}"
  service_name  = "Ecs"
  max_items     = 2
}}
output "names" {{
  value = [for e in data.actiontrail_accesskey_last_used_events.ecs.events : e.event_name]
}}
output "first" {{
  value = data.actiontrail_accesskey_last_used_events.ecs.events[0]
}}
output "count" {{
  value = data.actiontrail_accesskey_last_used_events.ecs.event_count
}}
output "pages" {{
  value = length(data.actiontrail_accesskey_last_used_events.ecs.request_ids)
}}
output "capped" {{
  value = [data.actiontrail_accesskey_last_used_events.capped.truncated, data.actiontrail_accesskey_last_used_events.capped.event_count]
}}
"#
            ),
        );
        let out = ws.outputs();
        assert_eq!(
            out["names"],
            serde_json::json!([
                "DescribeInstances",
                "StartInstance",
                "DescribeSecurityGroups",
                "CreateDisk"
            ]),
            "{tf:?}: {out}"
        );
        let first = &out["first"];
        assert_eq!(first["source"], "ManagementEvent", "{first}");
        assert!(first["used_timestamp"].as_i64().is_some_and(|t| t > 0));
        assert!(first["last_used_at"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z')));
        assert_eq!(first["event"]["event_name"], "DescribeInstances");
        assert!(first["detail"]
            .as_str()
            .is_some_and(|d| d.contains("eventId")));
        assert_eq!(out["count"], 4);
        assert_eq!(out["pages"], 2);
        assert_eq!(out["capped"], serde_json::json!([true, 2]));
    });
}

#[test]
fn bad_arguments_are_diagnostics_at_their_arguments_before_any_call() {
    each_version(|tf| {
        let sim = Sim::start(&[]);
        let ws = workspace(
            tf,
            &sim,
            r#"
data "actiontrail_accesskeys" "durations" {
  unused_for              = "soon"
  used_within             = "0d"
  fail_if_any_used_within = "ninety days"
  status                  = "Deleted"
}
data "actiontrail_accesskeys" "lists" {
  user_names     = ["ci-deployer", "ci-deployer"]
  access_key_ids = ["not a key"]
}
"#,
        );
        let text = ws.fails(&["plan", "-input=false", "-no-color"]);
        for (line, what) in [
            ("\"soon\"", "unused_for \"soon\" is not a duration"),
            ("\"0d\"", "used_within must be longer than zero"),
            (
                "\"ninety days\"",
                "fail_if_any_used_within \"ninety days\" is not a duration",
            ),
            (
                "\"Deleted\"",
                "status \"Deleted\" is neither \"Active\" nor \"Inactive\"",
            ),
            (
                "user_names",
                "\"ci-deployer\" is listed twice in user_names",
            ),
            ("\"not a key\"", "\"not a key\" is not an AccessKey ID"),
            (
                "\"not a key\"",
                "access_key_ids and user_names both select keys",
            ),
        ] {
            diagnostic_at(tf, &ws, &text, line, what);
        }
        assert_eq!(
            sim.stats()["requests_total"],
            0,
            "{tf:?}: nothing was called"
        );
    });
}

#[test]
fn api_failures_are_diagnostics_at_their_arguments_with_code_and_request_id() {
    each_version(|tf| {
        let sim = Sim::start(&[]);
        let throttled = Sim::start(&["--throttle-rate", "1", "--seed", "7"]);
        let hcl = format!(
            r#"{}
provider "actiontrail" {{}}

provider "actiontrail" {{
  alias        = "denied"
  access_key   = "LTAI5tDeniedCaller00001"
  secret_key   = "denied-secret"
}}

provider "actiontrail" {{
  alias        = "throttled"
  endpoint     = "{t}"
  ram_endpoint = "{t}"
  max_retries  = 1
}}

data "actiontrail_accesskeys" "unknown_user" {{
  user_names = ["ci-deployer", "no-such-user"]
}}

data "actiontrail_accesskeys" "unlisted" {{
  access_key_ids = ["{MANY}"]
}}

data "actiontrail_accesskeys" "root" {{
  access_key_ids = ["{ROOT}"]
}}

data "actiontrail_accesskeys" "forbidden" {{
  provider   = actiontrail.denied
  user_names = ["ci-deployer"]
}}

data "actiontrail_accesskeys" "throttled" {{
  provider       = actiontrail.throttled
  access_key_ids = ["{RECENT}"]
}}
"#,
            terraform_block(),
            t = throttled.url
        );
        let mut ws = Workspace::new(tf, &hcl);
        ws.use_sim(&sim);
        ws.init();
        let text = ws.fails(&["plan", "-input=false", "-no-color"]);
        let d = diagnostic_at(tf, &ws, &text, "no-such-user", "EntityNotExist.User");
        assert!(
            d.contains("no-such-user") && d.contains("Request ID: "),
            "{d}"
        );
        let d = diagnostic_at(
            tf,
            &ws,
            &text,
            &format!("[\"{MANY}\"]"),
            "EntityNotExist.User",
        );
        assert!(
            d.contains("fleet-agent") && d.contains("Request ID: "),
            "{d}"
        );
        diagnostic_at(
            tf,
            &ws,
            &text,
            &format!("[\"{ROOT}\"]"),
            "belongs to a root-account",
        );
        let d = diagnostic_at(
            tf,
            &ws,
            &text,
            "user_names = [\"ci-deployer\"]",
            "NoPermission",
        );
        assert!(
            d.contains("ram:ListUsers") && d.contains("ram:ListAccessKeys"),
            "{d}"
        );
        assert!(d.contains("Request ID: "), "{d}");
        let d = diagnostic_at(
            tf,
            &ws,
            &text,
            &format!("[\"{RECENT}\"]"),
            "Throttling.User",
        );
        assert!(
            d.contains("max_retries") && d.contains("Request ID: "),
            "{d}"
        );
        for d in text.split("Error: ").skip(1).map(flat) {
            if let Some(id) = d.split("Request ID: ").nth(1) {
                assert!(id.len() >= 36 && !id.starts_with("(none)"), "{tf:?}: {d}");
            }
        }
        assert_eq!(
            text.matches("Error: ").count(),
            5,
            "{tf:?}: one per data source:\n{text}"
        );
        assert!(
            throttled.stats()["throttles"].as_u64() >= Some(2),
            "the first try and the one retry were throttled"
        );
    });
}
