//! HTTPS_PROXY, HTTP_PROXY and NO_PROXY honoured for every endpoint, under real Terraform.
//!
//! The proxy here is written for the test and listens on loopback. A `CONNECT host:443`
//! is answered by terminating TLS with a certificate for that host, signed by a CA made
//! for the test and trusted through `SSL_CERT_FILE`, and the plain HTTP inside goes to
//! `actiontrail-sim`. So the provider talks to its real default endpoints
//! (`actiontrail.cn-hangzhou.aliyuncs.com`, `sts.aliyuncs.com`) over HTTPS, and nothing
//! leaves the machine: without the proxy those names would not even be resolved.

use crate::support::{
    terraform_block, Sim, Tf, Workspace, DEMO_ACCESS_KEY_ID, DEMO_ACCESS_KEY_SECRET,
};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

const RECENT: &str = "LTAI5tRecentUse000000001";
const ROLE: &str = "acs:ram::1234567890123456:role/auditor";

/// The request lines the proxy received, in order.
type Log = Arc<Mutex<Vec<String>>>;

struct TestCa {
    pem: String,
    tls: Arc<rustls::ServerConfig>,
}

/// A CA and, signed by it, a certificate for the hosts the provider calls by default.
fn test_ca() -> TestCa {
    let ca_key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "proxy test CA");
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params.key_usages = vec![
        rcgen::KeyUsagePurpose::KeyCertSign,
        rcgen::KeyUsagePurpose::DigitalSignature,
    ];
    let ca = rcgen::CertifiedIssuer::self_signed(ca_params, ca_key).unwrap();
    let leaf_key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let leaf_params = rcgen::CertificateParams::new(vec![
        "actiontrail.cn-hangzhou.aliyuncs.com".to_owned(),
        "sts.aliyuncs.com".to_owned(),
    ])
    .unwrap();
    let leaf = leaf_params.signed_by(&leaf_key, &ca).unwrap();
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![leaf.der().clone()],
            rustls::pki_types::PrivateKeyDer::try_from(leaf_key.serialize_der()).unwrap(),
        )
        .unwrap();
    // The emulator behind speaks HTTP/1.1.
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    TestCa {
        pem: ca.pem(),
        tls: Arc::new(config),
    }
}

/// Reads up to the end of the request head, one byte at a time so nothing after it is
/// consumed.
async fn read_head(stream: &mut tokio::net::TcpStream) -> Option<Vec<u8>> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte).await.ok()? == 0 || head.len() > 64 * 1024 {
            return None;
        }
        head.push(byte[0]);
    }
    Some(head)
}

async fn handle(
    mut client: tokio::net::TcpStream,
    sim: SocketAddr,
    tls: tokio_rustls::TlsAcceptor,
    log: Log,
) {
    let Some(head) = read_head(&mut client).await else {
        return;
    };
    let line = String::from_utf8_lossy(&head)
        .lines()
        .next()
        .unwrap_or("")
        .to_owned();
    log.lock().unwrap().push(line.clone());
    let Ok(mut upstream) = tokio::net::TcpStream::connect(sim).await else {
        return;
    };
    if line.starts_with("CONNECT ") {
        if client
            .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
            .await
            .is_err()
        {
            return;
        }
        let Ok(mut inner) = tls.accept(client).await else {
            return;
        };
        let _ = tokio::io::copy_bidirectional(&mut inner, &mut upstream).await;
    } else {
        // A plain-HTTP proxy request: absolute-form, which the emulator's server accepts.
        if upstream.write_all(&head).await.is_err() {
            return;
        }
        let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
    }
}

/// A proxy on loopback; returns its URL and the log of request lines it saw.
fn start_proxy(rt: &tokio::runtime::Runtime, sim: &Sim, ca: &TestCa) -> (String, Log) {
    let sim_addr: SocketAddr = sim
        .url
        .trim_start_matches("http://")
        .parse()
        .expect("the emulator's address");
    let listener = rt
        .block_on(tokio::net::TcpListener::bind(("127.0.0.1", 0)))
        .unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let log = Log::default();
    let acceptor = tokio_rustls::TlsAcceptor::from(ca.tls.clone());
    let task_log = log.clone();
    rt.spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(handle(stream, sim_addr, acceptor.clone(), task_log.clone()));
        }
    });
    (url, log)
}

fn workspace(tf: Tf) -> Workspace {
    let hcl = format!(
        "{}\nprovider \"actiontrail\" {{}}\n\ndata \"actiontrail_accesskey_last_used\" \"k\" {{\n  access_key_id = \"{RECENT}\"\n}}\n\noutput \"used\" {{\n  value = data.actiontrail_accesskey_last_used.k.used\n}}\n",
        terraform_block()
    );
    let mut ws = Workspace::new(tf, &hcl);
    ws.env("ALIBABA_CLOUD_ACCESS_KEY_ID", DEMO_ACCESS_KEY_ID)
        .env("ALIBABA_CLOUD_ACCESS_KEY_SECRET", DEMO_ACCESS_KEY_SECRET);
    ws
}

fn reads_the_key(ws: &Workspace) {
    ws.init();
    assert_eq!(ws.outputs()["used"], true);
}

#[test]
fn https_proxy_tunnels_actiontrail_and_sts_with_connect() {
    let sim = Sim::start(&[]);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let ca = test_ca();
    for tf in [Tf::V1_0_3, Tf::V1_15_5] {
        let (proxy, log) = start_proxy(&rt, &sim, &ca);
        let mut ws = workspace(tf);
        let ca_file = ws.dir.path().join("test-ca.pem");
        std::fs::write(&ca_file, &ca.pem).unwrap();
        // No endpoint anywhere: the provider's defaults, reached only through the proxy.
        ws.env("HTTPS_PROXY", &proxy)
            .env("SSL_CERT_FILE", &ca_file.display().to_string())
            .env("ALICLOUD_ASSUME_ROLE_ARN", ROLE);
        reads_the_key(&ws);
        let seen = log.lock().unwrap().clone();
        for target in [
            "CONNECT sts.aliyuncs.com:443 ",
            "CONNECT actiontrail.cn-hangzhou.aliyuncs.com:443 ",
        ] {
            assert!(
                seen.iter().any(|l| l.starts_with(target)),
                "{tf:?}: {target} not among {seen:?}"
            );
        }
    }
    let stats = sim.stats();
    assert!(
        stats["requests"]["AssumeRole"].as_u64() >= Some(1),
        "{stats}"
    );
    assert!(
        stats["requests"]["GetAccessKeyLastUsedInfo"].as_u64() >= Some(1),
        "{stats}"
    );
}

#[test]
fn http_proxy_carries_plain_http_and_no_proxy_bypasses_it() {
    let sim = Sim::start(&[]);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let ca = test_ca();

    let (proxy, log) = start_proxy(&rt, &sim, &ca);
    let mut ws = workspace(Tf::V1_0_3);
    ws.env("ACTIONTRAIL_ENDPOINT", &sim.url)
        .env("HTTP_PROXY", &proxy);
    reads_the_key(&ws);
    let seen = log.lock().unwrap().clone();
    assert!(
        seen.iter()
            .any(|l| l.starts_with(&format!("POST {}/?", sim.url))),
        "the request went through the proxy: {seen:?}"
    );

    for no_proxy in ["127.0.0.1", "localhost,127.0.0.0/8", "*"] {
        let (proxy, log) = start_proxy(&rt, &sim, &ca);
        let mut ws = workspace(Tf::V1_0_3);
        ws.env("ACTIONTRAIL_ENDPOINT", &sim.url)
            .env("http_proxy", &proxy)
            .env("NO_PROXY", no_proxy);
        reads_the_key(&ws);
        assert_eq!(
            *log.lock().unwrap(),
            Vec::<String>::new(),
            "NO_PROXY={no_proxy} sends nothing to the proxy"
        );
    }
}

#[test]
fn a_malformed_proxy_url_fails_the_plan_naming_the_variable() {
    let sim = Sim::start(&[]);
    let mut ws = workspace(Tf::V1_0_3);
    ws.env("ACTIONTRAIL_ENDPOINT", &sim.url)
        .env("HTTP_PROXY", "proxy.example.com:3128:extra");
    ws.init();
    let out = ws.fails(&["plan", "-input=false", "-no-color"]);
    assert!(out.contains("HTTP_PROXY"), "{out}");
    assert_eq!(
        sim.stats()["requests_total"],
        0,
        "nothing was sent directly"
    );
}
