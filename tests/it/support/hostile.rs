//! Hostile traffic for the emulator's memory bounds, shared by the test that asserts them
//! (`sim_memory`) and the benchmark that measures them (`benches/sim_rss.rs`): four kinds
//! of request, each leaving something a careless server would keep.

use super::{DEMO_ACCESS_KEY_ID, DEMO_ACCESS_KEY_SECRET};
use actiontrail_provider::alibaba::credentials::Credentials;
use actiontrail_provider::alibaba::endpoint::{Endpoint, Protocol};
use actiontrail_provider::alibaba::signature::{sign, RpcRequest, SignatureAlgorithm};
use std::collections::BTreeMap;

/// The resident set of process `pid`, in KiB.
pub fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("procfs");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .expect("VmRSS")
}

/// A request signed by the demo caller with `params` in a form body (where a long
/// parameter fits), as `(url, body)`.
pub fn signed_form(
    base: &str,
    action: &str,
    version: &str,
    params: &BTreeMap<String, String>,
    nonce: &str,
) -> (String, String) {
    let endpoint = Endpoint::parse(base, Protocol::Http).unwrap();
    let creds = Credentials {
        access_key_id: DEMO_ACCESS_KEY_ID.into(),
        access_key_secret: DEMO_ACCESS_KEY_SECRET.into(),
        security_token: None,
        expiration: None,
    };
    let req = RpcRequest {
        action,
        version,
        params,
    };
    let url = sign(
        &req,
        &endpoint,
        &creds,
        SignatureAlgorithm::HmacSha1,
        time::OffsetDateTime::now_utc(),
        nonce,
    )
    .url;
    let (_, query) = url.split_once('?').unwrap();
    (format!("{base}/"), query.to_owned())
}

/// Sends hostile request number `i` (its kind is `i % 4`) asking about an AccessKey id of
/// `key_len` characters, and asserts the emulator did not fail on it.
pub async fn request(http: &reqwest::Client, base: &str, i: usize, key_len: usize) {
    let params = BTreeMap::from([(
        "AccessKey".to_owned(),
        format!("LTAI{}", "k".repeat(key_len)),
    )]);
    let signed = |nonce: String| {
        let (url, body) = signed_form(
            base,
            "GetAccessKeyLastUsedInfo",
            "2020-07-06",
            &params,
            &nonce,
        );
        http.post(url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
    };
    let sent = match i % 4 {
        // An Action nobody serves, never the same twice.
        0 => http
            .post(format!("{base}/?Action=Invented{i}&Version=2020-07-06"))
            .send(),
        // A signed call with a unique 1 KiB nonce.
        1 => signed(format!("{i:0>1024}")),
        // A signed call with a unique short nonce, which the store keeps (as a digest).
        2 => signed(format!("n-{i}")),
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
