//! Drives the plugin the way Terraform does: starts the real binary with go-plugin's
//! environment, reads the handshake line, and connects over the unix socket with mTLS,
//! presenting a P-521 client certificate like Terraform's.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;

use actiontrail_provider::model::{
    Attribute, Block, Diagnostic, Provider, ReadResult, Readable, Schema, Type, Value,
};
use base64::Engine as _;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use tonic::transport::{Channel, Endpoint, Uri};

pub use super::COOKIE;

/// A client identity: a self-signed ECDSA P-521 / SHA-512 certificate, as go-plugin makes.
pub struct ClientIdentity {
    /// Certificate, PEM (what goes into PLUGIN_CLIENT_CERT).
    pub pem: String,
    /// Certificate, DER.
    pub der: CertificateDer<'static>,
    /// Its key.
    pub key: PrivatePkcs8KeyDer<'static>,
}

impl ClientIdentity {
    /// A fresh identity.
    pub fn generate() -> ClientIdentity {
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P521_SHA512).unwrap();
        let params = rcgen::CertificateParams::new(vec!["localhost".to_owned()]).unwrap();
        let cert = params.self_signed(&key).unwrap();
        ClientIdentity {
            pem: cert.pem(),
            der: cert.der().clone(),
            key: PrivatePkcs8KeyDer::from(key.serialize_der()),
        }
    }
}

/// The plugin binary as a running process.
pub struct Plugin {
    /// The process.
    pub child: Child,
    /// The handshake line, without newline.
    pub handshake: String,
}

impl Plugin {
    /// Starts the binary with the cookie, `versions` as PLUGIN_PROTOCOL_VERSIONS and
    /// `client` as PLUGIN_CLIENT_CERT, and reads its handshake line.
    pub fn start(versions: &str, client: Option<&ClientIdentity>) -> Plugin {
        Plugin::start_with(versions, client, &[])
    }

    /// [`Plugin::start`] with `extra` added to (or overriding) its environment.
    pub fn start_with(
        versions: &str,
        client: Option<&ClientIdentity>,
        extra: &[(&str, &str)],
    ) -> Plugin {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_terraform-provider-actiontrail"));
        cmd.env_clear()
            .env(COOKIE.0, COOKIE.1)
            .env("PLUGIN_PROTOCOL_VERSIONS", versions)
            .env("TF_LOG", "OFF")
            .env("TMPDIR", super::run_tmp())
            .envs(extra.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        if let Some(c) = client {
            cmd.env("PLUGIN_CLIENT_CERT", &c.pem);
        }
        let mut child = cmd.spawn().expect("the plugin binary starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        Plugin {
            child,
            handshake: line.trim_end().to_owned(),
        }
    }

    /// The handshake line's six fields.
    pub fn fields(&self) -> Vec<&str> {
        self.handshake.split('|').collect()
    }

    /// The socket from the handshake: a path, or `@name` for an abstract socket.
    pub fn socket(&self) -> PathBuf {
        PathBuf::from(self.fields()[3])
    }

    /// The server certificate from the handshake (base64 without padding).
    pub fn server_cert(&self) -> CertificateDer<'static> {
        let der = base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(self.fields()[5])
            .expect("the certificate is unpadded standard base64");
        CertificateDer::from(der)
    }

    /// A gRPC channel over mTLS presenting `client` (or no certificate).
    pub async fn connect(&self, client: Option<&ClientIdentity>) -> Result<Channel, String> {
        connect_tls(self.socket(), self.server_cert(), client).await
    }

    /// Waits for the process to exit, at most `secs` seconds; its exit code.
    pub fn wait_exit(&mut self, secs: u64) -> Option<i32> {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
        while std::time::Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code();
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        None
    }
}

impl Drop for Plugin {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        // A killed plugin cannot remove its socket directory; tests leave nothing behind.
        if let Some(dir) = PathBuf::from(self.fields().get(3).copied().unwrap_or(""))
            .parent()
            .filter(|d| {
                d.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("plugin"))
            })
        {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// Trusts exactly one server certificate, as go-plugin's client does, and checks that it
/// names `localhost`.
#[derive(Debug)]
struct PinnedServer {
    cert: CertificateDer<'static>,
    provider: Arc<rustls::crypto::CryptoProvider>,
}

impl ServerCertVerifier for PinnedServer {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if end_entity.as_ref() != self.cert.as_ref() {
            return Err(rustls::Error::General(
                "unexpected server certificate".into(),
            ));
        }
        let parsed = rustls::server::ParsedCertificate::try_from(end_entity)?;
        rustls::client::verify_server_name(&parsed, server_name)?;
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// Connects to `socket` with TLS, trusting `server_cert` for `localhost`, presenting
/// `client` if given. The error is the TLS or transport failure, as text.
pub async fn connect_tls(
    socket: PathBuf,
    server_cert: CertificateDer<'static>,
    client: Option<&ClientIdentity>,
) -> Result<Channel, String> {
    let dial = move || {
        let stream = tokio_connect(&socket);
        async move { stream }
    };
    connect_tls_over(dial, server_cert, client).await
}

/// Connects to `127.0.0.1:PORT` (the plugin's TCP transport) as [`connect_tls`] does to a
/// socket.
pub async fn connect_tls_tcp(
    address: std::net::SocketAddr,
    server_cert: CertificateDer<'static>,
    client: Option<&ClientIdentity>,
) -> Result<Channel, String> {
    let dial = move || tokio::net::TcpStream::connect(address);
    connect_tls_over(dial, server_cert, client).await
}

/// The TLS client of both transports: each connection `dial`s a stream and does
/// go-plugin's handshake over it.
async fn connect_tls_over<S, D, F>(
    dial: D,
    server_cert: CertificateDer<'static>,
    client: Option<&ClientIdentity>,
) -> Result<Channel, String>
where
    D: Fn() -> F + Clone + Send + 'static,
    F: std::future::Future<Output = std::io::Result<S>> + Send,
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let connector = tls_connector(server_cert, client);
    Endpoint::try_from("http://localhost")
        .unwrap()
        .connect_with_connector(tower::service_fn(move |_: Uri| {
            let dial = dial.clone();
            let connector = connector.clone();
            async move {
                let stream = dial().await?;
                let name = ServerName::try_from("localhost").unwrap();
                let tls = connector.connect(name, stream).await?;
                Ok::<_, std::io::Error>(hyper_util::rt::TokioIo::new(tls))
            }
        }))
        .await
        .map_err(|e| format!("{e:?}"))
}

/// A client TLS configuration as go-plugin's: trusts `server_cert` alone, for `localhost`,
/// presents `client` if given, speaks h2.
fn tls_connector(
    server_cert: CertificateDer<'static>,
    client: Option<&ClientIdentity>,
) -> tokio_rustls::TlsConnector {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .unwrap()
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(PinnedServer {
            cert: server_cert,
            provider,
        }));
    let mut config = match client {
        Some(c) => builder
            .with_client_auth_cert(vec![c.der.clone()], PrivateKeyDer::Pkcs8(c.key.clone_key()))
            .unwrap(),
        None => builder.with_no_client_auth(),
    };
    config.alpn_protocols = vec![b"h2".to_vec()];
    tokio_rustls::TlsConnector::from(Arc::new(config))
}

/// Connects to a socket as go-plugin names it: a path, or `@name` in Linux's abstract
/// namespace, as Go's net package reads it.
pub fn unix_connect(socket: &std::path::Path) -> std::io::Result<std::os::unix::net::UnixStream> {
    use std::os::linux::net::SocketAddrExt as _;
    use std::os::unix::ffi::OsStrExt as _;
    use std::os::unix::net::{SocketAddr, UnixStream};
    match socket.as_os_str().as_bytes().strip_prefix(b"@") {
        Some(name) => UnixStream::connect_addr(&SocketAddr::from_abstract_name(name)?),
        None => UnixStream::connect(socket),
    }
}

fn tokio_connect(socket: &std::path::Path) -> std::io::Result<tokio::net::UnixStream> {
    let stream = unix_connect(socket)?;
    stream.set_nonblocking(true)?;
    tokio::net::UnixStream::from_std(stream)
}

/// Connects to `socket` without TLS.
pub async fn connect_plain(socket: PathBuf) -> Channel {
    Endpoint::try_from("http://localhost")
        .unwrap()
        .connect_with_connector(tower::service_fn(move |_: Uri| {
            let socket = socket.clone();
            async move {
                let stream = tokio_connect(&socket)?;
                Ok::<_, std::io::Error>(hyper_util::rt::TokioIo::new(stream))
            }
        }))
        .await
        .unwrap()
}

/// A provider for in-process tests: one data source, `echo_thing`, whose state repeats
/// its `name` argument and adds a computed `greeting`; a sensitive provider argument.
pub struct EchoProvider {
    provider: Schema,
    sources: Vec<(String, Schema)>,
}

impl EchoProvider {
    /// The provider.
    pub fn shared() -> Arc<dyn Provider> {
        let provider = Schema::new(
            0,
            Block {
                attributes: vec![
                    Attribute::optional("token", Type::String, "A secret.").sensitive()
                ],
                ..Block::default()
            },
        );
        let thing = Schema::new(
            0,
            Block {
                attributes: vec![
                    Attribute::required("name", Type::String, "Who to greet."),
                    Attribute::computed("greeting", Type::String, "The greeting."),
                    Attribute::computed("tags", Type::list(Type::String), "Some tags."),
                ],
                description: "Greets.".into(),
                ..Block::default()
            },
        );
        Arc::new(EchoProvider {
            provider,
            sources: vec![("echo_thing".into(), thing)],
        })
    }
}

#[async_trait::async_trait]
impl Provider for EchoProvider {
    fn provider_schema(&self) -> &Schema {
        &self.provider
    }

    fn data_source_schemas(&self) -> &[(String, Schema)] {
        &self.sources
    }

    fn validate_provider_config(&self, _: &Value) -> Vec<Diagnostic> {
        Vec::new()
    }

    fn data_source(&self, type_name: &str) -> Option<Box<dyn Readable + '_>> {
        let (_, schema) = self.sources.iter().find(|(n, _)| n == type_name)?;
        Some(Box::new(EchoThing { schema }))
    }

    async fn configure(&self, _: Value) -> Vec<Diagnostic> {
        vec![Diagnostic::warning("Configured", "just so you know")]
    }
}

/// EchoProvider's one data source, `echo_thing`: refuses an empty name at its path and
/// greets whoever it is given.
struct EchoThing<'p> {
    schema: &'p Schema,
}

#[async_trait::async_trait]
impl Readable for EchoThing<'_> {
    fn schema(&self) -> &Schema {
        self.schema
    }

    fn validate(&self, config: &Value) -> Vec<Diagnostic> {
        match config.get("name").and_then(Value::as_str) {
            Some("") => vec![Diagnostic::error("Empty name", "name must not be empty")
                .at(actiontrail_provider::model::AttributePath::root("name"))],
            _ => Vec::new(),
        }
    }

    async fn read(&self, config: Value) -> ReadResult {
        let name = config.get("name").and_then(Value::as_str).unwrap_or("");
        ReadResult {
            state: Some(Value::object([
                ("name", Value::string(name)),
                ("greeting", Value::string(format!("hello {name}"))),
                ("tags", Value::List(vec![Value::string("a")])),
            ])),
            diagnostics: Vec::new(),
        }
    }
}
