//! Alibaba's official Python SDKs (the new tea-openapi clients of ActionTrail, RAM,
//! ResourceManager and STS in both signature modes, and the older aliyun-python-sdk-core
//! client) against the real `actiontrail-sim` binary: the oracle that the emulator is
//! Alibaba-shaped. The checks are in tests/sdk/conformance.py; the Resource Directory's run
//! against a second emulator started with `--organization`.

use crate::support::{output_text, Sim};
use std::path::PathBuf;
use std::process::Command;

#[test]
fn the_official_python_sdks_call_every_operation_against_the_emulator() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let python = root.join("tools/venv/bin/python");
    assert!(
        python.is_file(),
        "{} is missing: run `make tools` (scripts/fetch-tools.sh) to install the pinned Alibaba SDK",
        python.display()
    );
    let sim = Sim::start(&[]);
    let org = Sim::start(&["--organization", "3:4"]);
    let out = Command::new(&python)
        .arg(root.join("tests/sdk/conformance.py"))
        .arg(&sim.url)
        .arg(&org.url)
        .output()
        .expect("the venv's python runs");
    let text = output_text(&out);
    assert!(out.status.success(), "conformance.py failed:\n{text}");
    for client in [
        "alibabacloud_actiontrail20200706 v2: ok",
        "alibabacloud_actiontrail20200706 ACS3-HMAC-SHA256 (default): ok",
        "alibabacloud_ram20150501 v2: ok",
        "alibabacloud_ram20150501 ACS3-HMAC-SHA256 (default): ok",
        "aliyun-python-sdk-core + aliyun-python-sdk-actiontrail: ok",
        "alibabacloud_resourcemanager20200331 + alibabacloud_sts20150401 v2: ok",
        "alibabacloud_resourcemanager20200331 + alibabacloud_sts20150401 ACS3-HMAC-SHA256 (default): ok",
    ] {
        assert!(text.contains(client), "{client} did not run:\n{text}");
    }
    let stats = sim.stats();
    assert_eq!(
        stats["errors"]["SignatureDoesNotMatch"].as_u64(),
        Some(5),
        "each client's wrong secret reached the emulator, once: {stats}"
    );
    let stats = org.stats();
    for (action, served) in [
        // Two pages in each signature mode.
        ("ListAccounts", 4),
        // The management caller and the member's role, each mode, the call within the
        // rate before the throttled one and the one after its x-acs-retry-after.
        ("GetCallerIdentity", 8),
        ("AssumeRole", 2),
    ] {
        assert_eq!(
            stats["served"][action].as_u64(),
            Some(served),
            "{action}: {stats}"
        );
    }
    assert_eq!(
        stats["throttled"]["GetCallerIdentity"].as_u64(),
        Some(2),
        "one throttled call in each mode: {stats}"
    );
}
