//! Microbenchmark: building an API client. The provider builds one at ConfigureProvider,
//! before any read; building it must not connect or read the trust store (the first
//! request does), which `tests/it/client_http.rs` holds, while the cost is measured here.

use actiontrail_provider::actiontrail::{Client, ClientConfig, Protocol};
use actiontrail_provider::alibaba::credentials::CredentialsConfig;
use criterion::{criterion_group, criterion_main, Criterion};
use std::collections::BTreeMap;
use std::hint::black_box;

fn client_new(c: &mut Criterion) {
    let cfg = ClientConfig {
        endpoint: Some("127.0.0.1:9".into()),
        protocol: Protocol::Http,
        credentials: CredentialsConfig {
            access_key: Some("LTAI5tDemoCaller0000001".into()),
            secret_key: Some("demo-secret-do-not-use-in-production".into()),
            env: Some(BTreeMap::new()),
            ..Default::default()
        },
        ..Default::default()
    };
    c.bench_function("client_new", |b| {
        b.iter(|| Client::new(black_box(cfg.clone())).unwrap())
    });
}

criterion_group!(benches, client_new);
criterion_main!(benches);
