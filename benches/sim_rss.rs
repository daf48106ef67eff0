//! The emulator survives its own users: its resident memory before and after 100,000
//! hostile requests (unique Actions, unique 1 KiB nonces, unique short nonces that are
//! stored, metadata credential fetches), sent over loopback to the real binary.
//!
//! A measurement, so a benchmark rather than a test: `cargo bench --bench sim_rss` (also
//! run by `make bench`, which appends its line to BENCHMARKS.md); `SIM_BINARY=path`
//! measures another build of `actiontrail-sim` instead (an earlier one, to compare). It
//! fails if the unknown Actions are not bucketed or RSS grows by 8 MiB or more.

// The integration tests' support module, of which a benchmark uses a part.
#[allow(dead_code)]
#[path = "../tests/it/support/mod.rs"]
mod support;

use futures::StreamExt as _;
use support::{hostile, Sim};

const REQUESTS: usize = 100_000;
const CONCURRENCY: usize = 32;

/// The shared mix, asking about a 4 KiB AccessKey id.
async fn send_one(http: &reqwest::Client, base: &str, i: usize) {
    hostile::request(http, base, i, 4096).await
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
                .for_each_concurrent(CONCURRENCY, |i| send_one(&http, &sim.url, i)),
        )
    };
    // Warm up: the allocator's arenas, the connection pool, one of each request.
    send(0, 1_000);
    std::thread::sleep(std::time::Duration::from_millis(500));
    let before = hostile::rss_kib(pid);
    send(1_000, 1_000 + REQUESTS);
    std::thread::sleep(std::time::Duration::from_secs(1));
    let after = hostile::rss_kib(pid);
    let stats = sim.stats();
    let requests = stats["requests"].as_object().unwrap();
    println!(
        "RSS before {before} KiB, after {REQUESTS} hostile requests {after} KiB ({:+} KiB); {} request counters; requests_total {}",
        after as i64 - before as i64,
        requests.len(),
        stats["requests_total"]
    );
    // One counter per Action served and one for every other: a flood of invented Actions
    // adds none.
    let served = actiontrail_provider::sim::operations::all().count();
    assert!(
        requests.len() <= served + 1,
        "Actions are bucketed ({served} served): {requests:?}"
    );
    assert!(
        after < before + 8 * 1024,
        "RSS grew from {before} KiB to {after} KiB"
    );
}
