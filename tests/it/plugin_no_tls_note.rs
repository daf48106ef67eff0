//! Without PLUGIN_CLIENT_CERT the plugin serves without TLS, and says so on stderr even
//! with logging off: a weak transport is never silent.

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};

use crate::support::{run_tmp, COOKIE};

#[test]
fn serving_without_a_client_certificate_is_said_on_stderr_whatever_tf_log_is() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_terraform-provider-actiontrail"))
        .env_clear()
        .env(COOKIE.0, COOKIE.1)
        .env("PLUGIN_PROTOCOL_VERSIONS", "6")
        .env("TF_LOG", "OFF")
        // Its socket directory goes where a later run sweeps it if this one is killed
        // before it removes the directory below.
        .env("TMPDIR", run_tmp())
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
    // The plugin was killed, so its socket directory is this test's to remove: only a
    // directory named as the plugin names its own (`plugin...`), never whatever parent a
    // wrong handshake field would point at (the temp directory itself, say).
    let socket = std::path::Path::new(fields[3]);
    let dir = socket_dir_to_remove(socket)
        .unwrap_or_else(|| panic!("{}: not in a plugin* directory", socket.display()));
    std::fs::remove_dir_all(dir).unwrap();
    assert!(!dir.exists(), "{} is removed", dir.display());
}

/// The socket's directory, when it is one the plugin made (`plugin...`).
fn socket_dir_to_remove(socket: &std::path::Path) -> Option<&std::path::Path> {
    socket.parent().filter(|d| {
        d.file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("plugin"))
    })
}

#[test]
fn only_a_plugin_directory_is_removed() {
    let tmp = std::env::temp_dir();
    assert_eq!(
        socket_dir_to_remove(&tmp.join("plugin1234/plugin.sock")),
        Some(tmp.join("plugin1234").as_path())
    );
    assert_eq!(
        socket_dir_to_remove(&tmp.join("plugin.sock")),
        None,
        "the temp directory itself"
    );
    assert_eq!(
        socket_dir_to_remove(std::path::Path::new("/plugin.sock")),
        None
    );
    assert_eq!(socket_dir_to_remove(std::path::Path::new("")), None);
}
