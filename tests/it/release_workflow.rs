//! The release workflow cannot run here; `make lint` checks it with actionlint and zizmor,
//! installed (pinned, from PyPI) by scripts/lint-tools.sh. The workflow passes both, and
//! both catch what they are there for: an action not pinned by commit and an untrusted
//! value expanded into a script.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::output_text as text;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The linters' venv, installed by the project's own script (nothing happens when it is
/// up to date).
fn linters() -> (PathBuf, PathBuf) {
    // Once for the test binary: two installs at once would remove each other's venv.
    static INSTALLED: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    let installed = *INSTALLED.get_or_init(|| {
        Command::new("bash")
            .arg(root().join("scripts/lint-tools.sh"))
            .status()
            .expect("bash runs scripts/lint-tools.sh")
            .success()
    });
    assert!(installed, "scripts/lint-tools.sh failed");
    let bin = root().join("tools/lint-venv/bin");
    (bin.join("actionlint"), bin.join("zizmor"))
}

fn lint(dir: &Path) -> (std::process::Output, std::process::Output) {
    let (actionlint, zizmor) = linters();
    let workflows = dir.join(".github/workflows");
    let files: Vec<PathBuf> = std::fs::read_dir(&workflows)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert!(!files.is_empty(), "no workflow in {}", workflows.display());
    let a = Command::new(actionlint)
        .args(&files)
        .current_dir(dir)
        .output()
        .unwrap();
    let z = Command::new(zizmor)
        .args(["--offline", "--no-progress"])
        .arg(&workflows)
        .current_dir(dir)
        .output()
        .unwrap();
    (a, z)
}

#[test]
fn the_release_workflow_passes_actionlint_and_zizmor() {
    let (a, z) = lint(&root());
    assert!(a.status.success(), "actionlint:\n{}", text(&a));
    assert!(z.status.success(), "zizmor:\n{}", text(&z));
    let workflow = std::fs::read_to_string(root().join(".github/workflows/release.yml")).unwrap();
    // Every action is pinned by a full commit hash.
    for line in workflow.lines().filter(|l| l.contains("uses:")) {
        let reference = line.split('@').nth(1).unwrap_or("");
        let hash = reference.split_whitespace().next().unwrap_or("");
        assert!(
            hash.len() == 40 && hash.chars().all(|c| c.is_ascii_hexdigit()),
            "not pinned by commit: {line}"
        );
    }
    // The platforms the Registry gets, each packaged by the same script the tests run.
    for platform in [
        "linux_amd64",
        "linux_arm64",
        "darwin_amd64",
        "darwin_arm64",
        "windows_amd64",
    ] {
        assert!(workflow.contains(platform), "{platform} is not built");
    }
    assert!(workflow.contains("bash scripts/release.sh build"));
    assert!(workflow.contains("bash scripts/release.sh sign"));
    assert!(workflow.contains("make lint") && workflow.contains("make test"));
}

#[test]
fn the_linters_refuse_an_unpinned_action_and_a_script_injection() {
    let dir = tempfile::tempdir().unwrap();
    let workflows = dir.path().join(".github/workflows");
    std::fs::create_dir_all(&workflows).unwrap();
    std::fs::write(
        workflows.join("greet.yml"),
        "name: greet\non:\n  issues:\n    types: [opened]\npermissions: {}\njobs:\n  greet:\n    runs-on: ubuntu-24.04\n    steps:\n      - uses: actions/checkout@v4\n        with:\n          persist-credentials: false\n      - run: echo \"${{ github.event.issue.title }}\"\n",
    )
    .unwrap();
    let (a, z) = lint(dir.path());
    let (a, z) = (text(&a), text(&z));
    assert!(a.contains("potentially untrusted"), "actionlint:\n{a}");
    assert!(z.contains("unpinned-uses"), "zizmor:\n{z}");
    assert!(z.contains("template-injection"), "zizmor:\n{z}");
}
