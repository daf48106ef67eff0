//! Microbenchmark: signing one GetAccessKeyLastUsedIps request, both algorithms.

use actiontrail_provider::alibaba::signature::{self, Acs3Request};
use criterion::{criterion_group, criterion_main, Criterion};
use std::collections::BTreeMap;
use std::hint::black_box;

fn rpc(c: &mut Criterion) {
    let params = [
        ("AccessKeyId", "LTAI5tDemoCaller0000001"),
        ("Action", "GetAccessKeyLastUsedIps"),
        ("Format", "JSON"),
        ("Version", "2020-07-06"),
        ("SignatureMethod", "HMAC-SHA1"),
        ("SignatureVersion", "1.0"),
        ("SignatureNonce", "5f0c8c0e-4d2a-4b8e-9a55-0d8b8a1f2c11"),
        ("Timestamp", "2026-11-22T10:00:00Z"),
        ("AccessKey", "LTAI5tRecentUse000000001"),
        ("ServiceName", "Ecs"),
        ("PageSize", "100"),
        ("NextToken", "eyJvIjoxMDAsImgiOiJhYmMifQ=="),
    ];
    c.bench_function("sign_rpc_hmac_sha1", |b| {
        b.iter(|| {
            let sts = signature::rpc_string_to_sign("POST", black_box(params));
            signature::rpc_signature("demo-secret-do-not-use-in-production", &sts)
        })
    });
}

fn acs3(c: &mut Criterion) {
    let query: BTreeMap<String, String> = [
        ("AccessKey", "LTAI5tRecentUse000000001"),
        ("PageSize", "100"),
        ("ServiceName", "Ecs"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    let body_sha = signature::sha256_hex(b"");
    let headers: BTreeMap<String, String> = [
        ("host", "actiontrail.cn-hangzhou.aliyuncs.com"),
        ("x-acs-action", "GetAccessKeyLastUsedIps"),
        ("x-acs-content-sha256", body_sha.as_str()),
        ("x-acs-date", "2026-11-22T10:00:00Z"),
        (
            "x-acs-signature-nonce",
            "5f0c8c0e-4d2a-4b8e-9a55-0d8b8a1f2c11",
        ),
        ("x-acs-version", "2020-07-06"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    c.bench_function("sign_acs3_hmac_sha256", |b| {
        b.iter(|| {
            let req = Acs3Request {
                method: "POST",
                path: "/",
                query: &query,
                headers: &headers,
                body_sha256: &body_sha,
            };
            black_box(req.authorization(
                "LTAI5tDemoCaller0000001",
                "demo-secret-do-not-use-in-production",
            ))
        })
    });
}

criterion_group!(benches, rpc, acs3);
criterion_main!(benches);
