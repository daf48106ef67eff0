//! The release as users receive it. `make release` runs once (with a throwaway RSA key in
//! a private GNUPGHOME) and every test here uses what it wrote:
//!
//! - the Registry's file set, the same bytes when packaged again, and a signing key that
//!   must be RSA;
//! - a loopback registry speaking the provider registry protocol over HTTPS (a test CA
//!   through `SSL_CERT_FILE`) from which Terraform 0.13.5, 1.0.3 and 1.15.5 install the
//!   provider, checking its checksum and signature, and then plan against the emulator;
//!   a zip changed by one byte, or a signature by another key, is refused;
//! - the same files as a network mirror, from which 1.15.5 installs, held to the lock
//!   file's `zh:` hash, which is the zip's as SHA256SUMS has it;
//! - the static binary serving a real plan from a root holding nothing but itself and /dev,
//!   and resolving a name there without glibc's NSS modules.
//!
//! Nothing leaves loopback: the registry and the mirror listen on 127.0.0.1, and every
//! Terraform run has `CHECKPOINT_DISABLE=1` (the workspace sets it).

use crate::support;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, OnceLock};

use crate::support::{Sim, Tf, Workspace};
use axum::extract::{Path as UrlPath, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

const NAME: &str = "terraform-provider-actiontrail";
const VERSION: &str = "0.1.0";
const RECENT: &str = "LTAI5tRecentUse000000001";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A scratch directory under Cargo's target/tmp, emptied first (the release is too big to
/// leave in /tmp on every run, and gpg's socket paths must stay short).
fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A GNUPGHOME with one fresh RSA signing key.
struct Signer {
    home: PathBuf,
    fingerprint: String,
}

impl Signer {
    fn generate(home: PathBuf, who: &str) -> Signer {
        std::fs::create_dir_all(&home).unwrap();
        let gpg = |args: &[&str]| {
            run(Command::new("gpg")
                .env("GNUPGHOME", &home)
                .args(["--batch", "--pinentry-mode", "loopback", "--passphrase", ""])
                .args(args))
        };
        gpg(&["--quick-gen-key", who, "rsa2048", "sign", "never"]);
        let listing = gpg(&["--with-colons", "--list-secret-keys"]);
        let fingerprint = listing
            .lines()
            .find_map(|l| l.strip_prefix("fpr:"))
            .and_then(|l| l.split(':').find(|f| f.len() == 40))
            .expect("gpg lists the new key's fingerprint")
            .to_owned();
        Signer { home, fingerprint }
    }

    /// The key ID Terraform prints: the fingerprint's last 16 hex digits.
    fn key_id(&self) -> String {
        self.fingerprint[24..].to_uppercase()
    }

    fn armored_public_key(&self) -> String {
        run(Command::new("gpg").env("GNUPGHOME", &self.home).args([
            "--batch",
            "--armor",
            "--export",
            &self.fingerprint,
        ]))
    }

    fn detach_sign(&self, file: &Path, sig: &Path) {
        run(Command::new("gpg")
            .env("GNUPGHOME", &self.home)
            .args(["--batch", "--yes", "--pinentry-mode", "loopback"])
            .args(["--passphrase", "", "--local-user", &self.fingerprint])
            .arg("--output")
            .arg(sig)
            .arg("--detach-sign")
            .arg(file));
    }

    /// Stops the gpg-agent this home started, so nothing outlives the tests.
    fn stop_agent(&self) {
        let _ = Command::new("gpgconf")
            .env("GNUPGHOME", &self.home)
            .args(["--kill", "all"])
            .status();
    }
}

/// What `make release` wrote, and the keys around it.
struct Release {
    dist: PathBuf,
    signer: Signer,
    /// SHA256SUMS signed by another key.
    forged_sig: Vec<u8>,
}

impl Release {
    fn file(&self, suffix: &str) -> PathBuf {
        self.dist.join(format!("{NAME}_{VERSION}_{suffix}"))
    }

    /// SHA256SUMS as file name -> hex digest.
    fn sums(&self) -> BTreeMap<String, String> {
        std::fs::read_to_string(self.file("SHA256SUMS"))
            .unwrap()
            .lines()
            .map(|l| {
                let (hash, name) = l.split_once("  ").expect("sha256sum's two-space format");
                (name.to_owned(), hash.to_owned())
            })
            .collect()
    }

    fn zip_name(&self) -> String {
        format!("{NAME}_{VERSION}_linux_amd64.zip")
    }
}

/// Runs `make release` once for the whole test binary (every module of it).
fn release() -> &'static Release {
    static RELEASE: OnceLock<Release> = OnceLock::new();
    RELEASE.get_or_init(|| {
        let dir = scratch("release");
        let signer = Signer::generate(
            dir.join("gnupg"),
            "ActionTrail Release Test <release-test@actiontrail.invalid>",
        );
        let dist = dir.join("dist");
        run(Command::new("make")
            .arg("release")
            .current_dir(root())
            .env("DIST", &dist)
            .env("GNUPGHOME", &signer.home)
            .env("GPG_FINGERPRINT", &signer.fingerprint));
        let forger = Signer::generate(
            dir.join("gnupg-forger"),
            "Someone Else <forger@actiontrail.invalid>",
        );
        let forged = dir.join("forged.sig");
        forger.detach_sign(&dist.join(format!("{NAME}_{VERSION}_SHA256SUMS")), &forged);
        forger.stop_agent();
        signer.stop_agent();
        Release {
            dist,
            signer,
            forged_sig: std::fs::read(forged).unwrap(),
        }
    })
}

#[test]
fn make_release_writes_the_registrys_file_set_and_packages_the_same_bytes_twice() {
    let r = release();
    let mut names: Vec<String> = std::fs::read_dir(&r.dist)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            format!("{NAME}_{VERSION}_SHA256SUMS"),
            format!("{NAME}_{VERSION}_SHA256SUMS.sig"),
            format!("{NAME}_{VERSION}_linux_amd64.zip"),
            format!("{NAME}_{VERSION}_manifest.json"),
        ]
    );
    assert_eq!(
        std::fs::read(r.file("manifest.json")).unwrap(),
        std::fs::read(root().join("terraform-registry-manifest.json")).unwrap()
    );
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(r.file("manifest.json")).unwrap()).unwrap();
    assert_eq!(
        manifest,
        json!({"version": 1, "metadata": {"protocol_versions": ["6.0", "5.0"]}})
    );
    // sha256sum itself agrees with SHA256SUMS, over exactly the zip and the manifest.
    let sums = r.sums();
    assert_eq!(
        sums.keys().cloned().collect::<Vec<_>>(),
        [r.zip_name(), format!("{NAME}_{VERSION}_manifest.json")]
    );
    run(Command::new("sha256sum")
        .args(["--check", "--strict"])
        .arg(r.file("SHA256SUMS"))
        .current_dir(&r.dist));
    // A binary (not armored) signature gpg verifies with the release key.
    let sig = std::fs::read(r.file("SHA256SUMS.sig")).unwrap();
    assert!(
        !sig.starts_with(b"-----BEGIN"),
        "the signature must be binary"
    );
    let verify = Command::new("gpg")
        .env("GNUPGHOME", &r.signer.home)
        .args(["--batch", "--status-fd", "1", "--verify"])
        .arg(r.file("SHA256SUMS.sig"))
        .arg(r.file("SHA256SUMS"))
        .output()
        .unwrap();
    let status = String::from_utf8_lossy(&verify.stdout);
    assert!(
        status.contains(&format!("VALIDSIG {}", r.signer.fingerprint)),
        "{status}\n{}",
        String::from_utf8_lossy(&verify.stderr)
    );
    // The zip holds the one executable, named as the registry expects.
    let listing = run(Command::new("unzip")
        .arg("-Z")
        .arg(r.file("linux_amd64.zip")));
    assert!(
        listing.contains("-rwxr-xr-x") && listing.contains(&format!("{NAME}_v{VERSION}")),
        "{listing}"
    );
    assert!(listing.contains("1 file"), "{listing}");

    // Packaging again from the same commit (the build is already there) gives the same
    // bytes, signature included.
    let again = scratch("release-again").join("dist");
    run(Command::new("bash")
        .arg(root().join("scripts/release.sh"))
        .current_dir(root())
        .env("DIST", &again)
        .env("GNUPGHOME", &r.signer.home)
        .env("GPG_FINGERPRINT", &r.signer.fingerprint));
    r.signer.stop_agent();
    for name in &names {
        assert!(
            std::fs::read(r.dist.join(name)).unwrap() == std::fs::read(again.join(name)).unwrap(),
            "{name} differs between two runs of the release command"
        );
    }
}

#[test]
fn refuses_to_sign_without_a_key_or_with_an_ecc_one() {
    let dir = scratch("release-refusals");
    // Packaging is done (the shared release built it); signing alone is what is judged.
    let r = release();
    let dist = dir.join("dist");
    std::fs::create_dir_all(&dist).unwrap();
    std::fs::copy(r.file("linux_amd64.zip"), dist.join(r.zip_name())).unwrap();
    let sign = |env: &[(&str, &str)]| {
        Command::new("bash")
            .arg(root().join("scripts/release.sh"))
            .arg("sign")
            .current_dir(root())
            .env("DIST", &dist)
            .env_remove("GPG_FINGERPRINT")
            .envs(env.iter().copied())
            .output()
            .unwrap()
    };
    let out = sign(&[]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("GPG_FINGERPRINT is not set"));

    let ecc_home = dir.join("gnupg-ecc");
    std::fs::create_dir_all(&ecc_home).unwrap();
    run(Command::new("gpg")
        .env("GNUPGHOME", &ecc_home)
        .args(["--batch", "--pinentry-mode", "loopback", "--passphrase", ""])
        .args([
            "--quick-gen-key",
            "Ecc <ecc@actiontrail.invalid>",
            "ed25519",
            "sign",
            "never",
        ]));
    let listing = run(Command::new("gpg").env("GNUPGHOME", &ecc_home).args([
        "--batch",
        "--with-colons",
        "--list-secret-keys",
    ]));
    let fpr = listing
        .lines()
        .find_map(|l| l.strip_prefix("fpr:"))
        .and_then(|l| l.split(':').find(|f| f.len() == 40))
        .unwrap()
        .to_owned();
    let home = ecc_home.display().to_string();
    let out = sign(&[("GNUPGHOME", &home), ("GPG_FINGERPRINT", &fpr)]);
    let _ = Command::new("gpgconf")
        .env("GNUPGHOME", &ecc_home)
        .args(["--kill", "all"])
        .status();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("RSA or DSA"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!dist
        .join(format!("{NAME}_{VERSION}_SHA256SUMS.sig"))
        .exists());
}

/// What one registry namespace serves: the release as made, or spoiled one way.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Variant {
    AsReleased,
    /// The linux_amd64 zip with one byte changed.
    TamperedZip,
    /// SHA256SUMS.sig made by another key than the one the registry names.
    ForeignSignature,
}

impl Variant {
    fn namespace(self) -> &'static str {
        match self {
            Variant::AsReleased => "actiontrail",
            Variant::TamperedZip => "tampered",
            Variant::ForeignSignature => "forged",
        }
    }
}

struct Files {
    /// Namespace -> (file name -> bytes).
    by_namespace: BTreeMap<&'static str, BTreeMap<String, Vec<u8>>>,
    armored_key: String,
    key_id: String,
    host: String,
}

/// An HTTPS server on 127.0.0.1 speaking the provider registry protocol and the network
/// mirror protocol, with a certificate for `localhost` from a test CA.
struct Registry {
    host: String,
    ca_file: PathBuf,
}

/// The registry on a free port: sources read `localhost:PORT/NAMESPACE/actiontrail`.
fn registry() -> &'static Registry {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    REGISTRY.get_or_init(|| serve_registry("127.0.0.1:0", "registry"))
}

/// The registry on port 443, for the network mirror: Terraform joins a mirror's URL with
/// the provider's host, and a host with a port (`localhost:PORT/...`) does not parse as a
/// relative URL there, so the mirror's provider is `localhost/actiontrail/actiontrail`.
fn registry_on_443() -> &'static Registry {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    REGISTRY.get_or_init(|| serve_registry("127.0.0.1:443", "registry-443"))
}

fn serve_registry(bind: &str, name: &str) -> Registry {
    {
        let r = release();
        let dir = scratch(name);
        let ca_key = rcgen::KeyPair::generate().unwrap();
        let mut ca_params = rcgen::CertificateParams::new(Vec::new()).unwrap();
        ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "ActionTrail release test CA");
        let ca = ca_params.self_signed(&ca_key).unwrap();
        let ca_issuer = rcgen::Issuer::new(ca_params, ca_key);
        let leaf_key = rcgen::KeyPair::generate().unwrap();
        let leaf = rcgen::CertificateParams::new(vec!["localhost".to_owned()])
            .unwrap()
            .signed_by(&leaf_key, &ca_issuer)
            .unwrap();
        let ca_file = dir.join("ca.pem");
        std::fs::write(&ca_file, ca.pem()).unwrap();

        let mut tls = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::aws_lc_rs::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![leaf.der().clone()],
            rustls::pki_types::PrivateKeyDer::Pkcs8(leaf_key.serialize_der().into()),
        )
        .unwrap();
        tls.alpn_protocols = vec![b"http/1.1".to_vec()];

        let listener = std::net::TcpListener::bind(bind)
            .unwrap_or_else(|e| panic!("the test registry cannot listen on {bind}: {e}"));
        listener.set_nonblocking(true).unwrap();
        let host = match listener.local_addr().unwrap().port() {
            443 => "localhost".to_owned(),
            port => format!("localhost:{port}"),
        };

        let released: BTreeMap<String, Vec<u8>> = std::fs::read_dir(&r.dist)
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                (
                    e.file_name().to_string_lossy().into_owned(),
                    std::fs::read(e.path()).unwrap(),
                )
            })
            .collect();
        let mut by_namespace = BTreeMap::new();
        for variant in [
            Variant::AsReleased,
            Variant::TamperedZip,
            Variant::ForeignSignature,
        ] {
            let mut files = released.clone();
            match variant {
                Variant::AsReleased => {}
                Variant::TamperedZip => {
                    let zip = files.get_mut(&r.zip_name()).unwrap();
                    let middle = zip.len() / 2;
                    zip[middle] ^= 0x01;
                }
                Variant::ForeignSignature => {
                    files.insert(
                        format!("{NAME}_{VERSION}_SHA256SUMS.sig"),
                        r.forged_sig.clone(),
                    );
                }
            }
            by_namespace.insert(variant.namespace(), files);
        }
        let files = Arc::new(Files {
            by_namespace,
            armored_key: r.signer.armored_public_key(),
            key_id: r.signer.key_id(),
            host: host.clone(),
        });
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(tls));
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let listener = TlsListener {
                    tcp: tokio::net::TcpListener::from_std(listener).unwrap(),
                    acceptor,
                };
                let app = Router::new()
                    .route("/.well-known/terraform.json", get(discovery))
                    .route("/v1/providers/{ns}/{ty}/versions", get(versions))
                    .route(
                        "/v1/providers/{ns}/{ty}/{version}/download/{os}/{arch}",
                        get(download),
                    )
                    .route("/files/{ns}/{file}", get(file))
                    .route("/mirror/{host}/{ns}/{ty}/{file}", get(mirror))
                    .route(
                        "/mirror-tampered/{host}/{ns}/{ty}/{file}",
                        get(mirror_tampered),
                    )
                    .with_state(files);
                axum::serve(listener, app).await.unwrap();
            });
        });
        Registry { host, ca_file }
    }
}

/// TLS on a TCP listener, for axum; a failed handshake is dropped and the next accepted.
struct TlsListener {
    tcp: tokio::net::TcpListener,
    acceptor: tokio_rustls::TlsAcceptor,
}

impl axum::serve::Listener for TlsListener {
    type Io = tokio_rustls::server::TlsStream<tokio::net::TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let Ok((stream, addr)) = self.tcp.accept().await else {
                continue;
            };
            if let Ok(tls) = self.acceptor.accept(stream).await {
                return (tls, addr);
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.tcp.local_addr()
    }
}

type Shared = State<Arc<Files>>;

async fn discovery() -> Json<serde_json::Value> {
    Json(json!({"providers.v1": "/v1/providers/"}))
}

fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "not found").into_response()
}

async fn versions(State(files): Shared, UrlPath((ns, ty)): UrlPath<(String, String)>) -> Response {
    if ty != "actiontrail" || !files.by_namespace.contains_key(ns.as_str()) {
        return not_found();
    }
    Json(json!({"versions": [{
        "version": VERSION,
        "protocols": ["5.0", "6.0"],
        "platforms": [{"os": "linux", "arch": "amd64"}],
    }]}))
    .into_response()
}

async fn download(
    State(files): Shared,
    UrlPath((ns, ty, version, os, arch)): UrlPath<(String, String, String, String, String)>,
) -> Response {
    let Some(served) = files.by_namespace.get(ns.as_str()) else {
        return not_found();
    };
    if ty != "actiontrail" || version != VERSION || os != "linux" || arch != "amd64" {
        return not_found();
    }
    let zip = format!("{NAME}_{VERSION}_linux_amd64.zip");
    let sums = String::from_utf8(served[&format!("{NAME}_{VERSION}_SHA256SUMS")].clone()).unwrap();
    let shasum = sums
        .lines()
        .find_map(|l| l.strip_suffix(&format!("  {zip}")))
        .unwrap()
        .to_owned();
    let base = format!("https://{}/files/{ns}", files.host);
    Json(json!({
        "protocols": ["5.0", "6.0"],
        "os": os,
        "arch": arch,
        "filename": zip,
        "download_url": format!("{base}/{zip}"),
        "shasums_url": format!("{base}/{NAME}_{VERSION}_SHA256SUMS"),
        "shasums_signature_url": format!("{base}/{NAME}_{VERSION}_SHA256SUMS.sig"),
        "shasum": shasum,
        "signing_keys": {"gpg_public_keys": [{
            "key_id": files.key_id,
            "ascii_armor": files.armored_key,
        }]},
    }))
    .into_response()
}

async fn file(State(files): Shared, UrlPath((ns, file)): UrlPath<(String, String)>) -> Response {
    match files
        .by_namespace
        .get(ns.as_str())
        .and_then(|f| f.get(&file))
    {
        Some(bytes) => bytes.clone().into_response(),
        None => not_found(),
    }
}

/// The network mirror protocol over the same files: `index.json`, `VERSION.json` with the
/// archive and the hash Terraform must find, and the archive itself, beside them.
async fn mirror(
    State(files): Shared,
    UrlPath((host, ns, ty, file)): UrlPath<(String, String, String, String)>,
) -> Response {
    mirror_of(&files, &host, &ns, &ty, &file, &ns)
}

/// The same mirror, serving the tampered zip for every namespace.
async fn mirror_tampered(
    State(files): Shared,
    UrlPath((host, ns, ty, file)): UrlPath<(String, String, String, String)>,
) -> Response {
    mirror_of(
        &files,
        &host,
        &ns,
        &ty,
        &file,
        Variant::TamperedZip.namespace(),
    )
}

fn mirror_of(files: &Files, host: &str, ns: &str, ty: &str, file: &str, from: &str) -> Response {
    if host != files.host || ty != "actiontrail" || !files.by_namespace.contains_key(ns) {
        return not_found();
    }
    let served = &files.by_namespace[from];
    let zip = format!("{NAME}_{VERSION}_linux_amd64.zip");
    if file == "index.json" {
        return Json(json!({"versions": {VERSION: {}}})).into_response();
    }
    if file == format!("{VERSION}.json") {
        // The hash is the archive's own, computed here: the mirror vouches only for what it
        // serves, and the lock file is compared with SHA256SUMS by the test.
        use sha2::Digest as _;
        let hash = hex::encode(sha2::Sha256::digest(&served[&zip]));
        return Json(json!({"archives": {"linux_amd64": {
            "url": zip,
            "hashes": [format!("zh:{hash}")],
        }}}))
        .into_response();
    }
    match served.get(file) {
        Some(bytes) if file == zip => bytes.clone().into_response(),
        _ => not_found(),
    }
}

/// A workspace whose provider comes from the loopback registry's `namespace`.
fn registry_workspace(tf: Tf, namespace: &str, sim: &Sim) -> Workspace {
    workspace_on(registry(), tf, namespace, sim)
}

/// A workspace whose provider comes from `reg`'s `namespace`.
fn workspace_on(reg: &Registry, tf: Tf, namespace: &str, sim: &Sim) -> Workspace {
    let hcl = format!(
        r#"terraform {{
  required_providers {{
    actiontrail = {{
      source  = "{}/{namespace}/actiontrail"
      version = "{VERSION}"
    }}
  }}
}}

provider "actiontrail" {{}}

data "actiontrail_accesskey_last_used" "k" {{
  access_key_id = "{RECENT}"
}}

output "key" {{
  value = data.actiontrail_accesskey_last_used.k.access_key_id
}}
"#,
        reg.host
    );
    let mut ws = Workspace::new(tf, &hcl);
    let cli = ws.dir.path().join("registry.tfrc");
    std::fs::write(&cli, "provider_installation {\n  direct {}\n}\n").unwrap();
    ws.env("TF_CLI_CONFIG_FILE", &cli.display().to_string())
        .env("SSL_CERT_FILE", &reg.ca_file.display().to_string());
    ws.use_sim(sim);
    ws
}

#[test]
fn terraform_installs_from_a_registry_checking_checksum_and_signature_then_plans() {
    let r = release();
    let sim = Sim::start(&[]);
    let zip_hash = r.sums()[&r.zip_name()].clone();
    for tf in Tf::ALL {
        let ws = registry_workspace(tf, Variant::AsReleased.namespace(), &sim);
        let init = ws.init();
        assert!(
            init.contains(&format!("(self-signed, key ID {})", r.signer.key_id())),
            "{tf:?}: Terraform did not report the signature it checked:\n{init}"
        );
        if tf != Tf::V0_13_5 {
            let lock = std::fs::read_to_string(ws.work().join(".terraform.lock.hcl")).unwrap();
            assert!(
                lock.contains(&format!("\"zh:{zip_hash}\"")),
                "{tf:?}:\n{lock}"
            );
        }
        let outputs = ws.outputs();
        assert_eq!(outputs["key"], RECENT, "{tf:?}");
    }
}

#[test]
fn terraform_refuses_a_zip_changed_by_one_byte_and_a_signature_by_another_key() {
    let r = release();
    let sim = Sim::start(&[]);
    let zip_hash = r.sums()[&r.zip_name()].clone();
    for tf in Tf::ALL {
        let ws = registry_workspace(tf, Variant::TamperedZip.namespace(), &sim);
        let out = flat(&ws.fails(&["init", "-input=false", "-no-color"]));
        // 0.13.5: "archive has incorrect SHA-256 checksum X (expected Y)"; later: "zh:X
        // (expected zh:Y)". The expected one is the release's.
        assert!(
            out.contains("archive has incorrect"),
            "{tf:?}: a changed zip must fail its checksum:\n{out}"
        );
        assert!(out.contains(&format!("{zip_hash})")), "{tf:?}:\n{out}");
        assert!(!out.contains("- Installed"), "{tf:?}:\n{out}");

        let ws = registry_workspace(tf, Variant::ForeignSignature.namespace(), &sim);
        let out = flat(&ws.fails(&["init", "-input=false", "-no-color"]));
        assert!(
            out.contains("authentication signature from unknown issuer"),
            "{tf:?}: a signature by another key must be refused:\n{out}"
        );
        assert!(!out.contains("- Installed"), "{tf:?}:\n{out}");
    }
}

#[test]
fn a_network_mirror_of_the_release_installs_held_to_the_lock_files_sha256sums_hash() {
    let r = release();
    let reg = registry_on_443();
    let sim = Sim::start(&[]);
    let mut ws = workspace_on(reg, Tf::V1_15_5, Variant::AsReleased.namespace(), &sim);
    // The lock, from the registry: the zip's hash as the signed SHA256SUMS has it.
    ws.ok(&["providers", "lock", "-platform=linux_amd64", "-no-color"]);
    let lock = std::fs::read_to_string(ws.work().join(".terraform.lock.hcl")).unwrap();
    let zip_hash = &r.sums()[&r.zip_name()];
    assert!(lock.contains(&format!("\"zh:{zip_hash}\"")), "{lock}");
    // The install, from the mirror alone (no registry, no signature): the lock holds it.
    let cli = ws.dir.path().join("mirror.tfrc");
    std::fs::write(
        &cli,
        format!(
            "provider_installation {{\n  network_mirror {{\n    url = \"https://{}/mirror/\"\n  }}\n}}\n",
            reg.host
        ),
    )
    .unwrap();
    ws.env("TF_CLI_CONFIG_FILE", &cli.display().to_string());
    let init = ws.init();
    assert!(
        init.contains(&format!(
            "Installed {}/actiontrail/actiontrail v{VERSION}",
            reg.host
        )),
        "{init}"
    );
    assert!(
        !init.contains("signed"),
        "a mirror carries no signature: {init}"
    );
    assert_eq!(ws.outputs()["key"], RECENT);
    // A mirror serving a changed zip is refused.
    let mut ws = workspace_on(reg, Tf::V1_15_5, Variant::AsReleased.namespace(), &sim);
    ws.ok(&["providers", "lock", "-platform=linux_amd64", "-no-color"]);
    let lock = std::fs::read_to_string(ws.work().join(".terraform.lock.hcl")).unwrap();
    let tampered = ws.dir.path().join("tampered.tfrc");
    std::fs::write(
        &tampered,
        format!(
            "provider_installation {{\n  network_mirror {{\n    url = \"https://{}/mirror-tampered/\"\n  }}\n}}\n",
            reg.host
        ),
    )
    .unwrap();
    ws.env("TF_CLI_CONFIG_FILE", &tampered.display().to_string());
    let out = flat(&ws.fails(&["init", "-input=false", "-no-color"]));
    // Refused before it is unpacked: the changed byte breaks the zip's own CRC while the
    // package's hash is taken to compare with the lock.
    assert!(
        out.contains("Failed to install provider") && out.contains("checksum"),
        "a changed zip from the mirror was not refused:\n{out}"
    );
    assert!(!out.contains("- Installed"), "{out}");
    assert_eq!(
        std::fs::read_to_string(ws.work().join(".terraform.lock.hcl")).unwrap(),
        lock
    );
}

/// A root file system holding the release's binary (unzipped from the release) and the
/// kernel's character devices, made as a container runtime makes them (rand reads
/// /dev/urandom), plus `extra` files.
fn static_root(name: &str, extra: &[(&str, &str)]) -> PathBuf {
    let r = release();
    let rootfs = scratch(name).join("root");
    std::fs::create_dir_all(rootfs.join("dev")).unwrap();
    run(Command::new("unzip")
        .arg("-q")
        .arg(r.file("linux_amd64.zip"))
        .arg("-d")
        .arg(&rootfs));
    for (device, minor) in [
        ("null", "3"),
        ("zero", "5"),
        ("random", "8"),
        ("urandom", "9"),
    ] {
        run(Command::new("mknod")
            .args(["-m", "0666"])
            .arg(rootfs.join("dev").join(device))
            .args(["c", "1", minor]));
    }
    for (path, text) in extra {
        let path = rootfs.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    rootfs
}

/// Plans with Terraform launching, from its filesystem mirror, a wrapper outside `rootfs`
/// that runs the provider chrooted into it; the provider calls `endpoint`.
fn plan_chrooted(rootfs: &Path, tf: Tf, sim: &Sim, endpoint: &str) {
    let binary = format!("{NAME}_v{VERSION}");
    let hcl = format!(
        "{}\nprovider \"actiontrail\" {{}}\n\ndata \"actiontrail_accesskey_last_used\" \"k\" {{\n  access_key_id = \"{RECENT}\"\n}}\n\noutput \"key\" {{\n  value = data.actiontrail_accesskey_last_used.k.access_key_id\n}}\n",
        support::terraform_block()
    );
    let mut ws = Workspace::new(tf, &hcl);
    ws.use_sim(sim).env("ACTIONTRAIL_ENDPOINT", endpoint);
    let mirrored = ws
        .dir
        .path()
        .join("mirror/registry.terraform.io")
        .join(support::SOURCE)
        .join(VERSION)
        .join("linux_amd64")
        .join(&binary);
    std::fs::remove_file(&mirrored).unwrap();
    std::fs::write(
        &mirrored,
        format!(
            "#!/bin/sh\nexec chroot {} /{binary} \"$@\"\n",
            rootfs.display()
        ),
    )
    .unwrap();
    run(Command::new("chmod").arg("0755").arg(&mirrored));
    ws.init();
    assert_eq!(ws.outputs()["key"], RECENT, "{tf:?} via {endpoint}");
}

#[test]
fn the_static_binary_serves_a_plan_from_a_root_holding_only_itself_and_dev() {
    let rootfs = static_root("static-root", &[]);
    let binary = format!("{NAME}_v{VERSION}");
    let mut entries: Vec<String> = walk(&rootfs);
    entries.sort();
    assert_eq!(
        entries,
        ["dev/null", "dev/random", "dev/urandom", "dev/zero", &binary],
        "the root holds nothing else"
    );
    // No interpreter and no needed library: what lets it start there.
    let headers = run(Command::new("readelf")
        .args(["--program-headers", "--dynamic"])
        .arg(rootfs.join(&binary)));
    assert!(!headers.contains("INTERP"), "{headers}");
    assert!(!headers.contains("(NEEDED)"), "{headers}");

    let sim = Sim::start(&[]);
    for tf in [Tf::V1_15_5, Tf::V0_13_5] {
        plan_chrooted(&rootfs, tf, &sim, &sim.url);
    }
}

#[test]
fn the_static_binary_resolves_names_without_glibcs_nss() {
    // What a minimal image has: the resolver's configuration and a hosts file, and no
    // libnss_*.so for glibc's getaddrinfo to load. The endpoint is a name, not an address.
    let rootfs = static_root(
        "static-root-dns",
        &[
            ("etc/resolv.conf", "nameserver 127.0.0.1\n"),
            ("etc/hosts", "127.0.0.1 localhost\n"),
        ],
    );
    let sim = Sim::start(&[]);
    let by_name = sim.url.replace("127.0.0.1", "localhost");
    assert_ne!(by_name, sim.url);
    plan_chrooted(&rootfs, Tf::V1_15_5, &sim, &by_name);
}

/// Terraform's output with its line wrapping undone.
fn flat(out: &str) -> String {
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn walk(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p.strip_prefix(dir).unwrap().display().to_string());
            }
        }
    }
    out
}
