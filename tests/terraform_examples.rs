//! The examples are what users copy: `terraform fmt` must leave them unchanged, and each
//! must validate against the provider's schema.

mod support;

use std::path::{Path, PathBuf};
use support::{Tf, Workspace};

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
    assert!(
        dirs.len() >= 8,
        "examples/ has the provider, four data sources and three scenarios: {dirs:?}"
    );
    for dir in dirs {
        let mut hcl = String::new();
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            if entry.path().extension().is_some_and(|e| e == "tf") {
                hcl.push_str(&std::fs::read_to_string(entry.path()).unwrap());
                hcl.push('\n');
            }
        }
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
