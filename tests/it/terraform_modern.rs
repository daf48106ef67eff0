//! What only today's Terraform (1.15.5) can use, end to end against `actiontrail-sim`:
//! provider functions in a plan, the ephemeral gate, and a clean protocol log.

use crate::support::{terraform_block, Sim, Tf, Workspace};
use serde_json::Value as J;

const RECENT: &str = "LTAI5tRecentUse000000001";
const IDLE: &str = "LTAI5tIdleKey0000000001";

fn workspace(sim: &Sim, body: &str) -> Workspace {
    let mut ws = Workspace::new(
        Tf::V1_15_5,
        &format!(
            "{}\nprovider \"actiontrail\" {{}}\n\n{body}",
            terraform_block()
        ),
    );
    ws.use_sim(sim);
    ws.init();
    ws
}

/// `terraform plan -out`, then the saved plan as JSON (`terraform show -json`).
fn plan_json(ws: &Workspace) -> J {
    ws.ok(&["plan", "-input=false", "-no-color", "-out=tfplan"]);
    serde_json::from_str(&ws.ok(&["show", "-json", "tfplan"])).expect("the plan is JSON")
}

fn planned_output(plan: &J, name: &str) -> J {
    plan["planned_values"]["outputs"][name]["value"].clone()
}

#[test]
fn functions_answer_in_a_plan_as_the_data_sources_do() {
    let sim = Sim::start(&[]);
    let ws = workspace(
        &sim,
        &format!(
            r#"data "actiontrail_accesskey_last_used" "k" {{
  access_key_id = "{RECENT}"
}}

output "seconds" {{
  value = [for d in ["30d", "720h", "2w", "30", "1h 30m"] : provider::actiontrail::duration_seconds(d)]
}}

output "used_in_400_days" {{
  value = provider::actiontrail::used_within(data.actiontrail_accesskey_last_used.k.last_used_at, "400d", plantimestamp())
}}

output "used_before_it_was" {{
  value = provider::actiontrail::used_within(data.actiontrail_accesskey_last_used.k.last_used_at, "1h", "2022-02-01T00:00:00Z")
}}

output "never_used" {{
  value = provider::actiontrail::used_within(null, "30d", plantimestamp())
}}

output "event" {{
  value = provider::actiontrail::parse_event(data.actiontrail_accesskey_last_used.k.detail)
}}

output "data_source_event" {{
  value = data.actiontrail_accesskey_last_used.k.event
}}

output "not_json" {{
  value = provider::actiontrail::parse_event("not json") == null
}}
"#
        ),
    );
    let plan = plan_json(&ws);
    assert_eq!(
        planned_output(&plan, "seconds"),
        serde_json::json!([2592000, 2592000, 1209600, 2592000, 5400])
    );
    assert_eq!(planned_output(&plan, "used_in_400_days"), J::Bool(true));
    // A use after `now` counts as within: the emulator's use is after 2022-02-01.
    assert_eq!(planned_output(&plan, "used_before_it_was"), J::Bool(true));
    assert_eq!(planned_output(&plan, "never_used"), J::Bool(false));
    let event = planned_output(&plan, "event");
    assert!(event["event_name"].is_string(), "{event}");
    assert_eq!(event, planned_output(&plan, "data_source_event"));
    assert_eq!(planned_output(&plan, "not_json"), J::Bool(true));
}

#[test]
fn a_bad_function_argument_fails_the_plan_naming_it_with_a_good_value() {
    let sim = Sim::start(&[]);
    let ws = workspace(
        &sim,
        r#"output "window" {
  value = provider::actiontrail::duration_seconds("a month")
}

output "now" {
  value = provider::actiontrail::used_within(null, "30d", "yesterday")
}
"#,
    );
    let out = ws.fails(&["plan", "-input=false", "-no-color"]);
    // Terraform wraps its messages; read them as one line.
    let out = out.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        out.contains("on main.tf line 13, in output \"window\""),
        "{out}"
    );
    assert!(
        out.contains("Invalid value for \"duration\" parameter: \"a month\" is not a duration"),
        "{out}"
    );
    assert!(out.contains("\"30d\""), "{out}");
    assert!(
        out.contains("on main.tf line 17, in output \"now\""),
        "{out}"
    );
    assert!(
        out.contains("Invalid value for \"now\" parameter: \"yesterday\" is not an RFC 3339"),
        "{out}"
    );
    assert!(out.contains("plantimestamp()"), "{out}");
}

/// The error lines of a failed plan, from the first `Error:` on.
fn error_of(out: &str) -> String {
    out[out
        .find("Error: ")
        .unwrap_or_else(|| panic!("no error in:\n{out}"))..]
        .lines()
        .filter(|l| !l.contains("with ") && !l.contains(" on main.tf ") && !l.contains("  13:"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_ephemeral_gate_fails_the_plan_as_the_data_source_does() {
    let sim = Sim::start(&[]);
    let block = |kind: &str| {
        format!(
            r#"{kind} "actiontrail_accesskey_last_used" "k" {{
  access_key_id       = "{RECENT}"
  fail_if_used_within = "30d"
}}
"#
        )
    };
    let eph = workspace(&sim, &block("ephemeral"));
    let out = eph.fails(&["plan", "-input=false", "-no-color"]);
    assert!(
        out.contains("ephemeral \"actiontrail_accesskey_last_used\" \"k\""),
        "{out}"
    );
    assert!(
        out.contains("fail_if_used_within = \"30d\""),
        "points at the gate:\n{out}"
    );
    let data = workspace(&sim, &block("data"));
    let want = data.fails(&["plan", "-input=false", "-no-color"]);
    let (got, want) = (error_of(&out), error_of(&want));
    assert!(
        got.contains(&format!("Error: AccessKey {RECENT} was used")),
        "{got}"
    );
    // The time since the use moves between the two plans; compare the rest.
    let strip = |s: &str| {
        s.lines()
            .filter(|l| !l.contains("ago") && !l.contains("another"))
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    assert_eq!(strip(&got), strip(&want));
}

/// Every file of a saved plan (a zip archive), as text.
fn plan_contents(ws: &Workspace) -> String {
    let python = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tools/venv/bin/python");
    let out = std::process::Command::new(python)
        .args([
            "-c",
            "import sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\nfor n in z.namelist():\n    sys.stdout.write(n + '\\n' + z.read(n).decode('utf-8', 'replace') + '\\n')",
        ])
        .arg(ws.work().join("tfplan"))
        .output()
        .expect("the SDK's Python runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn the_ephemeral_gate_passes_an_idle_key_and_leaves_nothing_of_its_use_in_plan_or_state() {
    let sim = Sim::start(&[]);
    // What there is to leak: the idle key's last use, as the data source reports it.
    let reference = workspace(
        &sim,
        &format!(
            r#"data "actiontrail_accesskey_last_used" "k" {{
  access_key_id = "{IDLE}"
}}

output "use" {{
  value = data.actiontrail_accesskey_last_used.k
}}
"#
        ),
    );
    let used = reference.outputs()["use"].clone();
    let secrets: Vec<String> = ["last_used_at", "detail", "last_used_ip", "request_id"]
        .iter()
        .map(|k| {
            used[*k]
                .as_str()
                .unwrap_or_else(|| panic!("{k} in {used}"))
                .to_owned()
        })
        .chain([used["used_timestamp"].to_string()])
        .chain(used["event"]["event_id"].as_str().map(str::to_owned))
        .collect();
    assert!(secrets.iter().all(|s| s.len() >= 8), "{secrets:?}");

    let ws = workspace(
        &sim,
        &format!(
            r#"ephemeral "actiontrail_accesskey_last_used" "k" {{
  access_key_id       = "{IDLE}"
  fail_if_used_within = "30d"
}}

check "idle_for_30_days" {{
  assert {{
    condition     = ephemeral.actiontrail_accesskey_last_used.k.days_since_last_used >= 30
    error_message = "The key was used in the last 30 days."
  }}
}}

check "never_used" {{
  assert {{
    condition     = !ephemeral.actiontrail_accesskey_last_used.k.used
    error_message = "The key has been used."
  }}
}}

output "gate_passed" {{
  value = true
}}
"#
        ),
    );
    let before = sim.stats()["requests"]["GetAccessKeyLastUsedInfo"]
        .as_u64()
        .unwrap_or(0);
    let plan = ws.ok(&["plan", "-input=false", "-no-color", "-out=tfplan"]);
    let after = sim.stats()["requests"]["GetAccessKeyLastUsedInfo"]
        .as_u64()
        .unwrap_or(0);
    assert_eq!(
        after - before,
        1,
        "the gate asked ActionTrail once in the plan"
    );
    assert!(
        plan.contains("ephemeral.actiontrail_accesskey_last_used.k: Opening complete"),
        "{plan}"
    );
    // The checks saw the values: the key is used (warns) and idle for 30 days (passes).
    assert!(plan.contains("The key has been used."), "{plan}");
    assert!(
        !plan.contains("The key was used in the last 30 days."),
        "{plan}"
    );

    let saved = plan_contents(&ws);
    // The archive was read: it holds the configuration, which names the key.
    assert!(saved.contains(IDLE), "{saved}");
    let json = ws.ok(&["show", "-json", "tfplan"]);
    ws.ok(&["apply", "-input=false", "-no-color", "tfplan"]);
    let state =
        std::fs::read_to_string(ws.work().join("terraform.tfstate")).expect("apply wrote state");
    assert!(state.contains("gate_passed"), "{state}");
    for s in &secrets {
        assert!(!saved.contains(s.as_str()), "the plan file holds {s:?}");
        assert!(!json.contains(s.as_str()), "the plan holds {s:?}");
        assert!(!state.contains(s.as_str()), "the state holds {s:?}");
    }
}

#[test]
fn terraform_1_15_logs_no_protocol_errors_at_trace_level() {
    let sim = Sim::start(&[]);
    let mut ws = workspace(
        &sim,
        &format!(
            r#"data "actiontrail_accesskey_last_used" "k" {{
  access_key_id = "{IDLE}"
}}

ephemeral "actiontrail_accesskey_last_used" "k" {{
  access_key_id = "{IDLE}"
}}

output "days" {{
  value = provider::actiontrail::duration_seconds("2w") / 86400
}}
"#
        ),
    );
    ws.env("TF_LOG", "trace");
    let out = ws.run(&["plan", "-input=false", "-no-color"]);
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{log}");
    for rpc in [
        "GetProviderSchema",
        "ValidateEphemeralResourceConfig",
        "OpenEphemeralResource",
        "CloseEphemeralResource",
        "CallFunction",
        "ReadDataSource",
    ] {
        assert!(
            log.contains(&format!("rpc={rpc}")),
            "the plugin logged no {rpc}:\n{log}"
        );
    }
    // With get_provider_schema_optional, Terraform asks one plugin process for the schema
    // and reuses it for every other process of the command (without it: once per process).
    let started = log.matches("plugin started").count();
    let asked = log.matches("rpc=GetProviderSchema").count();
    assert!(
        started >= 2 && asked == 1,
        "{started} plugin processes, {asked} GetProviderSchema calls"
    );
    let bad: Vec<&str> = log
        .lines()
        .filter(|l| {
            l.contains("[ERROR]")
                || l.contains("Unimplemented")
                || l.contains("failed to exit gracefully")
        })
        .collect();
    assert!(bad.is_empty(), "{bad:#?}");
}
