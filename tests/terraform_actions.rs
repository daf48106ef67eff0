//! The rotation gate at apply time, end to end: Terraform 1.15.5 runs the
//! `actiontrail_accesskey_gate` action against `actiontrail-sim`, with the plugin over real
//! mTLS. A `terraform_data` resource stands in for the key (an `alicloud_ram_access_key`
//! whose `status` goes from Active to Inactive is the same in-place update).

mod support;

use serde_json::Value as J;
use support::{terraform_block, Sim, Tf, Workspace};

/// Last used six months ago in the demo data: idle for a 30-day gate.
const IDLE: &str = "LTAI5tIdleKey0000000001";
/// Never used in the demo data.
const NEVER: &str = "LTAI5tNeverUsed00000001";

/// The key resource's stand-in, its change gated by the action on `before_update`.
fn config(input: &str, window: &str) -> String {
    format!(
        r#"{}
provider "actiontrail" {{}}

action "actiontrail_accesskey_gate" "retiring" {{
  config {{
    access_key_ids      = ["{IDLE}", "{NEVER}"]
    fail_if_used_within = "{window}"
  }}
}}

resource "terraform_data" "key" {{
  input = "{input}"

  lifecycle {{
    action_trigger {{
      events  = [before_update]
      actions = [action.actiontrail_accesskey_gate.retiring]
    }}
  }}
}}
"#,
        terraform_block()
    )
}

fn workspace(sim: &Sim, hcl: &str) -> Workspace {
    let mut ws = Workspace::new(Tf::V1_15_5, hcl);
    ws.use_sim(sim);
    ws.init();
    ws
}

fn rewrite(ws: &Workspace, hcl: &str) {
    std::fs::write(ws.work().join("main.tf"), hcl).unwrap();
}

/// The stand-in's `input` as the state holds it.
fn state_input(ws: &Workspace) -> String {
    let state: J = serde_json::from_str(&ws.ok(&["show", "-json"])).expect("state is JSON");
    let resources = state["values"]["root_module"]["resources"]
        .as_array()
        .expect("the state lists resources");
    let key = resources
        .iter()
        .find(|r| r["address"] == "terraform_data.key")
        .expect("terraform_data.key is in the state");
    key["values"]["input"]
        .as_str()
        .expect("input is a string")
        .to_owned()
}

/// GetAccessKeyLastUsedInfo calls the emulator has answered so far.
fn info_calls(sim: &Sim) -> u64 {
    sim.stats()["requests"]["GetAccessKeyLastUsedInfo"]
        .as_u64()
        .unwrap_or(0)
}

const APPLY: [&str; 4] = ["apply", "-auto-approve", "-input=false", "-no-color"];

#[test]
fn the_action_is_in_the_schema_and_a_bad_duration_fails_validate_at_its_line() {
    let sim = Sim::start(&[]);
    let ws = workspace(&sim, &config("v1", "30d"));
    let schema: J = serde_json::from_str(&ws.ok(&["providers", "schema", "-json"]))
        .expect("the schema is JSON");
    let action = &schema["provider_schemas"]["registry.terraform.io/actiontrail/actiontrail"]
        ["action_schemas"]["actiontrail_accesskey_gate"];
    let attrs = &action["block"]["attributes"];
    assert_eq!(
        attrs["access_key_ids"]["type"],
        serde_json::json!(["list", "string"]),
        "{action}"
    );
    assert_eq!(attrs["access_key_ids"]["required"], J::Bool(true));
    assert_eq!(attrs["fail_if_used_within"]["type"], "string");
    assert_eq!(attrs["fail_if_used_within"]["required"], J::Bool(true));
    ws.ok(&["validate", "-no-color"]);

    rewrite(&ws, &config("v1", "a fortnight"));
    let out = ws.fails(&["validate", "-no-color"]);
    // fail_if_used_within is on line 16 of the configuration (terraform_block() is 8).
    let line = config("v1", "a fortnight")
        .lines()
        .position(|l| l.contains("fail_if_used_within"))
        .unwrap()
        + 1;
    assert!(out.contains(&format!("on main.tf line {line}")), "{out}");
    assert!(
        out.contains("fail_if_used_within = \"a fortnight\""),
        "{out}"
    );
    assert!(out.contains("fail_if_used_within"), "{out}");
    assert_eq!(info_calls(&sim), 0, "validation reads nothing");
}

#[test]
fn before_update_applies_while_the_keys_are_idle_and_fails_once_one_is_used() {
    let sim = Sim::start(&[]);
    let ws = workspace(&sim, &config("v1", "30d"));
    // Creating the stand-in is no update: the action does not run.
    ws.ok(&APPLY);
    assert_eq!(info_calls(&sim), 0, "before_update does not fire on create");

    rewrite(&ws, &config("v2", "30d"));
    let out = ws.ok(&APPLY);
    assert!(
        out.contains(&format!("{IDLE} last used 200 days")),
        "a progress line for the idle key:\n{out}"
    );
    assert!(out.contains("ago: idle enough"), "{out}");
    assert!(
        out.contains(&format!("{NEVER} has no recorded use: idle enough")),
        "{out}"
    );
    assert_eq!(state_input(&ws), "v2");
    assert_eq!(info_calls(&sim), 2, "one read per key, at apply");

    sim.record_use(IDLE);
    rewrite(&ws, &config("v3", "30d"));
    let out = ws.fails(&APPLY);
    assert!(
        out.contains(&format!("AccessKey {IDLE} was used")),
        "the error names the key:\n{out}"
    );
    assert!(out.contains("service Oss"), "{out}");
    assert!(out.contains("from IP 198.51.100.23"), "{out}");
    assert!(out.contains("in region cn-shanghai"), "{out}");
    assert!(
        out.contains("within fail_if_used_within = \"30d\""),
        "{out}"
    );
    assert!(
        out.contains("still in use"),
        "the progress line says so:\n{out}"
    );
    assert!(!out.contains("terraform_data.key: Modifying"), "{out}");
    assert_eq!(state_input(&ws), "v2", "the change did not happen");
}

#[test]
fn a_saved_plan_applied_after_the_key_was_used_fails_at_the_action_before_the_change() {
    let sim = Sim::start(&[]);
    let ws = workspace(&sim, &config("v1", "30d"));
    ws.ok(&APPLY);

    rewrite(&ws, &config("v2", "30d"));
    let plan = ws.ok(&["plan", "-input=false", "-no-color", "-out=tfplan"]);
    assert!(
        plan.contains("# Actions to be invoked before this change in order:")
            && plan.contains(r#"action "actiontrail_accesskey_gate" "retiring""#),
        "{plan}"
    );
    assert_eq!(info_calls(&sim), 0, "planning the action reads nothing");

    // Between the plan and its apply, something uses the key.
    sim.record_use(IDLE);
    let out = ws.fails(&["apply", "-input=false", "-no-color", "tfplan"]);
    assert!(out.contains(&format!("AccessKey {IDLE} was used")), "{out}");
    assert!(!out.contains("terraform_data.key: Modifying"), "{out}");
    assert!(out.contains("service Oss"), "{out}");
    assert_eq!(info_calls(&sim), 2, "the apply read both keys afresh");
    assert_eq!(
        state_input(&ws),
        "v1",
        "the saved plan's change was not made"
    );
}

#[test]
fn invoke_runs_the_check_alone() {
    let sim = Sim::start(&[]);
    let ws = workspace(&sim, &config("v1", "30d"));
    ws.ok(&APPLY);
    let invoke = [
        "apply",
        "-auto-approve",
        "-input=false",
        "-no-color",
        "-invoke=action.actiontrail_accesskey_gate.retiring",
    ];
    let out = ws.ok(&invoke);
    assert!(out.contains("ago: idle enough"), "{out}");
    assert!(
        out.contains(&format!("{NEVER} has no recorded use: idle enough")),
        "{out}"
    );
    assert_eq!(info_calls(&sim), 2);
    assert_eq!(state_input(&ws), "v1", "nothing else ran");

    sim.record_use(NEVER);
    let out = ws.fails(&invoke);
    assert!(
        out.contains(&format!("AccessKey {NEVER} was used")),
        "{out}"
    );
    assert_eq!(info_calls(&sim), 4, "every invoke reads afresh");
}
