//! The emulator survives its own users: its resident memory before and after 100,000
//! hostile requests (unique Actions, unique 1 KiB nonces, unique short nonces that are
//! stored, metadata credential fetches), sent over loopback to the real binary.
//!
//! A measurement, so a benchmark rather than a test: `cargo bench --bench sim_rss` (also
//! run by `make bench`, which appends its line to BENCHMARKS.md); `SIM_BINARY=path`
//! measures another build of `actiontrail-sim` instead (an earlier one, to compare). It
//! fails if the unknown Actions are not bucketed or RSS grows by 8 MiB or more.

#[path = "../tests/support/mod.rs"]
mod support;

use actiontrail_provider::alibaba::credentials::Credentials;
use actiontrail_provider::alibaba::endpoint::{Endpoint, Protocol};
use actiontrail_provider::alibaba::rpc::{sign, RpcRequest, SignatureAlgorithm};
use futures::StreamExt as _;
use std::collections::BTreeMap;
use support::{Sim, DEMO_ACCESS_KEY_ID, DEMO_ACCESS_KEY_SECRET};

const REQUESTS: usize = 100_000;
const CONCURRENCY: usize = 32;

fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("procfs");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .expect("VmRSS")
}

async fn hostile(http: &reqwest::Client, base: &str, i: usize) {
    let endpoint = Endpoint::parse(base, Protocol::Http).unwrap();
    let creds = Credentials {
        access_key_id: DEMO_ACCESS_KEY_ID.into(),
        access_key_secret: DEMO_ACCESS_KEY_SECRET.into(),
        security_token: None,
        expiration: None,
    };
    let params = BTreeMap::from([("AccessKey".to_owned(), format!("LTAI{}", "k".repeat(4096)))]);
    let signed = |action: &str, nonce: &str| {
        let req = RpcRequest {
            action,
            version: "2020-07-06",
            params: &params,
        };
        sign(
            &req,
            &endpoint,
            &creds,
            SignatureAlgorithm::HmacSha1,
            time::OffsetDateTime::now_utc(),
            nonce,
        )
        .url
    };
    let sent = match i % 4 {
        // An Action nobody serves, never the same twice.
        0 => http
            .post(format!("{base}/?Action=Invented{i}&Version=2020-07-06"))
            .send(),
        // A signed call with a unique 1 KiB nonce.
        1 => http
            .post(signed("GetAccessKeyLastUsedInfo", &format!("{i:0>1024}")))
            .send(),
        // A signed call with a unique short nonce, which the store keeps.
        2 => http
            .post(signed("GetAccessKeyLastUsedInfo", &format!("n-{i}")))
            .send(),
        // The metadata service: a session token, then the role's credentials.
        _ => {
            let token = http
                .put(format!("{base}/latest/api/token"))
                .header("x-aliyun-ecs-metadata-token-ttl-seconds", "21600")
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            http.get(format!(
                "{base}/latest/meta-data/ram/security-credentials/EcsAuditRole"
            ))
            .header("x-aliyun-ecs-metadata-token", token)
            .send()
        }
    };
    let status = sent.await.expect("the emulator answers").status();
    assert!(status.as_u16() < 500, "request {i}: HTTP {status}");
}

fn main() {
    let sim = match std::env::var("SIM_BINARY") {
        Ok(path) => Sim::start_binary(std::path::Path::new(&path), &[]),
        Err(_) => Sim::start(&[]),
    };
    let pid = sim.pid();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let http = reqwest::Client::new();
    let send = |from: usize, to: usize| {
        rt.block_on(
            futures::stream::iter(from..to)
                .for_each_concurrent(CONCURRENCY, |i| hostile(&http, &sim.url, i)),
        )
    };
    // Warm up: the allocator's arenas, the connection pool, one of each request.
    send(0, 1_000);
    std::thread::sleep(std::time::Duration::from_millis(500));
    let before = rss_kib(pid);
    send(1_000, 1_000 + REQUESTS);
    std::thread::sleep(std::time::Duration::from_secs(1));
    let after = rss_kib(pid);
    let stats = sim.stats();
    let requests = stats["requests"].as_object().unwrap();
    println!(
        "RSS before {before} KiB, after {REQUESTS} hostile requests {after} KiB ({:+} KiB); {} request counters; requests_total {}",
        after as i64 - before as i64,
        requests.len(),
        stats["requests_total"]
    );
    assert!(requests.len() < 12, "Actions are bucketed: {requests:?}");
    assert!(
        after < before + 8 * 1024,
        "RSS grew from {before} KiB to {after} KiB"
    );
}
