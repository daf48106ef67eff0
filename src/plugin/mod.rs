//! The go-plugin side: handshake, AutoMTLS, the gRPC server and its housekeeping services.
//!
//! [`serve`] is the whole life of the plugin process as Terraform expects it: check the
//! magic cookie, agree a protocol version, listen on a unix socket in a private directory,
//! print the handshake line, serve until Terraform calls Shutdown (or the parent goes
//! away), and leave nothing behind. [`server::run`] is the server alone, on any listener,
//! for tests that run it in-process.
//!
//! Where it listens is go-plugin's choice per OS: a unix socket on Linux and macOS, TCP on
//! 127.0.0.1 on Windows (in `PLUGIN_MIN_PORT`..`PLUGIN_MAX_PORT` when Terraform sets them;
//! the handshake then says `tcp|127.0.0.1:PORT`). [`TRANSPORT_ENV`] forces TCP anywhere, so
//! the Windows path is proved on Linux by real Terraform. Over TCP the plugin insists on
//! AutoMTLS: any local process can reach a loopback port.
//!
//! Start-up is on Terraform's critical path once per provider per command, so nothing is
//! done before the handshake line that the line does not carry (one Ed25519 key, one
//! certificate, one socket) but the signal handlers, which must not miss an early Ctrl-C,
//! and the single-threaded runtime they need. Logging and the TLS configuration are built
//! while Terraform reads the line and dials.

pub mod handshake;
pub mod log;
mod process;
pub mod server;
pub mod tls;
mod transport;

use transport::Transport;

use std::io::Write as _;
use std::process::ExitCode;
use std::sync::Arc;

use crate::model::Provider;
pub use server::{Listener, Protocol, Stop};

/// Chooses the transport: `tcp` listens on 127.0.0.1 as go-plugin does on Windows, `unix`
/// on a unix socket (not on Windows). Unset, the OS's own: unix, or TCP on Windows.
pub const TRANSPORT_ENV: &str = "ACTIONTRAIL_PLUGIN_TRANSPORT";

/// Why the plugin could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// No protocol version in common with the client.
    #[error(transparent)]
    Protocol(#[from] handshake::NoCommonProtocol),
    /// TLS could not be set up.
    #[error(transparent)]
    Tls(#[from] tls::TlsError),
    /// The socket, its directory or the runtime could not be created.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: &'static str,
        /// The OS error.
        source: std::io::Error,
    },
    /// The gRPC server failed.
    #[error("the gRPC server failed: {0}")]
    Server(#[from] std::io::Error),
    /// The environment asks for a transport this build cannot or will not serve.
    #[error("{0}")]
    Transport(String),
}

fn io(what: &'static str) -> impl FnOnce(std::io::Error) -> StartError {
    move |source| StartError::Io { what, source }
}

/// Runs the plugin process for the provider `make` builds, which Terraform knows as
/// `address` (used only by `--debug`). Returns the process's exit code: 0 after a clean
/// shutdown, 1 when started by hand or when start-up fails.
pub fn serve(address: &str, make: impl FnOnce() -> Arc<dyn Provider>) -> ExitCode {
    let debug = std::env::args()
        .skip(1)
        .any(|a| a == "--debug" || a == "-debug");
    if !debug
        && std::env::var(handshake::MAGIC_COOKIE_KEY).ok().as_deref()
            != Some(handshake::MAGIC_COOKIE_VALUE)
    {
        eprintln!("{}", handshake::NOT_A_COMMAND);
        return ExitCode::FAILURE;
    }
    match start(address, debug, make) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %e, "plugin failed");
            eprintln!("terraform-provider-actiontrail: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Said when the client sent no certificate and the plugin serves without TLS.
pub const NO_TLS_NOTE: &str = "PLUGIN_CLIENT_CERT is not set: serving the plugin protocol without TLS (AutoMTLS is off); only the owner of the socket directory can connect";

fn start(
    address: &str,
    debug: bool,
    make: impl FnOnce() -> Arc<dyn Provider>,
) -> Result<(), StartError> {
    let protocol = if debug {
        Protocol::V6
    } else {
        handshake::negotiate(std::env::var("PLUGIN_PROTOCOL_VERSIONS").ok().as_deref())?
    };
    let client_cert = std::env::var("PLUGIN_CLIENT_CERT").unwrap_or_default();
    let client_cert = if debug || client_cert.trim().is_empty() {
        None
    } else {
        Some(tls::parse_client_cert(&client_cert)?)
    };
    // Before the handshake line, only what it carries: the socket and the server's
    // certificate. Terraform reads the line, checks the certificate and dials while the
    // rest is built; the listener's backlog holds its connection until then.
    let server_cert = client_cert
        .as_ref()
        .map(|_| tls::generate_server_cert())
        .transpose()?;
    let transport = Transport::from_env()?;
    if transport == Transport::Tcp && !debug && server_cert.is_none() {
        return Err(StartError::Transport(
            "PLUGIN_CLIENT_CERT is not set, and over TCP any local process could connect to \
             the plugin without it: refusing to serve without AutoMTLS (Terraform sets it)"
                .into(),
        ));
    }
    let (listener, socket) = match transport {
        Transport::Tcp => transport::listen_tcp()?,
        #[cfg(unix)]
        Transport::Unix if server_cert.is_some() => transport::listen_with_tls()?,
        #[cfg(unix)]
        Transport::Unix => transport::listen_in_private_dir()?,
    };
    let line = if debug {
        reattach_message(address, protocol, &socket)
    } else {
        let cert = server_cert.as_ref().map(tls::ServerCert::handshake_cert);
        handshake::line(
            protocol,
            socket.network(),
            socket.address(),
            cert.as_deref().unwrap_or(""),
        )
    };
    // go-plugin serves plaintext when its client asks for no TLS; only the owner of the
    // private socket directory can connect (without TLS, TCP is only for --debug). Said on stderr whatever TF_LOG is, and before
    // the line, in one write: a weak transport is never silent, even for a plugin killed
    // as soon as its line is read.
    let no_tls = !debug && client_cert.is_none();
    if no_tls {
        let _ = std::io::stderr()
            .write_all(format!("terraform-provider-actiontrail: {NO_TLS_NOTE}\n").as_bytes());
    }
    // go-plugin ignores SIGINT from the moment it runs: Terraform forwards a Ctrl-C to its
    // whole process group, which may be just after it started the plugin. So the handlers
    // are in place before the line; a current-thread runtime costs microseconds.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(io("could not start the runtime"))?;
    let stop = Stop::default();
    let parent = process::parent();
    {
        let _context = runtime.enter();
        process::watch_signals(debug, &stop).map_err(io("could not handle signals"))?;
    }
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{line}")
        .and_then(|()| stdout.flush())
        .map_err(io("could not write the handshake"))?;
    drop(stdout);

    log::init_from_env();
    if no_tls {
        tracing::warn!("{NO_TLS_NOTE}");
    }
    let tls = match (client_cert, server_cert) {
        (Some(client), Some(server)) => Some(tls::server_config(client, server)?),
        _ => None,
    };
    let address = socket.address();
    runtime.block_on(async move {
        let listener = listener.into_tokio().map_err(io("could not listen"))?;
        if !debug {
            process::watch_parent(&stop, parent);
        }
        tracing::debug!(protocol = protocol.number(), socket = address, "serving");
        server::run(make(), protocol, listener, tls, stop.wait()).await?;
        tracing::debug!("shut down");
        Ok::<(), StartError>(())
    })?;
    drop(runtime);
    drop(socket);
    Ok(())
}

fn reattach_message(address: &str, protocol: Protocol, socket: &transport::Socket) -> String {
    let config = serde_json::json!({
        address: {
            "Protocol": "grpc",
            "ProtocolVersion": protocol.number(),
            "Pid": std::process::id(),
            "Test": true,
            "Addr": {"Network": socket.network(), "String": socket.address()},
        }
    });
    format!(
        "Provider started in debug mode. To attach Terraform, set this in the shell that \
         runs it:\n\n\tTF_REATTACH_PROVIDERS='{config}'\n"
    )
}

/// Text from the environment quoted in an error stays short.
fn clip(s: &str) -> &str {
    crate::model::cty::clip(s)
}
