//! The real `actiontrail-sim` binary: its first stdout line, `--port 0`, `--data FILE`,
//! `--dump-data` round trips, flag validation and a clean exit on SIGTERM.

use crate::support::rpc::Rpc;
use crate::support::{Sim, DEMO_ACCESS_KEY_ID, DEMO_ACCESS_KEY_SECRET};
use serde_json::Value as J;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_actiontrail-sim");

/// A GET signed with HMAC-SHA1 by `id`/`secret`.
fn call(url: &str, id: &str, secret: &str, action: &str, params: &[(&str, &str)]) -> (u16, J) {
    let mut rpc = Rpc::new(url, (id, secret));
    rpc.method = "GET";
    let a = rpc.call_blocking(action, params);
    (a.status, a.body)
}

fn demo(url: &str, action: &str, params: &[(&str, &str)]) -> J {
    let (status, body) = call(
        url,
        DEMO_ACCESS_KEY_ID,
        DEMO_ACCESS_KEY_SECRET,
        action,
        params,
    );
    assert_eq!(status, 200, "{body}");
    body
}

fn dump(args: &[&str]) -> String {
    let out = Command::new(BIN)
        .arg("--dump-data")
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn the_first_stdout_line_is_the_address_of_a_free_port_and_it_serves_after_stdout_closes() {
    let a = Sim::start(&[]);
    let b = Sim::start(&[]);
    assert!(a.url.starts_with("http://127.0.0.1:"), "{}", a.url);
    assert_ne!(a.url, b.url, "--port 0 picks a free port each time");
    // Sim::start dropped the stdout pipe after the first line; the emulator keeps serving.
    let info = demo(
        &a.url,
        "GetAccessKeyLastUsedInfo",
        &[("AccessKey", "LTAI5tRecentUse000000001")],
    );
    assert_eq!(info["ServiceName"], "Ecs");
    assert_eq!(a.stats()["requests"]["GetAccessKeyLastUsedInfo"], 1);
}

#[test]
fn dump_data_round_trips_through_data_file() {
    let builtin = dump(&[]);
    let parsed: J = serde_json::from_str(&builtin).unwrap();
    // Every key of the built-in set is dumped, not just some.
    assert_eq!(
        parsed["keys"].as_array().unwrap().len(),
        actiontrail_provider::sim::dataset::DataSet::demo()
            .keys
            .len()
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("demo.json");
    std::fs::write(&file, &builtin).unwrap();
    let path = file.to_str().unwrap();
    assert_eq!(
        dump(&["--data", path]),
        builtin,
        "the file format is the dump format"
    );

    let from_file = Sim::start(&["--data", path]);
    let from_builtin = Sim::start(&[]);
    for key in ["LTAI5tRecentUse000000001", "LTAI5tManyIps0000000001"] {
        let a = demo(
            &from_file.url,
            "GetAccessKeyLastUsedProducts",
            &[("AccessKey", key)],
        );
        let b = demo(
            &from_builtin.url,
            "GetAccessKeyLastUsedProducts",
            &[("AccessKey", key)],
        );
        let names = |v: &J| -> Vec<J> {
            v["Products"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["ServiceName"].clone())
                .collect()
        };
        assert_eq!(names(&a), names(&b), "{key}");
        let (ta, tb) = (
            a["Products"][0]["UsedTimestamp"].as_i64().unwrap(),
            b["Products"][0]["UsedTimestamp"].as_i64().unwrap(),
        );
        assert!((ta - tb).abs() < 60_000, "relative times stay relative");
    }
}

#[test]
fn a_data_file_with_absolute_times_and_explicit_details_is_served_as_written() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("mine.json");
    // Absolute times, but recent: ActionTrail reports 400 days at most.
    let now = time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .unwrap();
    let ecs_ms = (now - time::Duration::days(10)).unix_timestamp() * 1000;
    let oss_at = now - time::Duration::days(20);
    let oss_text = oss_at
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    std::fs::write(
        &file,
        format!(
            r#"{{
  "callers": [{{"access_key_id": "LTAI5tMine000000000001", "access_key_secret": "s3cret",
               "account_id": "42", "readable_accounts": ["42"]}}],
  "keys": [{{
    "access_key_id": "LTAI5tTarget0000000001", "account_id": "42", "account_type": "root-account",
    "products": [
      {{"service_name": "Ecs", "used_at": {ecs_ms}, "detail": {{"eventName": "RunInstances"}}}},
      {{"service_name": "Oss", "used_at": "{oss_text}", "source": "DataEvent"}}
    ],
    "ips": {{"Ecs": [{{"ip": "192.0.2.1", "used_at": "now-1h"}}]}}
  }}]
}}"#
        ),
    )
    .unwrap();
    let sim = Sim::start(&["--data", file.to_str().unwrap()]);
    let (status, info) = call(
        &sim.url,
        "LTAI5tMine000000000001",
        "s3cret",
        "GetAccessKeyLastUsedInfo",
        &[("AccessKey", "LTAI5tTarget0000000001")],
    );
    assert_eq!(status, 200, "{info}");
    assert_eq!(info["UsedTimestamp"], ecs_ms);
    assert_eq!(info["Detail"], r#"{"eventName":"RunInstances"}"#);
    assert_eq!(info["ServiceNameEn"], "Elastic Compute Service");
    assert_eq!(info["OwnerId"], "42", "owner defaults to the account");
    let (_, products) = call(
        &sim.url,
        "LTAI5tMine000000000001",
        "s3cret",
        "GetAccessKeyLastUsedProducts",
        &[("AccessKey", "LTAI5tTarget0000000001")],
    );
    assert_eq!(
        products["Products"][1]["UsedTimestamp"],
        oss_at.unix_timestamp() * 1000
    );
    assert_eq!(products["Products"][1]["Source"], "DataEvent");
    let (status, _) = call(
        &sim.url,
        DEMO_ACCESS_KEY_ID,
        DEMO_ACCESS_KEY_SECRET,
        "GetAccessKeyLastUsedInfo",
        &[("AccessKey", "LTAI5tTarget0000000001")],
    );
    assert_eq!(status, 404, "the built-in callers are not in this data set");
}

#[test]
fn bad_flags_and_bad_data_files_exit_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, r#"{"keys": [{"access_key_id": 1}]}"#).unwrap();
    for args in [
        vec!["--throttle-rate", "2"],
        vec!["--error-rate", "x"],
        vec!["--data", "/nonexistent/data.json"],
        vec!["--data", bad.to_str().unwrap()],
    ] {
        let out = Command::new(BIN)
            .args(["--port", "0"])
            .args(&args)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert!(!out.status.success(), "{args:?}");
        assert!(!out.stderr.is_empty(), "{args:?} says why");
    }
}

#[test]
fn exits_cleanly_on_sigterm() {
    let mut child = Command::new(BIN)
        .args(["--port", "0"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(
        first.starts_with("actiontrail-sim listening on http://127.0.0.1:"),
        "{first}"
    );
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    // The deadline only turns a process that ignores SIGTERM into a failure instead of a
    // hang; it returns as soon as the process exits, so load does not decide it.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "{status}");
            return;
        }
        assert!(
            Instant::now() < deadline,
            "still running 60 s after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}
