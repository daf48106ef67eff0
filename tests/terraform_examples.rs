//! The examples are what users copy: `terraform fmt` must leave them unchanged, each
//! must validate against the provider's schema, and the scenarios must do what they say
//! against the emulator's data set.

mod support;

use std::path::{Path, PathBuf};
use support::{Sim, Tf, Workspace};

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
fn terraform_fmt_leaves_every_example_unchanged() {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let out = std::process::Command::new(Tf::V1_0_3.binary())
        .args(["fmt", "-check", "-recursive", "-diff", "-no-color"])
        .arg(&examples)
        .env("CHECKPOINT_DISABLE", "1")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "terraform fmt would change these examples:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn every_example_validates_against_the_schema() {
    let dirs = example_dirs();
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let data_sources = actiontrail_provider::data_sources::type_names();
    for name in &data_sources {
        assert!(
            dirs.contains(&examples.join("data-sources").join(name)),
            "examples/data-sources/{name} is missing: every data source has an example"
        );
    }
    assert!(
        dirs.len() > data_sources.len() + 3,
        "examples/ has the provider, one example per data source and three scenarios: {dirs:?}"
    );
    for dir in dirs {
        let mut hcl = example_hcl(&dir);
        if !hcl.contains("required_providers") {
            hcl = format!("{}\n{hcl}", support::terraform_block());
        }
        let ws = Workspace::new(Tf::V1_0_3, &hcl);
        ws.init();
        let out = ws.ok(&["validate", "-no-color"]);
        assert!(
            out.contains("The configuration is valid"),
            "{}: {out}",
            dir.display()
        );
    }
}
