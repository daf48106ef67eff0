//! Where the plugin listens: a unix socket (Linux, macOS) or TCP on 127.0.0.1 (Windows, or
//! anywhere [`super::TRANSPORT_ENV`] says `tcp`), and the name the handshake line gives it.

use super::{io, server::Listener, StartError, TRANSPORT_ENV};

/// The transport the plugin serves on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Transport {
    /// A unix socket: go-plugin's choice wherever there are unix sockets.
    #[cfg(unix)]
    Unix,
    /// TCP on 127.0.0.1: go-plugin's choice on Windows.
    Tcp,
}

impl Transport {
    /// The OS's own transport, unless [`TRANSPORT_ENV`] names another. An unknown value is
    /// an error, not the default: a forced transport that silently did not apply would
    /// prove nothing.
    pub(super) fn from_env() -> Result<Transport, StartError> {
        let value = std::env::var(TRANSPORT_ENV).unwrap_or_default();
        match value.trim() {
            "" if cfg!(windows) => Ok(Transport::Tcp),
            #[cfg(unix)]
            "" | "unix" => Ok(Transport::Unix),
            "tcp" => Ok(Transport::Tcp),
            other => Err(StartError::Transport(format!(
                "{TRANSPORT_ENV} is {:?}: it takes `tcp`{}, or nothing for the platform's own",
                super::clip(other),
                if cfg!(unix) { " or `unix`" } else { "" },
            ))),
        }
    }
}

/// A bound listener, not yet registered with the runtime (the runtime is built after the
/// handshake line is out).
pub(super) enum Bound {
    #[cfg(unix)]
    Unix(std::os::unix::net::UnixListener),
    Tcp(std::net::TcpListener),
}

impl Bound {
    /// The listener for [`super::server::run`], on the current runtime.
    pub(super) fn into_tokio(self) -> std::io::Result<Listener> {
        Ok(match self {
            #[cfg(unix)]
            Bound::Unix(l) => Listener::from(tokio::net::UnixListener::from_std(l)?),
            Bound::Tcp(l) => Listener::from(tokio::net::TcpListener::from_std(l)?),
        })
    }
}

/// Where the plugin listens, as the handshake line names it; what is on disk is removed
/// on drop.
pub(super) enum Socket {
    /// A name in Linux's abstract socket namespace, written `@name` as Go's net package
    /// reads it: nothing on disk to create or remove.
    #[cfg(target_os = "linux")]
    Abstract(String),
    /// `plugin.sock` in a fresh private directory, which goes when this does.
    #[cfg(unix)]
    InDir { _dir: SocketDir, address: String },
    /// `127.0.0.1:PORT`.
    Tcp(String),
}

impl Socket {
    /// The address, as the handshake line's fourth field.
    pub(super) fn address(&self) -> &str {
        match self {
            #[cfg(target_os = "linux")]
            Socket::Abstract(address) => address,
            #[cfg(unix)]
            Socket::InDir { address, .. } => address,
            Socket::Tcp(address) => address,
        }
    }

    /// The network, as the handshake line's third field and Go's net package name it.
    pub(super) fn network(&self) -> &'static str {
        match self {
            #[cfg(target_os = "linux")]
            Socket::Abstract(_) => "unix",
            #[cfg(unix)]
            Socket::InDir { .. } => "unix",
            Socket::Tcp(_) => "tcp",
        }
    }
}

/// The port range Terraform (or its user) allows, as go-plugin reads it: both
/// `PLUGIN_MIN_PORT` and `PLUGIN_MAX_PORT` unset is any free port.
fn port_range() -> Result<std::ops::RangeInclusive<u16>, StartError> {
    let port = |key: &str| -> Result<Option<u16>, StartError> {
        match std::env::var(key) {
            Ok(v) if !v.trim().is_empty() => v.trim().parse::<u16>().map(Some).map_err(|_| {
                StartError::Transport(format!(
                    "{key} is {:?}, not a port number (0-65535)",
                    super::clip(&v)
                ))
            }),
            _ => Ok(None),
        }
    };
    let min = port("PLUGIN_MIN_PORT")?.unwrap_or(0);
    let max = port("PLUGIN_MAX_PORT")?.unwrap_or(if min == 0 { 0 } else { u16::MAX });
    if min > max {
        return Err(StartError::Transport(format!(
            "PLUGIN_MIN_PORT ({min}) is greater than PLUGIN_MAX_PORT ({max})"
        )));
    }
    Ok(min..=max)
}

/// TCP on 127.0.0.1, on the first free port of the allowed range. Loopback only: go-plugin
/// never listens beyond it, and AutoMTLS admits only Terraform's certificate.
pub(super) fn listen_tcp() -> Result<(Bound, Socket), StartError> {
    let range = port_range()?;
    let (first, last) = (*range.start(), *range.end());
    let mut failure = None;
    for port in range {
        match std::net::TcpListener::bind((std::net::Ipv4Addr::LOCALHOST, port)) {
            Ok(listener) => {
                listener
                    .set_nonblocking(true)
                    .map_err(io("could not listen on the plugin port"))?;
                let address = listener
                    .local_addr()
                    .map_err(io("could not read the plugin port"))?
                    .to_string();
                return Ok((Bound::Tcp(listener), Socket::Tcp(address)));
            }
            Err(e) => failure = Some(e),
        }
    }
    Err(StartError::Io {
        what: if first == last {
            "could not listen on 127.0.0.1 at the port PLUGIN_MIN_PORT and PLUGIN_MAX_PORT allow"
        } else {
            "no free port on 127.0.0.1 between PLUGIN_MIN_PORT and PLUGIN_MAX_PORT"
        },
        source: failure.unwrap_or_else(|| std::io::Error::other("empty port range")),
    })
}

#[cfg(unix)]
pub(super) use unix::{listen_in_private_dir, listen_with_tls, SocketDir};

#[cfg(unix)]
mod unix {
    use super::{io, Bound, Socket, StartError};
    use std::os::unix::net::UnixListener;
    use std::path::{Path, PathBuf};

    fn nonblocking(listener: UnixListener) -> Result<Bound, StartError> {
        listener
            .set_nonblocking(true)
            .map_err(io("could not listen on the plugin socket"))?;
        Ok(Bound::Unix(listener))
    }

    /// With AutoMTLS on Linux, an abstract socket. The connection is only as private as
    /// TLS makes it, which is what AutoMTLS is for: the server admits only the certificate
    /// Terraform put in `PLUGIN_CLIENT_CERT` (see [`super::super::tls`]), Terraform admits
    /// only the one on the handshake line, and the name is this process's until it exits.
    /// Creating a directory and a socket file on a disk-backed /tmp cost a quarter of the
    /// time from spawn to handshake line; go-plugin itself relies on TLS alone where it
    /// listens on TCP.
    #[cfg(target_os = "linux")]
    pub(in super::super) fn listen_with_tls() -> Result<(Bound, Socket), StartError> {
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

    /// Elsewhere (macOS) there is no abstract namespace: a socket in a private directory.
    #[cfg(not(target_os = "linux"))]
    pub(in super::super) fn listen_with_tls() -> Result<(Bound, Socket), StartError> {
        listen_in_private_dir()
    }

    /// Without TLS, only the file system keeps others out: the socket lives in a fresh
    /// directory only this user can enter.
    pub(in super::super) fn listen_in_private_dir() -> Result<(Bound, Socket), StartError> {
        let dir = SocketDir::create().map_err(io("could not create the socket directory"))?;
        let path = dir.path().join("plugin.sock");
        let listener =
            UnixListener::bind(&path).map_err(io("could not listen on the plugin socket"))?;
        let address = path.display().to_string();
        Ok((nonblocking(listener)?, Socket::InDir { _dir: dir, address }))
    }

    /// A fresh directory only this user can enter, holding the socket; removed on drop.
    pub(in super::super) struct SocketDir {
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
}
