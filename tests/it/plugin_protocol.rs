//! The plugin binary as Terraform sees it: go-plugin handshake, mTLS with a P-521 client
//! certificate over the unix socket, every RPC of tfplugin5 and tfplugin6, health,
//! shutdown, refusals and signals. A test provider also runs in-process over the same
//! server to pin the value and diagnostic round trips.

use crate::support;

use std::process::Command;
use std::time::{Duration, Instant};

use crate::support::plugin::{connect_plain, ClientIdentity, EchoProvider, Plugin, COOKIE};
use actiontrail_provider::model::{self, msgpack, Type, Value};
use actiontrail_provider::plugin::{server, Protocol};
use actiontrail_provider::tfproto::proto::{plugin as gp, tfplugin5 as v5, tfplugin6 as v6};
use tonic_health::pb::health_client::HealthClient;
use tonic_health::pb::HealthCheckRequest;

const ERROR: i32 = 1;
const WARNING: i32 = 2;

fn garbage() -> Option<v6::DynamicValue> {
    Some(v6::DynamicValue {
        msgpack: vec![0xc1, 0xff, 0x00],
        json: vec![],
    })
}

fn garbage5() -> Option<v5::DynamicValue> {
    Some(v5::DynamicValue {
        msgpack: vec![0xc1, 0xff, 0x00],
        json: vec![],
    })
}

/// An object of `block`'s type with every attribute null, as msgpack.
fn null_config(block: &model::Block) -> Vec<u8> {
    config_with(block, &[])
}

/// An object of `block`'s type with the attributes given and every other one null.
fn config_with(block: &model::Block, set: &[(&str, &str)]) -> Vec<u8> {
    let ty = block.value_type();
    let Type::Object(attrs) = &ty else {
        unreachable!()
    };
    let value = Value::Object(
        attrs
            .keys()
            .map(|k| {
                let v = set
                    .iter()
                    .find(|(name, _)| name == k)
                    .map_or(Value::Null, |(_, v)| Value::string(*v));
                (k.clone(), v)
            })
            .collect(),
    );
    msgpack::encode(&value, &ty).unwrap()
}

/// A provider block with a static key: everything ConfigureProvider needs, and nothing
/// that draws a warning (the endpoints are the default HTTPS ones; nothing is called).
fn keyed_config(block: &model::Block) -> Vec<u8> {
    config_with(
        block,
        &[
            ("access_key", "LTAI5tDemoCaller0000001"),
            ("secret_key", "demo-secret-do-not-use-in-production"),
        ],
    )
}

fn assert_single_error(diags: &[v6::Diagnostic], what: &str) {
    assert!(
        diags
            .iter()
            .any(|d| d.severity == ERROR && !d.summary.is_empty()),
        "{what}: expected an error diagnostic, got {diags:?}"
    );
}

fn assert_single_error5(diags: &[v5::Diagnostic], what: &str) {
    assert!(
        diags
            .iter()
            .any(|d| d.severity == ERROR && !d.summary.is_empty()),
        "{what}: expected an error diagnostic, got {diags:?}"
    );
}

#[test]
fn handshake_line_has_six_fields_and_negotiates_protocol_6() {
    let client = ClientIdentity::generate();
    let plugin = Plugin::start("5,6", Some(&client));
    let f = plugin.fields();
    assert_eq!(f.len(), 6, "{}", plugin.handshake);
    assert_eq!(f[0], "1", "core protocol version");
    assert_eq!(f[1], "6", "the highest offered protocol");
    assert_eq!(f[2], "unix");
    assert_eq!(f[4], "grpc");
    // With AutoMTLS, an abstract socket: TLS keeps others out, nothing is put on disk.
    let socket = plugin.socket();
    let name = socket.to_str().unwrap();
    assert!(name.starts_with("@plugin"), "{name}: an abstract socket");
    assert_eq!(name.len(), "@plugin".len() + 16, "{name}: 64 random bits");
    assert!(!socket.exists(), "{name} is no file");
    let cert = plugin.server_cert();
    let parsed = rustls::server::ParsedCertificate::try_from(&cert).expect("DER parses");
    let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
    rustls::client::verify_server_name(&parsed, &name).expect("SAN DNS:localhost");
}

#[test]
fn without_tls_the_socket_is_in_a_directory_only_the_user_can_enter() {
    let plugin = Plugin::start("5,6", None);
    let socket = plugin.socket();
    assert!(socket.is_absolute(), "{}: a path", socket.display());
    assert!(socket.exists(), "{} exists", socket.display());
    use std::os::unix::fs::PermissionsExt as _;
    let mode = std::fs::metadata(socket.parent().unwrap())
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o700);
}

#[test]
fn negotiates_protocol_5_when_only_5_is_offered() {
    let client = ClientIdentity::generate();
    let plugin = Plugin::start("5", Some(&client));
    assert_eq!(plugin.fields()[1], "5", "{}", plugin.handshake);
}

#[test]
fn refuses_to_start_when_no_offered_protocol_is_spoken() {
    let out = Command::new(env!("CARGO_BIN_EXE_terraform-provider-actiontrail"))
        .env_clear()
        .env(COOKIE.0, COOKIE.1)
        .env("PLUGIN_PROTOCOL_VERSIONS", "3,4")
        .env("TF_LOG", "OFF")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty(), "no handshake line");
    assert!(String::from_utf8_lossy(&out.stderr).contains("5 and 6"));
}

#[test]
fn without_magic_cookie_exits_1_with_a_human_message() {
    let out = Command::new(env!("CARGO_BIN_EXE_terraform-provider-actiontrail"))
        .env_clear()
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("plugin for Terraform"), "{err}");
    assert!(err.contains("terraform init"), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "one paragraph: {err}");
}

#[tokio::test]
async fn every_tfplugin6_rpc_answers() {
    let client = ClientIdentity::generate();
    let plugin = Plugin::start("5,6", Some(&client));
    let channel = plugin.connect(Some(&client)).await.unwrap();
    let mut p = v6::provider_client::ProviderClient::new(channel);
    let real = actiontrail_provider::provider::provider();

    let schema = p
        .get_provider_schema(v6::get_provider_schema::Request {})
        .await
        .unwrap()
        .into_inner();
    assert!(schema.diagnostics.is_empty(), "{:?}", schema.diagnostics);
    let provider_block = schema.provider.unwrap().block.unwrap();
    assert_eq!(
        provider_block.attributes.len(),
        real.provider_schema().block.attributes.len()
    );
    assert_eq!(
        schema.data_source_schemas.len(),
        real.data_source_schemas().len()
    );
    for (name, s) in &schema.data_source_schemas {
        for a in &s.block.as_ref().unwrap().attributes {
            Type::from_json_bytes(&a.r#type)
                .unwrap_or_else(|e| panic!("{name}.{}: invalid type JSON: {e}", a.name));
            assert!(!a.description.is_empty(), "{name}.{} is described", a.name);
        }
    }

    let meta = p
        .get_metadata(v6::get_metadata::Request {})
        .await
        .unwrap()
        .into_inner();
    assert_eq!(meta.data_sources.len(), real.data_source_schemas().len());
    assert!(meta.resources.is_empty());
    assert_eq!(meta.functions.len(), real.functions().len());
    let functions = p
        .get_functions(v6::get_functions::Request {})
        .await
        .unwrap()
        .into_inner();
    assert!(functions.functions.len() == 3 && functions.diagnostics.is_empty());
    let identities = p
        .get_resource_identity_schemas(v6::get_resource_identity_schemas::Request {})
        .await
        .unwrap()
        .into_inner();
    assert!(identities.identity_schemas.is_empty() && identities.diagnostics.is_empty());

    let config = Some(v6::DynamicValue {
        msgpack: keyed_config(&real.provider_schema().block),
        json: vec![],
    });
    let validated = p
        .validate_provider_config(v6::validate_provider_config::Request {
            config: config.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(validated.diagnostics, [], "a valid provider block");
    let bad = p
        .validate_provider_config(v6::validate_provider_config::Request { config: garbage() })
        .await
        .unwrap()
        .into_inner();
    assert_single_error(&bad.diagnostics, "ValidateProviderConfig(garbage)");
    let configured = p
        .configure_provider(v6::configure_provider::Request {
            terraform_version: "1.0.3".into(),
            config,
            client_capabilities: None,
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        configured.diagnostics,
        [],
        "a static key configures the provider"
    );

    let type_name = real
        .data_source_schemas()
        .first()
        .map_or("actiontrail_accesskey_last_used".to_owned(), |(n, _)| {
            n.clone()
        });
    let v = p
        .validate_data_resource_config(v6::validate_data_resource_config::Request {
            type_name: type_name.clone(),
            config: garbage(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_single_error(&v.diagnostics, "ValidateDataResourceConfig(garbage)");
    let read = p
        .read_data_source(v6::read_data_source::Request {
            type_name: type_name.clone(),
            config: garbage(),
            provider_meta: None,
            client_capabilities: None,
        })
        .await
        .unwrap()
        .into_inner();
    assert!(read.state.is_none());
    assert_single_error(&read.diagnostics, "ReadDataSource(garbage)");

    let r = "actiontrail_thing".to_owned();
    let d = p
        .validate_resource_config(v6::validate_resource_config::Request {
            type_name: r.clone(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_single_error(&d.diagnostics, "ValidateResourceConfig");
    let d = p
        .upgrade_resource_state(v6::upgrade_resource_state::Request {
            type_name: r.clone(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_single_error(&d.diagnostics, "UpgradeResourceState");
    let d = p
        .upgrade_resource_identity(v6::upgrade_resource_identity::Request {
            type_name: r.clone(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_single_error(&d.diagnostics, "UpgradeResourceIdentity");
    let d = p
        .read_resource(v6::read_resource::Request {
            type_name: r.clone(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_single_error(&d.diagnostics, "ReadResource");
    let d = p
        .plan_resource_change(v6::plan_resource_change::Request {
            type_name: r.clone(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_single_error(&d.diagnostics, "PlanResourceChange");
    let d = p
        .apply_resource_change(v6::apply_resource_change::Request {
            type_name: r.clone(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_single_error(&d.diagnostics, "ApplyResourceChange");
    let d = p
        .import_resource_state(v6::import_resource_state::Request {
            type_name: r.clone(),
            id: "x".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_single_error(&d.diagnostics, "ImportResourceState");
    let d = p
        .move_resource_state(v6::move_resource_state::Request {
            target_type_name: r.clone(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_single_error(&d.diagnostics, "MoveResourceState");
    let d = p
        .validate_ephemeral_resource_config(v6::validate_ephemeral_resource_config::Request {
            type_name: r.clone(),
            config: None,
        })
        .await
        .unwrap()
        .into_inner();
    assert_single_error(&d.diagnostics, "ValidateEphemeralResourceConfig");
    let d = p
        .open_ephemeral_resource(v6::open_ephemeral_resource::Request {
            type_name: r.clone(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_single_error(&d.diagnostics, "OpenEphemeralResource");
    let d = p
        .renew_ephemeral_resource(v6::renew_ephemeral_resource::Request {
            type_name: r.clone(),
            private: None,
        })
        .await
        .unwrap()
        .into_inner();
    assert_single_error(&d.diagnostics, "RenewEphemeralResource");
    let d = p
        .close_ephemeral_resource(v6::close_ephemeral_resource::Request {
            type_name: r.clone(),
            private: None,
        })
        .await
        .unwrap()
        .into_inner();
    assert_single_error(&d.diagnostics, "CloseEphemeralResource");
    let f = p
        .call_function(v6::call_function::Request {
            name: "f".into(),
            arguments: vec![],
        })
        .await
        .unwrap()
        .into_inner();
    assert!(f.result.is_none() && !f.error.unwrap().text.is_empty());
    let stop = p
        .stop_provider(v6::stop_provider::Request {})
        .await
        .unwrap()
        .into_inner();
    assert_eq!(stop.error, "");
}

#[tokio::test]
async fn every_tfplugin5_rpc_answers() {
    let client = ClientIdentity::generate();
    let plugin = Plugin::start("5", Some(&client));
    let channel = plugin.connect(Some(&client)).await.unwrap();
    let mut p = v5::provider_client::ProviderClient::new(channel);
    let real = actiontrail_provider::provider::provider();

    let schema = p
        .get_schema(v5::get_provider_schema::Request {})
        .await
        .unwrap()
        .into_inner();
    assert!(schema.provider.is_some() && schema.diagnostics.is_empty());
    assert_eq!(
        schema.data_source_schemas.len(),
        real.data_source_schemas().len()
    );
    let meta = p
        .get_metadata(v5::get_metadata::Request {})
        .await
        .unwrap()
        .into_inner();
    assert_eq!(meta.data_sources.len(), real.data_source_schemas().len());
    let functions = p
        .get_functions(v5::get_functions::Request {})
        .await
        .unwrap()
        .into_inner();
    assert_eq!(functions.functions.len(), real.functions().len());
    let identities = p
        .get_resource_identity_schemas(v5::get_resource_identity_schemas::Request {})
        .await
        .unwrap()
        .into_inner();
    assert!(identities.identity_schemas.is_empty());

    let config = Some(v5::DynamicValue {
        msgpack: null_config(&real.provider_schema().block),
        json: vec![],
    });
    let prepared = p
        .prepare_provider_config(v5::prepare_provider_config::Request {
            config: config.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        prepared.prepared_config, config,
        "the prepared config is the config"
    );
    let bad = p
        .prepare_provider_config(v5::prepare_provider_config::Request { config: garbage5() })
        .await
        .unwrap()
        .into_inner();
    assert_single_error5(&bad.diagnostics, "PrepareProviderConfig(garbage)");
    let configured = p
        .configure(v5::configure::Request {
            terraform_version: "0.13.5".into(),
            config,
            client_capabilities: None,
        })
        .await
        .unwrap()
        .into_inner();
    // The plugin runs with a cleared environment and the block sets nothing: the chain
    // finds no credentials, and says where it looked.
    assert_single_error5(
        &configured.diagnostics,
        "Configure(no credentials anywhere)",
    );
    let said = format!("{:?}", configured.diagnostics);
    assert!(
        said.contains("Cannot configure the ActionTrail client")
            && said.contains("no Alibaba Cloud credentials found"),
        "{said}"
    );
    let v = p
        .validate_data_source_config(v5::validate_data_source_config::Request {
            type_name: "actiontrail_accesskey_last_used".into(),
            config: garbage5(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_single_error5(&v.diagnostics, "ValidateDataSourceConfig(garbage)");
    let read = p
        .read_data_source(v5::read_data_source::Request {
            type_name: "actiontrail_accesskey_last_used".into(),
            config: garbage5(),
            provider_meta: None,
            client_capabilities: None,
        })
        .await
        .unwrap()
        .into_inner();
    assert!(read.state.is_none());
    assert_single_error5(&read.diagnostics, "ReadDataSource(garbage)");

    let r = "actiontrail_thing".to_owned();
    let d = p
        .validate_resource_type_config(v5::validate_resource_type_config::Request {
            type_name: r.clone(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_single_error5(&d.diagnostics, "ValidateResourceTypeConfig");
    let d = p
        .upgrade_resource_state(v5::upgrade_resource_state::Request {
            type_name: r.clone(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_single_error5(&d.diagnostics, "UpgradeResourceState");
    let d = p
        .read_resource(v5::read_resource::Request {
            type_name: r.clone(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_single_error5(&d.diagnostics, "ReadResource");
    let d = p
        .plan_resource_change(v5::plan_resource_change::Request {
            type_name: r.clone(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_single_error5(&d.diagnostics, "PlanResourceChange");
    let d = p
        .apply_resource_change(v5::apply_resource_change::Request {
            type_name: r.clone(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_single_error5(&d.diagnostics, "ApplyResourceChange");
    let d = p
        .import_resource_state(v5::import_resource_state::Request {
            type_name: r.clone(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_single_error5(&d.diagnostics, "ImportResourceState");
    let d = p
        .move_resource_state(v5::move_resource_state::Request {
            target_type_name: r.clone(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_single_error5(&d.diagnostics, "MoveResourceState");
    let d = p
        .open_ephemeral_resource(v5::open_ephemeral_resource::Request {
            type_name: r.clone(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_single_error5(&d.diagnostics, "OpenEphemeralResource");
    let f = p
        .call_function(v5::call_function::Request {
            name: "f".into(),
            arguments: vec![],
        })
        .await
        .unwrap()
        .into_inner();
    assert!(f.error.is_some());
    let stop = p.stop(v5::stop::Request {}).await.unwrap().into_inner();
    assert_eq!(stop.error, "");
}

#[tokio::test]
async fn health_reports_plugin_serving_and_stdio_stays_open() {
    let client = ClientIdentity::generate();
    let plugin = Plugin::start("5,6", Some(&client));
    let channel = plugin.connect(Some(&client)).await.unwrap();
    let health = HealthClient::new(channel.clone())
        .check(HealthCheckRequest {
            service: "plugin".into(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        health.status,
        tonic_health::pb::health_check_response::ServingStatus::Serving as i32
    );
    let mut stdio = gp::grpc_stdio_client::GrpcStdioClient::new(channel.clone())
        .stream_stdio(gp::Empty {})
        .await
        .unwrap()
        .into_inner();
    // Open and empty, told by order rather than by waiting: three later calls on the same
    // HTTP/2 connection are answered, and a message or the end of the stream, sent
    // before those answers, would already be there to read.
    for _ in 0..3 {
        HealthClient::new(channel.clone())
            .check(HealthCheckRequest::default())
            .await
            .unwrap();
    }
    tokio::task::yield_now().await;
    assert!(
        futures::FutureExt::now_or_never(stdio.message()).is_none(),
        "the stdio stream stays open and empty while the plugin serves"
    );
    // It ends when the plugin does.
    gp::grpc_controller_client::GrpcControllerClient::new(channel)
        .shutdown(gp::Empty {})
        .await
        .expect("Shutdown is answered");
    let end = tokio::time::timeout(Duration::from_secs(60), stdio.message())
        .await
        .expect("the stdio stream ends at shutdown");
    assert!(
        !matches!(end, Ok(Some(_))),
        "no stdio message was sent: {end:?}"
    );
}

#[tokio::test]
async fn shutdown_makes_the_process_exit_0_and_releases_the_socket() {
    let client = ClientIdentity::generate();
    let mut plugin = Plugin::start("5,6", Some(&client));
    let socket = plugin.socket();
    let channel = plugin.connect(Some(&client)).await.unwrap();
    // Terraform keeps the stdio stream open while it shuts the plugin down.
    let _stdio = gp::grpc_stdio_client::GrpcStdioClient::new(channel.clone())
        .stream_stdio(gp::Empty {})
        .await
        .unwrap();
    gp::grpc_controller_client::GrpcControllerClient::new(channel)
        .shutdown(gp::Empty {})
        .await
        .expect("Shutdown is answered before the process exits");
    assert_eq!(plugin.wait_exit(60), Some(0));
    let after = support::plugin::unix_connect(&socket).map(|_| ());
    assert_eq!(
        after.map_err(|e| e.kind()),
        Err(std::io::ErrorKind::ConnectionRefused),
        "{} is released",
        socket.display()
    );
}

#[tokio::test]
async fn shutdown_without_tls_removes_the_socket_directory() {
    let mut plugin = Plugin::start("5,6", None);
    let dir = plugin.socket().parent().unwrap().to_owned();
    let channel = connect_plain(plugin.socket()).await;
    gp::grpc_controller_client::GrpcControllerClient::new(channel)
        .shutdown(gp::Empty {})
        .await
        .expect("Shutdown is answered before the process exits");
    assert_eq!(plugin.wait_exit(60), Some(0));
    assert!(!dir.exists(), "{} is removed", dir.display());
}

#[tokio::test]
async fn refuses_a_client_without_a_certificate() {
    let client = ClientIdentity::generate();
    let plugin = Plugin::start("5,6", Some(&client));
    let refused = match plugin.connect(None).await {
        Err(_) => true,
        // TLS 1.3 finishes the client's side before the server has judged its (absent)
        // certificate; the refusal then arrives on the first call.
        Ok(channel) => HealthClient::new(channel)
            .check(HealthCheckRequest::default())
            .await
            .is_err(),
    };
    assert!(refused, "a client without a certificate got in");
    // The refusal does not take the plugin down.
    let channel = plugin.connect(Some(&client)).await.unwrap();
    HealthClient::new(channel)
        .check(HealthCheckRequest::default())
        .await
        .unwrap();
}

#[tokio::test]
async fn refuses_a_client_with_a_different_certificate() {
    let client = ClientIdentity::generate();
    let stranger = ClientIdentity::generate();
    let plugin = Plugin::start("5,6", Some(&client));
    let refused = match plugin.connect(Some(&stranger)).await {
        Err(_) => true,
        Ok(channel) => HealthClient::new(channel)
            .check(HealthCheckRequest::default())
            .await
            .is_err(),
    };
    assert!(refused, "a client with another certificate got in");
}

#[tokio::test]
async fn ignores_sigint() {
    let client = ClientIdentity::generate();
    let mut plugin = Plugin::start("5,6", Some(&client));
    // A served call first: the plugin installs its signal handlers after printing the
    // handshake line and before it serves, so from here on a SIGINT meets them.
    let channel = plugin.connect(Some(&client)).await.unwrap();
    HealthClient::new(channel)
        .check(HealthCheckRequest::default())
        .await
        .unwrap();
    let status = Command::new("kill")
        .args(["-INT", &plugin.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    // The signal is pending from the moment kill(1) returned, and a process handles a
    // pending signal before it next runs its own code: answering a connection and a call
    // after that is proof it survived, with no wait to guess at.
    let channel = plugin.connect(Some(&client)).await.unwrap();
    HealthClient::new(channel)
        .check(HealthCheckRequest::default())
        .await
        .unwrap();
    assert!(plugin.child.try_wait().unwrap().is_none(), "still running");
}

/// build.rs links the provider without PIE on Linux: the dynamic loader then has no
/// relocation table to apply at each of Terraform's launches (see docs/performance-history.md).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[test]
fn the_provider_binary_is_a_fixed_address_executable() {
    let elf = std::fs::read(env!("CARGO_BIN_EXE_terraform-provider-actiontrail")).unwrap();
    assert_eq!(elf.get(..4), Some(&b"\x7fELF"[..]), "not an ELF file");
    let e_type = u16::from_le_bytes([elf[16], elf[17]]);
    assert_eq!(
        e_type, 2,
        "ET_EXEC (2) expected, found {e_type} (3 is a PIE)"
    );
}

// How long spawn to handshake line takes is measured by `make bench` (scenario 3, against
// /bin/true and hashicorp/null, in BENCHMARKS.md); a test here would only time the machine.

/// The real server on a socket in this process, serving the test provider without TLS.
async fn in_process(protocol: Protocol) -> (tempfile::TempDir, tonic::transport::Channel) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plugin.sock");
    let listener = tokio::net::UnixListener::bind(&path).unwrap();
    tokio::spawn(server::run(
        EchoProvider::shared(),
        protocol,
        listener,
        None,
        std::future::pending(),
    ));
    let channel = connect_plain(path).await;
    (dir, channel)
}

#[tokio::test]
async fn reads_decode_the_config_and_encode_the_state_as_msgpack() {
    let (_dir, channel) = in_process(Protocol::V6).await;
    let mut p = v6::provider_client::ProviderClient::new(channel);
    let provider = EchoProvider::shared();
    let ty = provider.data_source_schemas()[0].1.block.value_type();
    let config = Value::object([
        ("name", Value::string("ana")),
        ("greeting", Value::Null),
        ("tags", Value::Null),
    ]);
    let read = p
        .read_data_source(v6::read_data_source::Request {
            type_name: "echo_thing".into(),
            config: Some(v6::DynamicValue {
                msgpack: msgpack::encode(&config, &ty).unwrap(),
                json: vec![],
            }),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert!(read.diagnostics.is_empty(), "{:?}", read.diagnostics);
    let state = msgpack::decode(&read.state.unwrap().msgpack, &ty).unwrap();
    assert_eq!(state.get("greeting"), Some(&Value::string("hello ana")));

    // The same configuration as JSON, the other DynamicValue encoding.
    let read = p
        .read_data_source(v6::read_data_source::Request {
            type_name: "echo_thing".into(),
            config: Some(v6::DynamicValue {
                msgpack: vec![],
                json: br#"{"name":"bo"}"#.to_vec(),
            }),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    let state = msgpack::decode(&read.state.unwrap().msgpack, &ty).unwrap();
    assert_eq!(state.get("greeting"), Some(&Value::string("hello bo")));
}

#[tokio::test]
async fn diagnostics_keep_severity_and_attribute_path() {
    let (_dir, channel) = in_process(Protocol::V5).await;
    let mut p = v5::provider_client::ProviderClient::new(channel);
    let ty = EchoProvider::shared().data_source_schemas()[0]
        .1
        .block
        .value_type();
    let config = Value::object([
        ("name", Value::string("")),
        ("greeting", Value::Unknown),
        ("tags", Value::Unknown),
    ]);
    let v = p
        .validate_data_source_config(v5::validate_data_source_config::Request {
            type_name: "echo_thing".into(),
            config: Some(v5::DynamicValue {
                msgpack: msgpack::encode(&config, &ty).unwrap(),
                json: vec![],
            }),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(v.diagnostics.len(), 1);
    let d = &v.diagnostics[0];
    assert_eq!(d.severity, ERROR);
    let steps = &d.attribute.as_ref().unwrap().steps;
    assert_eq!(
        steps[0].selector,
        Some(v5::attribute_path::step::Selector::AttributeName(
            "name".into()
        ))
    );
    let configured = p
        .configure(v5::configure::Request {
            config: Some(v5::DynamicValue {
                msgpack: vec![],
                json: b"{}".to_vec(),
            }),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(configured.diagnostics[0].severity, WARNING);
}

#[tokio::test]
async fn schema_carries_types_descriptions_and_sensitivity() {
    let (_dir, channel) = in_process(Protocol::V6).await;
    let mut p = v6::provider_client::ProviderClient::new(channel);
    let s = p
        .get_provider_schema(v6::get_provider_schema::Request {})
        .await
        .unwrap()
        .into_inner();
    let token = &s.provider.unwrap().block.unwrap().attributes[0];
    assert!(token.sensitive && token.optional && !token.required);
    let thing = s.data_source_schemas["echo_thing"].block.clone().unwrap();
    assert_eq!(thing.description, "Greets.");
    let tags = thing.attributes.iter().find(|a| a.name == "tags").unwrap();
    assert_eq!(tags.r#type, br#"["list","string"]"#);
    assert!(tags.computed);
    assert_eq!(tags.description, "Some tags.");
}

#[tokio::test]
async fn unknown_data_source_and_unknown_config_are_errors_not_panics() {
    let (_dir, channel) = in_process(Protocol::V6).await;
    let mut p = v6::provider_client::ProviderClient::new(channel);
    let ty = EchoProvider::shared().data_source_schemas()[0]
        .1
        .block
        .value_type();
    let unknown = Value::object([
        ("name", Value::Unknown),
        ("greeting", Value::Null),
        ("tags", Value::Null),
    ]);
    let read = p
        .read_data_source(v6::read_data_source::Request {
            type_name: "echo_thing".into(),
            config: Some(v6::DynamicValue {
                msgpack: msgpack::encode(&unknown, &ty).unwrap(),
                json: vec![],
            }),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert!(read.state.is_none());
    assert_single_error(&read.diagnostics, "read with unknowns");
    let read = p
        .read_data_source(v6::read_data_source::Request {
            type_name: "nope".into(),
            config: None,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(read.diagnostics[0].summary, "Unknown data source");
}

#[test]
fn exits_and_cleans_up_when_terraform_goes_away_without_shutdown() {
    use std::io::BufRead as _;
    let client = ClientIdentity::generate();
    // A parent that starts the plugin and dies when told, as a killed Terraform would:
    // it reads one line from its stdin (the plugin, a background job, gets /dev/null).
    let mut parent = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "\"{}\" & read _",
            env!("CARGO_BIN_EXE_terraform-provider-actiontrail")
        ))
        .env_clear()
        .env(COOKIE.0, COOKIE.1)
        .env("PLUGIN_PROTOCOL_VERSIONS", "5,6")
        .env("PLUGIN_CLIENT_CERT", &client.pem)
        .env("TF_LOG", "OFF")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(parent.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let socket = std::path::PathBuf::from(line.split('|').nth(3).unwrap());
    assert!(support::plugin::unix_connect(&socket).is_ok(), "listening");
    // A served call first: the plugin notes its parent after the handshake line and
    // before it serves, so once a call is answered the parent's exit is a change it sees.
    let fields: Vec<&str> = line.trim_end().split('|').collect();
    let cert = rustls::pki_types::CertificateDer::from(
        base64::Engine::decode(&base64::engine::general_purpose::STANDARD_NO_PAD, fields[5])
            .unwrap(),
    );
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let channel = support::plugin::connect_tls(socket.clone(), cert, Some(&client))
            .await
            .unwrap();
        HealthClient::new(channel)
            .check(HealthCheckRequest::default())
            .await
            .unwrap();
    });
    // The parent exits at the end of its stdin.
    drop(parent.stdin.take());
    parent.wait().unwrap();
    // Only turns a plugin that never exits into a failure; nothing here is timed.
    let deadline = Instant::now() + Duration::from_secs(60);
    let released = || {
        support::plugin::unix_connect(&socket)
            .map(|_| ())
            .map_err(|e| e.kind())
            == Err(std::io::ErrorKind::ConnectionRefused)
    };
    while !released() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        released(),
        "the orphaned plugin exited and released {}",
        socket.display()
    );
}

fn string_arg(s: &str) -> Vec<u8> {
    msgpack::encode(&Value::string(s), &Type::String).unwrap()
}

#[tokio::test]
async fn functions_and_the_ephemeral_gate_are_served_over_tfplugin6() {
    let client = ClientIdentity::generate();
    let plugin = Plugin::start("5,6", Some(&client));
    let mut p =
        v6::provider_client::ProviderClient::new(plugin.connect(Some(&client)).await.unwrap());
    let meta = p
        .get_metadata(v6::get_metadata::Request {})
        .await
        .unwrap()
        .into_inner();
    assert!(meta.diagnostics.is_empty());
    assert!(
        meta.server_capabilities
            .unwrap()
            .get_provider_schema_optional
    );
    let mut names: Vec<_> = meta.functions.iter().map(|f| f.name.as_str()).collect();
    names.sort();
    assert_eq!(names, ["duration_seconds", "parse_event", "used_within"]);
    let eph: Vec<_> = meta
        .ephemeral_resources
        .iter()
        .map(|e| e.type_name.as_str())
        .collect();
    assert_eq!(eph, ["actiontrail_accesskey_last_used"]);
    assert_eq!(
        meta.data_sources.len(),
        actiontrail_provider::provider::type_names().len()
    );

    let schema = p
        .get_provider_schema(v6::get_provider_schema::Request {})
        .await
        .unwrap()
        .into_inner();
    let gate = &schema.ephemeral_resource_schemas["actiontrail_accesskey_last_used"];
    let ds = &schema.data_source_schemas["actiontrail_accesskey_last_used"];
    let names = |s: &v6::Schema| -> Vec<String> {
        s.block
            .as_ref()
            .unwrap()
            .attributes
            .iter()
            .map(|a| a.name.clone())
            .collect()
    };
    assert_eq!(
        names(gate),
        names(ds),
        "the gate has the data source's attributes"
    );
    let f = &schema.functions["used_within"];
    assert_eq!(f.parameters.len(), 3);
    assert!(f.parameters[0].allow_null_value && !f.parameters[1].allow_null_value);
    assert_eq!(f.r#return.as_ref().unwrap().r#type, br#""bool""#);
    let listed = p
        .get_functions(v6::get_functions::Request {})
        .await
        .unwrap()
        .into_inner();
    assert_eq!(listed.functions.len(), 3);

    let call = |name: &str, args: Vec<Vec<u8>>| v6::call_function::Request {
        name: name.into(),
        arguments: args
            .into_iter()
            .map(|msgpack| v6::DynamicValue {
                msgpack,
                json: vec![],
            })
            .collect(),
    };
    let ok = p
        .call_function(call("duration_seconds", vec![string_arg("2w")]))
        .await
        .unwrap()
        .into_inner();
    assert!(ok.error.is_none(), "{:?}", ok.error);
    assert_eq!(
        msgpack::decode(&ok.result.unwrap().msgpack, &Type::Number).unwrap(),
        Value::int(1_209_600)
    );
    let bad = p
        .call_function(call(
            "used_within",
            vec![vec![0xc0], string_arg("30d"), string_arg("next tuesday")],
        ))
        .await
        .unwrap()
        .into_inner();
    let e = bad.error.unwrap();
    assert_eq!(e.function_argument, Some(2), "{e:?}");
    assert!(e.text.contains("2024-05-01T08:30:00Z"), "{e:?}");
    let wrong_count = p
        .call_function(call("used_within", vec![vec![0xc0]]))
        .await
        .unwrap()
        .into_inner();
    assert!(wrong_count.error.unwrap().function_argument.is_none());

    // Opening before ConfigureProvider goes through the data source's read, which refuses.
    let ty = actiontrail_provider::provider::provider().ephemeral_resource_schemas()[0]
        .1
        .block
        .value_type();
    let config = Value::object([
        ("access_key_id", Value::string("LTAI5tIdleKey0000000001")),
        ("fail_if_used_within", Value::Null),
    ]);
    let Value::Object(mut config) = config else {
        unreachable!()
    };
    let Type::Object(attrs) = &ty else {
        unreachable!()
    };
    for name in attrs.keys() {
        config.entry(name.clone()).or_insert(Value::Null);
    }
    let config = Value::Object(config);
    let open = p
        .open_ephemeral_resource(v6::open_ephemeral_resource::Request {
            type_name: "actiontrail_accesskey_last_used".into(),
            config: Some(v6::DynamicValue {
                msgpack: msgpack::encode(&config, &ty).unwrap(),
                json: vec![],
            }),
            client_capabilities: None,
        })
        .await
        .unwrap()
        .into_inner();
    assert!(open.result.is_none());
    assert_single_error(&open.diagnostics, "OpenEphemeralResource");
    assert_eq!(open.diagnostics[0].summary, "Provider not configured");
    let closed = p
        .close_ephemeral_resource(v6::close_ephemeral_resource::Request {
            type_name: "actiontrail_accesskey_last_used".into(),
            private: None,
        })
        .await
        .unwrap()
        .into_inner();
    assert!(closed.diagnostics.is_empty());
}

#[tokio::test]
async fn functions_and_the_ephemeral_gate_are_served_over_tfplugin5() {
    let client = ClientIdentity::generate();
    let plugin = Plugin::start("5", Some(&client));
    let mut p =
        v5::provider_client::ProviderClient::new(plugin.connect(Some(&client)).await.unwrap());
    let meta = p
        .get_metadata(v5::get_metadata::Request {})
        .await
        .unwrap()
        .into_inner();
    assert_eq!(meta.functions.len(), 3);
    assert_eq!(meta.ephemeral_resources.len(), 1);
    let schema = p
        .get_schema(v5::get_provider_schema::Request {})
        .await
        .unwrap()
        .into_inner();
    assert_eq!(schema.functions.len(), 3);
    assert!(schema
        .ephemeral_resource_schemas
        .contains_key("actiontrail_accesskey_last_used"));
    let r = p
        .call_function(v5::call_function::Request {
            name: "duration_seconds".into(),
            arguments: vec![v5::DynamicValue {
                msgpack: string_arg("0"),
                json: vec![],
            }],
        })
        .await
        .unwrap()
        .into_inner();
    let e = r.error.unwrap();
    assert_eq!(e.function_argument, Some(0));
    assert!(e.text.contains("\"30d\""), "{e:?}");
    let v = p
        .validate_ephemeral_resource_config(v5::validate_ephemeral_resource_config::Request {
            type_name: "actiontrail_accesskey_last_used".into(),
            config: Some(v5::DynamicValue {
                msgpack: vec![],
                json:
                    br#"{"access_key_id":"LTAI5tIdleKey0000000001","fail_if_used_within":"soon"}"#
                        .to_vec(),
            }),
        })
        .await
        .unwrap()
        .into_inner();
    assert_single_error5(&v.diagnostics, "ValidateEphemeralResourceConfig");
    let path = v.diagnostics[0]
        .attribute
        .as_ref()
        .expect("points at the argument");
    assert_eq!(
        path.steps[0].selector,
        Some(v5::attribute_path::step::Selector::AttributeName(
            "fail_if_used_within".into()
        ))
    );
}
