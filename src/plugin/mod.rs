//! The go-plugin side: handshake, AutoMTLS, the gRPC server and its housekeeping services.
//!
//! [`serve`] is the whole life of the plugin process as Terraform expects it: check the
//! magic cookie, agree a protocol version, listen on a unix socket in a private directory,
//! print the handshake line, serve until Terraform calls Shutdown (or the parent goes
//! away), and leave nothing behind. [`server::run`] is the server alone, on any listener,
//! for tests that run it in-process.
//!
//! Start-up is on Terraform's critical path once per provider per command, so nothing is
//! done before the handshake line that the line does not carry: one Ed25519 key, one
//! certificate, one socket. Logging, the TLS configuration and the single-threaded
//! runtime are built while Terraform reads the line and dials.

pub mod handshake;
pub mod log;
pub mod server;
pub mod tls;

use std::io::Write as _;
use std::os::unix::net::UnixListener;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use tokio::signal::unix::{signal, SignalKind};

use crate::model::Provider;
pub use server::{Protocol, Stop};

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
    let (listener, socket) = if server_cert.is_some() {
        listen_with_tls()
    } else {
        listen_in_private_dir()
    }?;
    let line = if debug {
        reattach_message(address, protocol, socket.address())
    } else {
        let cert = server_cert.as_ref().map(tls::ServerCert::handshake_cert);
        handshake::line(protocol, socket.address(), cert.as_deref().unwrap_or(""))
    };
    // go-plugin serves plaintext when its client asks for no TLS; only the owner of the
    // private socket directory can connect. Said on stderr whatever TF_LOG is, and before
    // the line, in one write: a weak transport is never silent, even for a plugin killed
    // as soon as its line is read.
    let no_tls = !debug && client_cert.is_none();
    if no_tls {
        let _ = std::io::stderr()
            .write_all(format!("terraform-provider-actiontrail: {NO_TLS_NOTE}\n").as_bytes());
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
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(io("could not start the runtime"))?;
    let address = socket.address();
    runtime.block_on(async move {
        let listener =
            tokio::net::UnixListener::from_std(listener).map_err(io("could not listen"))?;
        let stop = Stop::default();
        watch_signals(debug, &stop).map_err(io("could not handle signals"))?;
        if !debug {
            watch_parent(&stop);
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

/// go-plugin ignores SIGINT: Terraform forwards Ctrl-C to its whole process group and
/// then stops providers itself, in order. SIGTERM stops cleanly. In debug mode the user
/// owns the process, so Ctrl-C stops it.
fn watch_signals(debug: bool, stop: &Stop) -> std::io::Result<()> {
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    let stop = stop.clone();
    tokio::spawn(async move {
        let mut count = 0u64;
        loop {
            tokio::select! {
                _ = interrupt.recv() => {
                    if debug {
                        break;
                    }
                    count += 1;
                    tracing::trace!(count, "interrupt signal ignored");
                }
                _ = terminate.recv() => break,
            }
        }
        stop.trigger();
    });
    Ok(())
}

/// Exits when Terraform is gone without saying so (killed, crashed): the process is then
/// re-parented, and nothing will ever call Shutdown. Terraform hands the plugin its own
/// stdin, which may be /dev/null, so end of input is no sign of anything.
fn watch_parent(stop: &Stop) {
    let parent = std::os::unix::process::parent_id();
    let stop = stop.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_millis(500));
        loop {
            tick.tick().await;
            if std::os::unix::process::parent_id() != parent {
                tracing::warn!("Terraform has gone away; exiting");
                stop.trigger();
                break;
            }
        }
    });
}

fn reattach_message(address: &str, protocol: Protocol, socket: &str) -> String {
    let config = serde_json::json!({
        address: {
            "Protocol": "grpc",
            "ProtocolVersion": protocol.number(),
            "Pid": std::process::id(),
            "Test": true,
            "Addr": {"Network": "unix", "String": socket},
        }
    });
    format!(
        "Provider started in debug mode. To attach Terraform, set this in the shell that \
         runs it:\n\n\tTF_REATTACH_PROVIDERS='{config}'\n"
    )
}

/// Where the plugin listens, as the handshake line names it; what is on disk is removed
/// on drop.
enum Socket {
    /// A name in Linux's abstract socket namespace, written `@name` as Go's net package
    /// reads it: nothing on disk to create or remove.
    Abstract(String),
    /// `plugin.sock` in a fresh private directory, which goes when this does.
    InDir { _dir: SocketDir, address: String },
}

impl Socket {
    fn address(&self) -> &str {
        match self {
            Socket::Abstract(address) | Socket::InDir { address, .. } => address,
        }
    }
}

fn nonblocking(listener: UnixListener) -> Result<UnixListener, StartError> {
    listener
        .set_nonblocking(true)
        .map_err(io("could not listen on the plugin socket"))?;
    Ok(listener)
}

/// With AutoMTLS on Linux, an abstract socket. The connection is only as private as TLS
/// makes it, which is what AutoMTLS is for: the server admits only the certificate
/// Terraform put in `PLUGIN_CLIENT_CERT` (see [`tls`]), Terraform admits only the one on
/// the handshake line, and the name is this process's until it exits. Creating a
/// directory and a socket file on a disk-backed /tmp cost a quarter of the time from spawn
/// to handshake line; go-plugin itself relies on TLS alone where it listens on TCP.
#[cfg(target_os = "linux")]
fn listen_with_tls() -> Result<(UnixListener, Socket), StartError> {
    use std::os::linux::net::SocketAddrExt as _;
    let mut last = None;
    for _ in 0..8 {
        let name = format!("plugin{:016x}", rand::random::<u64>());
        let addr = std::os::unix::net::SocketAddr::from_abstract_name(name.as_bytes())
            .map_err(io("could not name the plugin socket"))?;
        match UnixListener::bind_addr(&addr) {
            Ok(listener) => {
                return Ok((nonblocking(listener)?, Socket::Abstract(format!("@{name}"))))
            }
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => last = Some(e),
            Err(e) => return Err(io("could not listen on the plugin socket")(e)),
        }
    }
    Err(io("could not listen on the plugin socket")(
        last.unwrap_or_else(|| std::io::Error::other("no free socket name")),
    ))
}

#[cfg(not(target_os = "linux"))]
fn listen_with_tls() -> Result<(UnixListener, Socket), StartError> {
    listen_in_private_dir()
}

/// Without TLS, only the file system keeps others out: the socket lives in a fresh
/// directory only this user can enter.
fn listen_in_private_dir() -> Result<(UnixListener, Socket), StartError> {
    let dir = SocketDir::create().map_err(io("could not create the socket directory"))?;
    let path = dir.path().join("plugin.sock");
    let listener =
        UnixListener::bind(&path).map_err(io("could not listen on the plugin socket"))?;
    let address = path.display().to_string();
    Ok((nonblocking(listener)?, Socket::InDir { _dir: dir, address }))
}

/// A fresh directory only this user can enter, holding the socket; removed on drop.
struct SocketDir {
    path: PathBuf,
}

impl SocketDir {
    fn create() -> std::io::Result<SocketDir> {
        use std::os::unix::fs::DirBuilderExt as _;
        let base = std::env::temp_dir();
        let mut last = None;
        for _ in 0..8 {
            let path = base.join(format!("plugin{:016x}", rand::random::<u64>()));
            match std::fs::DirBuilder::new().mode(0o700).create(&path) {
                Ok(()) => return Ok(SocketDir { path }),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last = Some(e),
                Err(e) => return Err(e),
            }
        }
        Err(last.unwrap_or_else(|| std::io::Error::other("no free directory name")))
    }

    fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for SocketDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// Text from the environment quoted in an error stays short.
fn clip(s: &str) -> &str {
    crate::model::cty::clip(s)
}
