//! The examples are what users copy: `terraform fmt` must leave them unchanged, each
//! must validate against the provider's schema on the Terraform it needs, and the
//! scenarios must do what they say against the emulator's data set.

use crate::support;

use crate::support::{Sim, Tf, Workspace};
use std::path::{Path, PathBuf};

fn example_dirs() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let mut has_tf = false;
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "tf") {
                has_tf = true;
            }
        }
        if has_tf {
            out.push(dir.to_path_buf());
        }
    }
    let mut out = Vec::new();
    walk(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("examples"),
        &mut out,
    );
    out.sort();
    out
}

/// The examples for today's Terraform (check blocks, postconditions, functions, ephemeral
/// resources), which Terraform 1.0.3 cannot read; all others run on every release.
const MODERN: [&str; 6] = [
    "action",
    "check",
    "postcondition",
    "functions",
    "ephemeral",
    "ephemeral-resources",
];

fn is_modern(dir: &Path) -> bool {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let first = dir
        .strip_prefix(&examples)
        .ok()
        .and_then(|rel| rel.components().next())
        .map(|c| c.as_os_str().to_string_lossy().into_owned());
    first.is_some_and(|f| MODERN.contains(&f.as_str()))
}

/// Every `.tf` file of an example directory, concatenated.
fn example_hcl(dir: &Path) -> String {
    let mut hcl = String::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        if entry.path().extension().is_some_and(|e| e == "tf") {
            hcl.push_str(&std::fs::read_to_string(entry.path()).unwrap());
            hcl.push('\n');
        }
    }
    hcl
}

/// A scenario example, initialised against the emulator.
fn scenario(tf: Tf, sim: &Sim, name: &str) -> Workspace {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name);
    let mut ws = Workspace::new(tf, &example_hcl(&dir));
    ws.use_sim(sim);
    ws.init();
    ws
}

#[test]
fn the_scenarios_do_what_they_say_against_the_emulator() {
    let sim = Sim::start(&[]);
    for tf in Tf::ALL {
        let audit = scenario(tf, &sim, "audit").outputs();
        assert_eq!(audit["last_used"]["service"], "Ecs", "{tf:?}: {audit}");
        assert!(
            audit["ips"]["Ecs"]
                .as_array()
                .is_some_and(|ips| ips.iter().any(|ip| ip == "203.0.113.10")),
            "{tf:?}: the audit lists the key's IPs per service: {audit}"
        );
        assert!(
            audit["services"].as_object().is_some_and(|s| s.len() >= 2),
            "{tf:?}: {audit}"
        );

        let keys = scenario(tf, &sim, "for_each").outputs();
        assert_eq!(
            keys["never_used"],
            serde_json::json!(["LTAI5tNeverUsed00000001"]),
            "{tf:?}: {keys}"
        );
        assert_eq!(
            keys["idle_90_days"],
            serde_json::json!(["LTAI5tIdleKey0000000001"]),
            "{tf:?}: {keys}"
        );

        let fleet = scenario(tf, &sim, "fleet").outputs();
        let mut idle: Vec<String> =
            serde_json::from_value(fleet["idle_90_days_or_never_used"].clone()).unwrap();
        idle.sort();
        assert_eq!(
            idle,
            [
                "LTAI5tIdleKey0000000001",
                "LTAI5tIdleKey0000000002",
                "LTAI5tNeverUsed00000001"
            ],
            "{tf:?}: {fleet}"
        );
        assert_eq!(
            fleet["retiring_keys_last_used"]["LTAI5tNeverUsed00000001"],
            serde_json::Value::Null,
            "{tf:?}: the retiring set passes the gate: {fleet}"
        );

        let gate = scenario(tf, &sim, "gate");
        let out = gate.fails(&["plan", "-input=false", "-no-color"]);
        assert!(
            out.contains("LTAI5tRecentUse000000001") && out.contains("fail_if_used_within"),
            "{tf:?}: the gate example fails on its own diagnostic:\n{out}"
        );
    }
}

#[test]
fn the_organization_example_reads_a_generated_directory() {
    use actiontrail_provider::sim::organization::{self, ORG_CALLER_ID, ORG_CALLER_SECRET};
    // The directory the example's comment names; its retiring keys are idle there.
    let sim = Sim::start(&["--organization", "3:4", "--seed", "0"]);
    for (n, user) in [(2, 1), (3, 4)] {
        assert_ne!(
            organization::usage(0, n, user),
            organization::Usage::Recently
        );
    }
    for tf in [Tf::V1_0_3, Tf::V1_15_5] {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/organization");
        let mut ws = Workspace::new(tf, &example_hcl(&dir));
        ws.use_sim(&sim)
            .env("ALIBABA_CLOUD_STS_ENDPOINT", &sim.url)
            .env("ALIBABA_CLOUD_RESOURCEMANAGER_ENDPOINT", &sim.url)
            .env("ALIBABA_CLOUD_ACCESS_KEY_ID", ORG_CALLER_ID)
            .env("ALIBABA_CLOUD_ACCESS_KEY_SECRET", ORG_CALLER_SECRET);
        ws.init();
        let out = ws.outputs();
        // The management account holds no keys; three members of four users were read.
        assert_eq!(out["accounts_read"], 4, "{tf:?}: {out}");
        let retiring = out["retiring_keys"].as_object().unwrap();
        assert_eq!(retiring.len(), 2, "{tf:?}: {out}");
        assert!(
            retiring["LTAI5tO0003U000004K000"]
                .as_str()
                .is_some_and(|s| s.ends_with("never used")),
            "{tf:?}: {out}"
        );
        let idle: usize = out["idle_by_account"]
            .as_object()
            .unwrap()
            .values()
            .map(|v| v.as_array().unwrap().len())
            .sum();
        let expected = (1..=3)
            .flat_map(|n| (1..=4).map(move |u| (n, u)))
            .filter(|&(n, u)| organization::usage(0, n, u) != organization::Usage::Recently)
            .count();
        assert_eq!(
            idle, expected,
            "{tf:?}: every key idle 90 days or never used: {out}"
        );
    }
}

#[test]
fn the_examples_for_todays_terraform_do_what_they_say_on_1_15_5() {
    let sim = Sim::start(&[]);
    let tf = Tf::V1_15_5;
    let one_line = |s: String| s.split_whitespace().collect::<Vec<_>>().join(" ");

    let check = one_line(scenario(tf, &sim, "check").ok(&["plan", "-input=false", "-no-color"]));
    assert!(
        check.contains("Warning: Check block assertion failed")
            && check.contains("was used in the last 90 days (service Ecs)"),
        "the check example warns and the plan goes on:\n{check}"
    );

    let post =
        one_line(scenario(tf, &sim, "postcondition").fails(&["plan", "-input=false", "-no-color"]));
    assert!(
        post.contains("Error: Resource postcondition failed")
            && post.contains("AccessKey LTAI5tRecentUse000000001 was used 2 days ago")
            && post.contains("keep it until it has been idle for 90 days"),
        "the postcondition example fails the plan:\n{post}"
    );

    let f = scenario(tf, &sim, "functions").outputs();
    assert_eq!(
        f["used_in_window"],
        serde_json::json!({
            "LTAI5tRecentUse000000001": true,
            "LTAI5tIdleKey0000000001": false,
            "LTAI5tNeverUsed00000001": false
        }),
        "{f}"
    );
    assert_eq!(f["idle_window_days"], 90, "{f}");
    assert!(
        f["last_event_names"]["LTAI5tRecentUse000000001"].is_string(),
        "{f}"
    );
    assert!(
        f["last_event_names"]["LTAI5tNeverUsed00000001"].is_null(),
        "{f}"
    );

    let eph = scenario(tf, &sim, "ephemeral").ok(&["plan", "-input=false", "-no-color"]);
    assert!(
        eph.contains("ephemeral.actiontrail_accesskey_last_used.retiring: Opening complete"),
        "{eph}"
    );
    // The emulator's plain-HTTP endpoint draws the weak-transport warning; nothing else
    // may warn.
    assert_eq!(
        eph.matches("Warning:").count(),
        eph.matches("Warning: Weak transport to ActionTrail")
            .count(),
        "the idle key passes the gate and the check:\n{eph}"
    );
}

#[test]
fn terraform_fmt_leaves_every_example_unchanged() {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let fmt = |tf: Tf, args: &[&str], path: &Path| {
        let out = std::process::Command::new(tf.binary())
            .args(["fmt", "-check", "-diff", "-no-color"])
            .args(args)
            .arg(path)
            .env("CHECKPOINT_DISABLE", "1")
            .env("TF_CLI_CONFIG_FILE", "/dev/null")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "terraform fmt ({tf:?}) would change {}:\n{}{}",
            path.display(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    };
    fmt(Tf::V1_15_5, &["-recursive"], &examples);
    for dir in example_dirs().iter().filter(|d| !is_modern(d)) {
        fmt(Tf::V1_0_3, &[], dir);
    }
}

#[test]
fn every_example_validates_against_the_schema() {
    let dirs = example_dirs();
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let data_sources = actiontrail_provider::provider::type_names();
    for name in &data_sources {
        assert!(
            dirs.contains(&examples.join("data-sources").join(name)),
            "examples/data-sources/{name} is missing: every data source has an example"
        );
    }
    assert!(
        dirs.len() >= data_sources.len() + 3 + 1 + 8,
        "examples/ has the provider, one example per data source, three functions, one ephemeral resource and seven scenarios: {dirs:?}"
    );
    for dir in dirs {
        let mut hcl = example_hcl(&dir);
        if !hcl.contains("required_providers") {
            hcl = format!("{}\n{hcl}", support::terraform_block());
        }
        let tf = if is_modern(&dir) {
            Tf::V1_15_5
        } else {
            Tf::V1_0_3
        };
        let ws = Workspace::new(tf, &hcl);
        ws.init();
        let out = ws.ok(&["validate", "-no-color"]);
        assert!(
            out.contains("The configuration is valid"),
            "{} ({tf:?}): {out}",
            dir.display()
        );
    }
}
