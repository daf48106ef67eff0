//! The TCP transport go-plugin uses on Windows (`tcp|127.0.0.1:PORT` on the handshake line,
//! a port in `PLUGIN_MIN_PORT`..`PLUGIN_MAX_PORT`), forced on Linux with
//! `ACTIONTRAIL_PLUGIN_TRANSPORT=tcp`: real Terraform handshakes and plans over it with
//! AutoMTLS, and only the holder of Terraform's client certificate gets in.

use std::net::SocketAddr;
use std::process::{Command, Stdio};

use crate::support::plugin::{connect_tls_tcp, ClientIdentity, Plugin, COOKIE};
use crate::support::{terraform_block, Sim, Tf, Workspace};
use tonic_health::pb::health_client::HealthClient;
use tonic_health::pb::HealthCheckRequest;

const TRANSPORT: &str = "ACTIONTRAIL_PLUGIN_TRANSPORT";
const RECENT: &str = "LTAI5tRecentUse000000001";

/// Starts the plugin with the TCP transport forced and `extra` in its environment.
fn start_tcp(client: Option<&ClientIdentity>, extra: &[(&str, &str)]) -> Plugin {
    let env: Vec<(&str, &str)> = [(TRANSPORT, "tcp")]
        .into_iter()
        .chain(extra.iter().copied())
        .collect();
    Plugin::start_with("5,6", client, &env)
}

/// The handshake's TCP address, which must be on loopback.
fn tcp_address(plugin: &Plugin) -> SocketAddr {
    let fields = plugin.fields();
    assert_eq!(fields.len(), 6, "{:?}", plugin.handshake);
    assert_eq!(fields[2], "tcp", "{:?}", plugin.handshake);
    let address: SocketAddr = fields[3].parse().expect("the address is IP:PORT");
    assert_eq!(address.ip().to_string(), "127.0.0.1", "loopback only");
    address
}

async fn health(channel: tonic::transport::Channel) -> Result<(), tonic::Status> {
    HealthClient::new(channel)
        .check(HealthCheckRequest::default())
        .await
        .map(|_| ())
}

#[test]
fn terraform_handshakes_and_plans_over_tcp_with_mtls_in_the_allowed_port_range() {
    let sim = Sim::start(&[]);
    let hcl = format!(
        r#"{}
provider "actiontrail" {{}}

data "actiontrail_accesskey_last_used" "k" {{
  access_key_id = "{RECENT}"
}}

output "key" {{
  value = data.actiontrail_accesskey_last_used.k.access_key_id
}}
"#,
        terraform_block()
    );
    for tf in Tf::ALL {
        let mut ws = Workspace::new(tf, &hcl);
        ws.use_sim(&sim);
        ws.init();
        ws.env(TRANSPORT, "tcp").env("TF_LOG", "DEBUG");
        let out = ws.run(&["apply", "-auto-approve", "-input=false", "-no-color"]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{tf:?}:\n{stderr}");
        // go-plugin's client sets PLUGIN_MIN_PORT=10000 and PLUGIN_MAX_PORT=25000 (an
        // ephemeral port would be above them); the plugin's log, which Terraform relays,
        // says where it listened and that Terraform came in over TCP with its certificate.
        let ports: Vec<u16> = stderr
            .match_indices("socket=127.0.0.1:")
            .map(|(i, m)| {
                let rest = &stderr[i + m.len()..];
                let end = rest
                    .find(|c: char| !c.is_ascii_digit())
                    .unwrap_or(rest.len());
                rest[..end].parse().unwrap()
            })
            .collect();
        assert!(
            !ports.is_empty(),
            "{tf:?}: the plugin did not listen on TCP:\n{stderr}"
        );
        assert!(
            ports.iter().all(|p| (10000..=25000).contains(p)),
            "{tf:?}: {ports:?} outside PLUGIN_MIN_PORT..PLUGIN_MAX_PORT"
        );
        assert!(
            stderr.contains("admitted a client over mTLS")
                && stderr.contains("peer=\"tcp 127.0.0.1:"),
            "{tf:?}: Terraform did not come in over TCP with mTLS:\n{stderr}"
        );
        assert!(
            stderr.contains("configuring client automatic mTLS"),
            "{tf:?}:\n{stderr}"
        );
        assert!(
            !stderr.contains("failed to exit gracefully"),
            "{tf:?}: the plugin had to be killed:\n{stderr}"
        );
        let outputs: serde_json::Value =
            serde_json::from_str(&ws.ok(&["output", "-json"])).unwrap();
        assert_eq!(outputs["key"]["value"], RECENT, "{tf:?}");
    }
}

#[tokio::test]
async fn admits_terraforms_certificate_over_tcp_and_refuses_none_or_a_foreign_one() {
    let client = ClientIdentity::generate();
    let stranger = ClientIdentity::generate();
    let plugin = start_tcp(Some(&client), &[]);
    let address = tcp_address(&plugin);
    let cert = plugin.server_cert();

    let refused = |result: Result<(), String>| result.is_err();
    let without = match connect_tls_tcp(address, cert.clone(), None).await {
        Err(e) => Err(e),
        // TLS 1.3 finishes the client's side before the server has judged its (absent)
        // certificate; the refusal then arrives on the first call.
        Ok(channel) => health(channel).await.map_err(|e| e.to_string()),
    };
    assert!(refused(without), "a client without a certificate got in");
    let foreign = match connect_tls_tcp(address, cert.clone(), Some(&stranger)).await {
        Err(e) => Err(e),
        Ok(channel) => health(channel).await.map_err(|e| e.to_string()),
    };
    assert!(refused(foreign), "a client with another certificate got in");

    let channel = connect_tls_tcp(address, cert, Some(&client)).await.unwrap();
    health(channel)
        .await
        .expect("Terraform's certificate gets in");
}

#[test]
fn refuses_tcp_without_autotls() {
    let plugin = start_tcp(None, &[]);
    let mut plugin = plugin;
    assert_eq!(
        plugin.handshake, "",
        "no handshake line without AutoMTLS over TCP"
    );
    assert_eq!(plugin.wait_exit(10), Some(1));
}

#[test]
fn says_which_setting_is_wrong_and_serves_nothing() {
    let client = ClientIdentity::generate();
    for (env, named) in [
        (vec![(TRANSPORT, "pipe")], TRANSPORT),
        (
            vec![
                (TRANSPORT, "tcp"),
                ("PLUGIN_MIN_PORT", "20000"),
                ("PLUGIN_MAX_PORT", "10000"),
            ],
            "PLUGIN_MIN_PORT",
        ),
        (
            vec![(TRANSPORT, "tcp"), ("PLUGIN_MIN_PORT", "ten")],
            "PLUGIN_MIN_PORT",
        ),
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_terraform-provider-actiontrail"))
            .env_clear()
            .env(COOKIE.0, COOKIE.1)
            .env("PLUGIN_PROTOCOL_VERSIONS", "6")
            .env("PLUGIN_CLIENT_CERT", &client.pem)
            .env("TF_LOG", "OFF")
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // A plugin that served anyway would never exit by itself: stop it, then judge.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while child.try_wait().unwrap().is_none() && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let _ = child.kill();
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{env:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{env:?}: no handshake line");
        assert!(stderr.contains(named), "{env:?}: {stderr}");
    }
}

#[test]
fn a_busy_port_range_is_an_error_naming_it() {
    let client = ClientIdentity::generate();
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = busy.local_addr().unwrap().port().to_string();
    let mut plugin = start_tcp(
        Some(&client),
        &[("PLUGIN_MIN_PORT", &port), ("PLUGIN_MAX_PORT", &port)],
    );
    assert_eq!(plugin.handshake, "");
    assert_eq!(plugin.wait_exit(10), Some(1));
}
