//! The Rego policies of `examples/policy/` judge real plans: each pinned Terraform plans the
//! example configuration against actiontrail-sim loaded with a data set written here, saves
//! the plan, and `terraform show -json` of it goes through regorus (the engine the demo
//! runs, through the same code). Every assertion is on the exact set of deny messages.

use crate::support;

#[path = "../../examples/policy/eval.rs"]
mod eval;

use crate::support::{Sim, Tf, Workspace};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

const FRESH1: &str = "LTAI5tPolicyFresh000001";
const FRESH2: &str = "LTAI5tPolicyFresh000002";
const IDLE: &str = "LTAI5tPolicyIdle0000001";
const NEVER: &str = "LTAI5tPolicyNever000001";
const STRAY: &str = "LTAI5tPolicyStray000001";
const RETIRE: &str = "LTAI5tPolicyRetire00001";
/// A second key of `web`, Inactive and idle 200 days: the fleet lists it, nobody may flag it.
const OFF: &str = "LTAI5tPolicyOff00000001";

const IDLE_KEYS: &str = "actiontrail.idle_keys";
const RETIRING_KEYS: &str = "actiontrail.retiring_keys";
const ALLOWED_IPS: &str = "actiontrail.allowed_ips";
const POLICIES: [&str; 3] = [IDLE_KEYS, RETIRING_KEYS, ALLOWED_IPS];

const DAY_MS: i64 = 86_400_000;

fn policy_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/policy")
}

/// Moments of the data set, as epoch milliseconds: whole seconds, `days` days and an hour
/// before the test started, so that whole days since then stay `days` while it runs.
struct Clock {
    start_ms: i64,
}

impl Clock {
    fn new() -> Clock {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
        Clock {
            start_ms: i64::try_from(now.as_secs()).unwrap() * 1000,
        }
    }

    fn ago(&self, days: i64) -> i64 {
        self.start_ms - days * DAY_MS - 3_600_000
    }

    /// The same moment as the provider writes it (`last_used_at`).
    fn rfc3339(&self, days: i64) -> String {
        time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(self.ago(days)) * 1_000_000)
            .unwrap()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap()
    }
}

/// A service a key used, and the IPs it used it from (address, days ago, API action).
struct Use {
    service: &'static str,
    days: i64,
    event: &'static str,
    ips: &'static [(&'static str, i64)],
}

fn key(clock: &Clock, id: &str, user: &str, uses: &[Use]) -> Value {
    let products: Vec<Value> = uses
        .iter()
        .map(|u| {
            json!({
                "service_name": u.service, "used_at": clock.ago(u.days), "event_name": u.event,
                "source_ip": u.ips[0].0, "region": "cn-hangzhou"
            })
        })
        .collect();
    let ips: serde_json::Map<String, Value> = uses
        .iter()
        .map(|u| {
            let list: Vec<Value> = u
                .ips
                .iter()
                .map(|(ip, days)| json!({"ip": ip, "used_at": clock.ago(*days), "event_name": u.event}))
                .collect();
            (u.service.to_owned(), Value::Array(list))
        })
        .collect();
    json!({
        "access_key_id": id, "account_id": "1234567890123456", "account_type": "ram-user",
        "user_name": user, "products": products, "ips": ips
    })
}

fn inactive(mut key: Value) -> Value {
    key["status"] = json!("Inactive");
    key
}

/// The data set: two keys in use from inside 10.0.0.0/16, one idle 120 days, one never
/// used, one also used from outside, one idle 45 days (retirable after 30).
fn data_set(clock: &Clock) -> Value {
    json!({
        "callers": [{
            "access_key_id": support::DEMO_ACCESS_KEY_ID,
            "access_key_secret": support::DEMO_ACCESS_KEY_SECRET,
            "account_id": "1234567890123456", "user_name": "auditor", "readable_accounts": ["*"]
        }],
        "keys": [
            key(clock, FRESH1, "ci-deployer", &[Use { service: "Ecs", days: 3, event: "DescribeInstances", ips: &[("10.0.1.5", 3)] }]),
            key(clock, FRESH2, "web", &[Use { service: "Oss", days: 10, event: "PutObject", ips: &[("10.0.2.9", 10)] }]),
            key(clock, IDLE, "legacy-backup", &[Use { service: "Oss", days: 120, event: "GetObject", ips: &[("192.0.2.44", 120)] }]),
            key(clock, NEVER, "new-hire", &[]),
            key(clock, STRAY, "fleet-agent", &[
                Use { service: "Ecs", days: 1, event: "DescribeInstances", ips: &[("10.0.3.3", 1), ("10.0.3.9", 2)] },
                Use { service: "Slb", days: 5, event: "DescribeLoadBalancers", ips: &[("198.51.100.77", 5), ("10.0.3.4", 6)] },
            ]),
            key(clock, RETIRE, "old-ci", &[Use { service: "Ecs", days: 45, event: "StopInstances", ips: &[("10.0.4.4", 45)] }]),
            inactive(key(clock, OFF, "web", &[Use { service: "Oss", days: 200, event: "GetObject", ips: &[("10.0.2.10", 200)] }])),
        ]
    })
}

/// The policies' parameters, with the retiring keys of one case.
fn params(retiring: &[&str]) -> Value {
    json!({"actiontrail_policy": {
        "max_idle_days": 90,
        "retiring_window_days": 30,
        "retiring_access_key_ids": retiring,
        "allowed_cidrs": ["10.0.0.0/16"],
    }})
}

/// Each policy's deny set for `plan_json` under `params`.
fn judge(plan_json: &str, params: &Value) -> Vec<(String, BTreeSet<String>)> {
    judge_with(plan_json, params, &POLICIES)
}

/// The deny sets of the policies `namespaces` for `plan_json` under `params`.
fn judge_with(
    plan_json: &str,
    params: &Value,
    namespaces: &[&str],
) -> Vec<(String, BTreeSet<String>)> {
    let mut engine = eval::load(&policy_dir(), &[]).expect("the example policies load");
    engine
        .add_data_json(&params.to_string())
        .expect("parameters load");
    namespaces
        .iter()
        .map(|ns| {
            let findings = eval::deny(&mut engine, plan_json, &[(*ns).to_owned()])
                .unwrap_or_else(|e| panic!("{ns} evaluates: {e}"));
            let set = findings.into_iter().map(|f| f.message).collect();
            ((*ns).to_owned(), set)
        })
        .collect()
}

fn expect(idle: &[String], retiring: &[String], ips: &[String]) -> Vec<(String, BTreeSet<String>)> {
    [
        (IDLE_KEYS, idle),
        (RETIRING_KEYS, retiring),
        (ALLOWED_IPS, ips),
    ]
    .into_iter()
    .map(|(ns, msgs)| (ns.to_owned(), msgs.iter().cloned().collect()))
    .collect()
}

fn last_used(id: &str) -> String {
    format!("data.actiontrail_accesskey_last_used.keys[\"{id}\"]")
}

fn ips_of(id: &str, service: &str) -> String {
    format!("data.actiontrail_accesskey_last_used_ips.keys[\"{id}/{service}\"]")
}

/// Plans `ws` with `args`, saves the plan, and returns `terraform show -json` of it.
fn plan_json(ws: &Workspace, args: &[&str]) -> String {
    let mut plan = vec!["plan", "-input=false", "-no-color", "-out=tfplan"];
    plan.extend_from_slice(args);
    ws.ok(&plan);
    let json = ws.ok(&["show", "-json", "tfplan"]);
    let parsed: Value = serde_json::from_str(&json).expect("show -json prints JSON");
    assert!(
        parsed["format_version"].is_string(),
        "{:?}: not a plan: {json}",
        ws.tf
    );
    json
}

fn keys_var(ids: &[&str]) -> String {
    format!("-var=access_key_ids={}", json!(ids))
}

/// Runs `check` on every pinned Terraform at once (their plans' JSON differ: format 0.1,
/// 0.2, 1.2; 1.15.5 saves a plan that failed), against one emulator loaded with the data
/// set.
fn for_each_terraform(check: impl Fn(Tf, &Sim, &Clock) + Sync) {
    let clock = Clock::new();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data.json");
    std::fs::write(&data, data_set(&clock).to_string()).unwrap();
    let sim = Sim::start(&["--data", data.to_str().unwrap()]);
    std::thread::scope(|s| {
        let handles: Vec<_> = Tf::ALL
            .iter()
            .map(|tf| {
                let (sim, check, clock) = (&sim, &check, &clock);
                s.spawn(move || check(*tf, sim, clock))
            })
            .collect();
        for h in handles {
            if let Err(panic) = h.join() {
                std::panic::resume_unwind(panic);
            }
        }
    });
}

fn example_workspace(tf: Tf, sim: &Sim) -> Workspace {
    let hcl = std::fs::read_to_string(policy_dir().join("main.tf")).unwrap();
    let mut ws = Workspace::new(tf, &hcl);
    ws.use_sim(sim);
    ws.init();
    ws
}

fn assert_judged(
    tf: Tf,
    case: &str,
    got: Vec<(String, BTreeSet<String>)>,
    want: Vec<(String, BTreeSet<String>)>,
) {
    for ((ns, got), (_, want)) in got.iter().zip(want.iter()) {
        assert_eq!(got, want, "{tf:?}, {case}: {ns} denies exactly this");
    }
}

#[test]
fn each_policy_passes_a_clean_plan_and_denies_exactly_the_findings_of_a_dirty_one() {
    for_each_terraform(|tf, sim, clock| {
        let ws = example_workspace(tf, sim);

        // Every key in use recently and from inside the CIDRs; the retiring one idle 45 days.
        let clean = plan_json(&ws, &[&keys_var(&[FRESH1, FRESH2, RETIRE])]);
        assert_judged(
            tf,
            "clean plan",
            judge(&clean, &params(&[RETIRE])),
            expect(&[], &[], &[]),
        );

        let dirty = plan_json(&ws, &[&keys_var(&[FRESH1, IDLE, NEVER, STRAY])]);
        let want = expect(
            &[
                format!(
                    "{IDLE} (user legacy-backup) has been idle 120 days, the limit is 90 days: last used {} with Oss from 192.0.2.44 ({})",
                    clock.rfc3339(120),
                    last_used(IDLE)
                ),
                format!(
                    "{NEVER} (user new-hire) was never used: ActionTrail has no record of it in the 400 days it keeps; delete it or find who holds it ({})",
                    last_used(NEVER)
                ),
            ],
            &[format!(
                "{FRESH1} (user ci-deployer) is being retired but was used 3 days ago, within the 30 days it must be idle: last used {} with Ecs from 10.0.1.5; move that caller to a new key first ({})",
                clock.rfc3339(3),
                last_used(FRESH1)
            )],
            &[
                format!(
                    "{IDLE} (user legacy-backup) used Oss from 192.0.2.44, outside the allowed CIDRs (10.0.0.0/16): last at {}, calling GetObject ({})",
                    clock.rfc3339(120),
                    ips_of(IDLE, "Oss")
                ),
                format!(
                    "{STRAY} (user fleet-agent) used Slb from 198.51.100.77, outside the allowed CIDRs (10.0.0.0/16): last at {}, calling DescribeLoadBalancers ({})",
                    clock.rfc3339(5),
                    ips_of(STRAY, "Slb")
                ),
            ],
        );
        // A never-used key may be retired; one used three days ago may not.
        assert_judged(
            tf,
            "dirty plan",
            judge(&dirty, &params(&[FRESH1, NEVER])),
            want,
        );

        // A read without usage (as a provider fault would leave it) is a finding, not a
        // pass: blank `used` of the idle key in the real plan.
        let mut blanked: Value = serde_json::from_str(&dirty).unwrap();
        for r in blanked["prior_state"]["values"]["root_module"]["resources"]
            .as_array_mut()
            .unwrap()
        {
            if r["address"] == last_used(IDLE).as_str() {
                r["values"]["used"] = Value::Null;
            }
        }
        let got = judge(&blanked.to_string(), &params(&[IDLE]));
        let incomplete = format!(
            "{} read {IDLE} without usage (used = null, days_since_last_used = 120): the policy cannot judge it",
            last_used(IDLE)
        );
        assert!(
            got[0].1.contains(&incomplete) && got[1].1.contains(&incomplete),
            "{tf:?}: {got:?}"
        );
        assert!(
            !got[0].1.iter().any(|m| m.contains("has been idle")),
            "{tf:?}: {got:?}"
        );
    });
}

#[test]
fn each_policy_says_so_when_the_plan_lacks_the_data_it_needs() {
    for_each_terraform(|tf, sim, clock| {
        // No key read at all: nothing passes for want of something to judge.
        let ws = example_workspace(tf, sim);
        let empty = plan_json(&ws, &[&keys_var(&[])]);
        assert_judged(
            tf,
            "plan reading no key",
            judge(&empty, &params(&[FRESH1])),
            expect(
                &["no actiontrail_accesskeys or actiontrail_accesskey_last_used was read in this plan: there is no key to judge; read the fleet, or one actiontrail_accesskey_last_used per Active key (for_each over them)".into()],
                &[format!("{FRESH1} is being retired, but neither actiontrail_accesskeys nor actiontrail_accesskey_last_used read it in this plan: whether it is still in use is unknown; read it (access_key_ids, or for_each over the retiring keys)")],
                &["no actiontrail_accesskey_last_used_ips was read in this plan: there is no IP to judge; read one per key and service".into()],
            ),
        );

        // Reads put off until apply (timestamp() is unknown at plan time), an IP list cut
        // short by max_items, and a service the key used whose IPs are not read.
        let hcl = format!(
            r#"{block}
provider "actiontrail" {{}}

data "actiontrail_accesskey_last_used" "late" {{
  access_key_id = timestamp() != "" ? "{FRESH1}" : ""
}}

data "actiontrail_accesskey_last_used" "stray" {{
  access_key_id = "{STRAY}"
}}

data "actiontrail_accesskey_last_used_products" "stray" {{
  access_key_id = "{STRAY}"
}}

data "actiontrail_accesskey_last_used_ips" "stray_ecs" {{
  access_key_id = "{STRAY}"
  service_name  = "Ecs"
  max_items     = 1
}}

data "actiontrail_accesskey_last_used_ips" "late" {{
  access_key_id = timestamp() != "" ? "{STRAY}" : ""
  service_name  = "Slb"
}}
"#,
            block = support::terraform_block()
        );
        let mut ws = Workspace::new(tf, &hcl);
        ws.use_sim(sim);
        ws.init();
        let partial = plan_json(&ws, &[]);
        let late = |ty: &str| {
            format!("data.{ty}.late is read during apply, not plan (one of its arguments is unknown until then): the key usage it would show is not in this plan, so the policy cannot pass it; make its arguments known at plan time")
        };
        let got = judge(&partial, &params(&[STRAY, FRESH1]));
        assert_judged(
            tf,
            "plan with deferred and partial reads",
            got,
            expect(
                &[late("actiontrail_accesskey_last_used")],
                &[
                    late("actiontrail_accesskey_last_used"),
                    format!("{FRESH1} is being retired, but neither actiontrail_accesskeys nor actiontrail_accesskey_last_used read it in this plan: whether it is still in use is unknown; read it (access_key_ids, or for_each over the retiring keys)"),
                    format!(
                        "{STRAY} (user fleet-agent) is being retired but was used 1 day ago, within the 30 days it must be idle: last used {} with Ecs from 10.0.3.3; move that caller to a new key first (data.actiontrail_accesskey_last_used.stray)",
                        clock.rfc3339(1)
                    ),
                ],
                &[
                    late("actiontrail_accesskey_last_used_ips"),
                    format!("data.actiontrail_accesskey_last_used_ips.stray_ecs read 1 IPs of {STRAY} with Ecs and stopped at max_items: the others may be outside the allowed CIDRs; raise or remove max_items"),
                    format!("{STRAY} used Slb (data.actiontrail_accesskey_last_used_products.stray), but no actiontrail_accesskey_last_used_ips read its IPs for Slb in this plan: they cannot be checked"),
                ],
            ),
        );
    });
}

#[test]
fn a_plan_whose_read_failed_is_not_passed() {
    let errored = "the plan ended in an error (errored: true): the reads that failed are not in it, so the policy cannot pass it; fix the error and plan again";
    for_each_terraform(|tf, sim, _| {
        // The gate fails the read of a key used three days ago; the other read succeeds.
        let hcl = format!(
            r#"{block}
provider "actiontrail" {{}}

data "actiontrail_accesskey_last_used" "retiring" {{
  access_key_id       = "{FRESH1}"
  fail_if_used_within = "30d"
}}

data "actiontrail_accesskey_last_used" "idle" {{
  access_key_id = "{RETIRE}"
}}
"#,
            block = support::terraform_block()
        );
        let mut ws = Workspace::new(tf, &hcl);
        ws.use_sim(sim);
        ws.init();
        let out = ws.fails(&["plan", "-input=false", "-no-color", "-out=tfplan"]);
        assert!(out.contains("fail_if_used_within"), "{tf:?}: {out}");
        let saved = ws.work().join("tfplan").exists();
        if matches!(tf, Tf::V1_0_3 | Tf::V0_13_5) {
            // Nothing to judge: the pipeline stops at plan's exit status.
            assert!(!saved, "{tf:?} saves no plan that failed");
            return;
        }
        // Later releases save the failed plan, without the read that failed: judged on
        // what is left, the idle-key policy would pass it.
        assert!(saved, "{tf:?} saves the failed plan");
        let json = ws.ok(&["show", "-json", "tfplan"]);
        assert_judged(
            tf,
            "errored plan",
            judge(&json, &params(&[FRESH1])),
            expect(&[errored.into()], &[errored.into()], &[errored.into()]),
        );
    });
}

#[test]
fn reads_in_child_modules_are_judged_too() {
    for_each_terraform(|tf, sim, _| {
        let module = format!(
            "{}\ndata \"actiontrail_accesskey_last_used\" \"k\" {{\n  access_key_id = \"{NEVER}\"\n}}\n",
            support::terraform_block()
        );
        let root = format!(
            "{}\nprovider \"actiontrail\" {{}}\n\nmodule \"keys\" {{\n  source = \"./keys\"\n}}\n",
            support::terraform_block()
        );
        let mut ws = Workspace::new(tf, &root);
        std::fs::create_dir_all(ws.work().join("keys")).unwrap();
        std::fs::write(ws.work().join("keys/main.tf"), module).unwrap();
        ws.use_sim(sim);
        ws.init();
        let json = plan_json(&ws, &[]);
        let mut engine = eval::load(&policy_dir(), &[]).unwrap();
        let got: Vec<String> = eval::deny(&mut engine, &json, &[IDLE_KEYS.to_owned()])
            .unwrap()
            .into_iter()
            .map(|f| f.message)
            .collect();
        assert_eq!(
            got,
            [format!("{NEVER} (user new-hire) was never used: ActionTrail has no record of it in the 400 days it keeps; delete it or find who holds it (module.keys.data.actiontrail_accesskey_last_used.k)")],
            "{tf:?}"
        );
    });
}

#[test]
fn each_policy_refuses_input_that_is_not_a_plan_and_parameters_it_cannot_use() {
    let not_a_plan = "the input is not `terraform show -json` of a saved plan (no format_version, terraform_version or planned_values): there is no key usage to judge";
    // `{}`, and what `terraform show -json` prints when the plan file is left out and
    // there is no state.
    for input in ["{}", r#"{"format_version":"0.2"}"#] {
        let got = judge(input, &params(&[FRESH1]));
        let want = expect(
            &[not_a_plan.into()],
            &[not_a_plan.into()],
            &[not_a_plan.into()],
        );
        assert_eq!(got, want, "{input}");
    }

    let bad = json!({"actiontrail_policy": {
        "max_idle_days": "ninety",
        "retiring_window_days": null,
        "retiring_access_key_ids": FRESH1,
        "allowed_cidrs": [],
    }});
    let got = judge("{}", &bad);
    let want = expect(
        &[not_a_plan.into(), "actiontrail_policy.max_idle_days must be a number of days, not \"ninety\"".into()],
        &[
            not_a_plan.into(),
            "actiontrail_policy.retiring_access_key_ids must be a list of AccessKey IDs, not \"LTAI5tPolicyFresh000001\"".into(),
            "actiontrail_policy.retiring_window_days must be a number of days, not null".into(),
        ],
        &[
            not_a_plan.into(),
            "actiontrail_policy.allowed_cidrs is empty or missing: list the networks keys may be used from".into(),
        ],
    );
    assert_eq!(got, want);
}

const FLEET: &str = "data.actiontrail_accesskeys.fleet";

fn fleet_workspace(tf: Tf, sim: &Sim) -> Workspace {
    let hcl = std::fs::read_to_string(policy_dir().join("fleet/main.tf")).unwrap();
    let mut ws = Workspace::new(tf, &hcl);
    ws.use_sim(sim);
    ws.init();
    ws
}

/// The idle-key and retiring-keys deny sets of `plan_json`.
fn judge_fleet(plan_json: &str, retiring: &[&str]) -> Vec<(String, BTreeSet<String>)> {
    judge_with(plan_json, &params(retiring), &[IDLE_KEYS, RETIRING_KEYS])
}

fn expect_fleet(idle: &[String], retiring: &[String]) -> Vec<(String, BTreeSet<String>)> {
    let mut want = expect(idle, retiring, &[]);
    want.truncate(2);
    want
}

/// `plan_json` with `edit` applied to the fleet read's values.
fn edit_fleet(plan_json: &str, edit: impl Fn(&mut Value)) -> String {
    let mut plan: Value = serde_json::from_str(plan_json).unwrap();
    let resources = plan["prior_state"]["values"]["root_module"]["resources"]
        .as_array_mut()
        .unwrap();
    let fleet = resources
        .iter_mut()
        .find(|r| r["address"] == FLEET)
        .unwrap_or_else(|| panic!("the plan reads {FLEET}: {plan_json}"));
    edit(&mut fleet["values"]);
    plan.to_string()
}

#[test]
fn the_fleet_read_is_judged_key_by_key_active_keys_only() {
    for_each_terraform(|tf, sim, clock| {
        let ws = fleet_workspace(tf, sim);

        // Three users' keys: all in use recently but web's Inactive one, idle 200 days; the
        // retiring one idle 45 days.
        let users = format!(
            "-var=user_names={}",
            json!(["ci-deployer", "web", "old-ci"])
        );
        let clean = plan_json(&ws, &[&users]);
        assert!(
            clean.contains(OFF),
            "{tf:?}: the fleet lists the Inactive key: {clean}"
        );
        assert_judged(
            tf,
            "clean fleet",
            judge_fleet(&clean, &[RETIRE, OFF]),
            expect_fleet(&[], &[]),
        );

        // Every RAM user's keys.
        let dirty = plan_json(&ws, &[]);
        let want = expect_fleet(
            &[
                format!(
                    "{IDLE} (user legacy-backup) has been idle 120 days, the limit is 90 days: last used {} with Oss from 192.0.2.44 ({FLEET})",
                    clock.rfc3339(120)
                ),
                format!(
                    "{NEVER} (user new-hire) was never used: ActionTrail has no record of it in the 400 days it keeps; delete it or find who holds it ({FLEET})"
                ),
            ],
            &[format!(
                "{FRESH1} (user ci-deployer) is being retired but was used 3 days ago, within the 30 days it must be idle: last used {} with Ecs from 10.0.1.5; move that caller to a new key first ({FLEET})",
                clock.rfc3339(3)
            )],
        );
        assert_judged(
            tf,
            "dirty fleet",
            judge_fleet(&dirty, &[FRESH1, NEVER, OFF]),
            want,
        );

        // A fleet read without its keys, or with a key without usage, is a finding.
        let no_keys = edit_fleet(&dirty, |v| v["keys"] = Value::Null);
        let without = format!(
            "{FLEET} was read without its keys (keys = null): the policy cannot judge the fleet"
        );
        assert_judged(
            tf,
            "fleet read without keys",
            judge_fleet(&no_keys, &[RETIRE]),
            expect_fleet(
                std::slice::from_ref(&without),
                &[
                    without.clone(),
                    format!("{RETIRE} is being retired, but neither actiontrail_accesskeys nor actiontrail_accesskey_last_used read it in this plan: whether it is still in use is unknown; read it (access_key_ids, or for_each over the retiring keys)"),
                ],
            ),
        );
        let blanked = edit_fleet(&dirty, |v| {
            for k in v["keys"].as_array_mut().unwrap() {
                if k["access_key_id"] == IDLE {
                    k["used"] = Value::Null;
                }
            }
        });
        let got = judge_fleet(&blanked, &[IDLE]);
        let incomplete = format!(
            "{FLEET} lists {IDLE} without usage or status (status = Active, used = null, days_since_last_used = 120): the policy cannot judge it"
        );
        assert!(
            got[0].1.contains(&incomplete) && got[1].1.contains(&incomplete),
            "{tf:?}: {got:?}"
        );
        assert!(
            !got[0]
                .1
                .iter()
                .any(|m| m.contains(IDLE) && m.contains("has been idle")),
            "{tf:?}: {got:?}"
        );
    });
}

#[test]
fn a_fleet_read_put_off_or_failed_is_not_passed() {
    for_each_terraform(|tf, sim, _| {
        // The fleet read waits for apply: its user list is unknown at plan time.
        let hcl = format!(
            r#"{block}
provider "actiontrail" {{}}

data "actiontrail_accesskeys" "late" {{
  user_names = timestamp() != "" ? ["web"] : []
}}
"#,
            block = support::terraform_block()
        );
        let mut ws = Workspace::new(tf, &hcl);
        ws.use_sim(sim);
        ws.init();
        let late = plan_json(&ws, &[]);
        let deferred = "data.actiontrail_accesskeys.late is read during apply, not plan (one of its arguments is unknown until then): the key usage it would show is not in this plan, so the policy cannot pass it; make its arguments known at plan time".to_owned();
        assert_judged(
            tf,
            "deferred fleet read",
            judge_fleet(&late, &[FRESH2]),
            expect_fleet(
                std::slice::from_ref(&deferred),
                &[
                    deferred.clone(),
                    format!("{FRESH2} is being retired, but neither actiontrail_accesskeys nor actiontrail_accesskey_last_used read it in this plan: whether it is still in use is unknown; read it (access_key_ids, or for_each over the retiring keys)"),
                ],
            ),
        );

        // The fleet gate fails the read: a key of the set was used three days ago.
        let hcl = format!(
            r#"{block}
provider "actiontrail" {{}}

data "actiontrail_accesskeys" "retiring" {{
  access_key_ids          = ["{FRESH1}", "{RETIRE}"]
  fail_if_any_used_within = "30d"
}}
"#,
            block = support::terraform_block()
        );
        let mut ws = Workspace::new(tf, &hcl);
        ws.use_sim(sim);
        ws.init();
        let out = ws.fails(&["plan", "-input=false", "-no-color", "-out=tfplan"]);
        assert!(out.contains(FRESH1), "{tf:?}: {out}");
        let saved = ws.work().join("tfplan").exists();
        if matches!(tf, Tf::V1_0_3 | Tf::V0_13_5) {
            assert!(!saved, "{tf:?} saves no plan that failed");
            return;
        }
        assert!(saved, "{tf:?} saves the failed plan");
        let json = ws.ok(&["show", "-json", "tfplan"]);
        let errored = "the plan ended in an error (errored: true): the reads that failed are not in it, so the policy cannot pass it; fix the error and plan again".to_owned();
        assert_judged(
            tf,
            "errored fleet plan",
            judge_fleet(&json, &[RETIRE]),
            expect_fleet(
                std::slice::from_ref(&errored),
                std::slice::from_ref(&errored),
            ),
        );
    });
}
