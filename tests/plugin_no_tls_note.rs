//! Without PLUGIN_CLIENT_CERT the plugin serves without TLS, and says so on stderr even
//! with logging off: a weak transport is never silent.

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};

const COOKIE: (&str, &str) = (
    "TF_PLUGIN_MAGIC_COOKIE",
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2",
);

#[test]
fn serving_without_a_client_certificate_is_said_on_stderr_whatever_tf_log_is() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_terraform-provider-actiontrail"))
        .env_clear()
        .env(COOKIE.0, COOKIE.1)
        .env("PLUGIN_PROTOCOL_VERSIONS", "6")
        .env("TF_LOG", "OFF")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the plugin starts");
    let mut handshake = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut handshake)
        .unwrap();
    let _ = child.kill();
    let _ = child.wait();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let fields: Vec<&str> = handshake.trim_end().split('|').collect();
    assert_eq!(fields.len(), 6, "{handshake:?}");
    assert_eq!(fields[5], "", "no certificate in the handshake without TLS");
    assert!(
        stderr.contains(actiontrail_provider::plugin::NO_TLS_NOTE),
        "stderr: {stderr:?}"
    );
    // The plugin was killed, so its socket directory is this test's to remove.
    if let Some(dir) = std::path::Path::new(fields[3]).parent() {
        let _ = std::fs::remove_dir_all(dir);
    }
}
