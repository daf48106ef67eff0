//! The emulator bounds what it keeps: its resident memory after 100,000 hostile requests
//! over loopback (Actions nobody serves, unique nonces long and short, metadata
//! credentials, and AssumeRole with 1 MiB and just-too-long role names) is back within a
//! few MiB of where it started, and every over-long role is refused with STS's error.

use crate::support::{hostile, Sim};
use futures::StreamExt as _;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};

const REQUESTS: usize = 100_000;
const CONCURRENCY: usize = 16;
/// One request in this many is an AssumeRole with a role name just over RAM's limit.
const LONG_ROLE_EVERY: usize = 250;
/// One request in this many is an AssumeRole with a 1 MiB role name (50 in all: kept, they
/// would add 50 MiB).
const LARGE_ROLE_EVERY: usize = 2_000;
/// What "back within a few MiB" allows: the emulator's bounded stores fill during the run
/// (at most 20,000 nonce digests and 10,000 metadata tokens, about 3 MiB), and allocator
/// arenas move on a loaded machine. The 50 role names of 1 MiB, if kept, would add 50 MiB.
const RSS_SLACK_KIB: u64 = 12 * 1024;

async fn assume_role(http: &reqwest::Client, base: &str, role: &str, i: usize) -> (u16, String) {
    let params = BTreeMap::from([
        (
            "RoleArn".to_owned(),
            format!("acs:ram::1234567890123456:role/{role}"),
        ),
        ("RoleSessionName".to_owned(), "hostile".to_owned()),
    ]);
    let (url, body) =
        hostile::signed_form(base, "AssumeRole", "2015-04-01", &params, &format!("r-{i}"));
    let resp = http
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .expect("the emulator answers");
    let status = resp.status().as_u16();
    let answer: serde_json::Value = resp.json().await.expect("a JSON answer");
    (status, answer["Code"].as_str().unwrap_or("").to_owned())
}

/// Whether request `i` is an AssumeRole with an over-long role name.
fn is_role(i: usize) -> bool {
    i.is_multiple_of(LARGE_ROLE_EVERY) || i % LONG_ROLE_EVERY == 1
}

async fn send_one(http: &reqwest::Client, base: &str, i: usize, refused: &AtomicUsize) {
    if is_role(i) {
        // A 1 MiB role name, or one just over RAM's 64 characters.
        let role = if i.is_multiple_of(LARGE_ROLE_EVERY) {
            "r".repeat(1 << 20)
        } else {
            "r".repeat(65)
        };
        let (status, code) = assume_role(http, base, &role, i).await;
        assert_eq!(
            (status, code.as_str()),
            (400, "InvalidParameter.RoleArn"),
            "request {i}"
        );
        refused.fetch_add(1, Ordering::Relaxed);
        return;
    }
    hostile::request(http, base, i, 60).await;
}

#[test]
fn the_emulator_keeps_no_more_after_100k_hostile_requests_than_before() {
    let _alone = crate::support::heavy_load();
    let sim = Sim::start(&[]);
    let pid = sim.pid();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let http = reqwest::Client::new();
    let refused = AtomicUsize::new(0);
    let send = |from: usize, to: usize| {
        rt.block_on(
            futures::stream::iter(from..to)
                .for_each_concurrent(CONCURRENCY, |i| send_one(&http, &sim.url, i, &refused)),
        )
    };
    // Warm up: the allocator's arenas (as many 1 MiB requests at once as the run will
    // ever have in flight), the connection pool, one of each request.
    let warm = |n: usize| n * LARGE_ROLE_EVERY;
    rt.block_on(
        futures::stream::iter(0..CONCURRENCY).for_each_concurrent(CONCURRENCY, |k| {
            send_one(&http, &sim.url, warm(k), &refused)
        }),
    );
    send(1, 2 * LONG_ROLE_EVERY);
    let before = hostile::rss_kib(pid);
    let start = warm(CONCURRENCY);
    send(start, start + REQUESTS);
    let after = hostile::rss_kib(pid);
    let stats = sim.stats();
    println!(
        "RSS before {before} KiB, after {REQUESTS} hostile requests {after} KiB ({:+} KiB); AssumeRole refused {}",
        after as i64 - before as i64,
        refused.load(Ordering::Relaxed)
    );
    // Every over-long role sent, in the three runs above, was refused, and the emulator
    // counted each AssumeRole once.
    let roles = (0..CONCURRENCY)
        .map(warm)
        .chain(1..2 * LONG_ROLE_EVERY)
        .chain(start..start + REQUESTS)
        .filter(|&i| is_role(i))
        .count();
    assert_eq!(
        refused.load(Ordering::Relaxed),
        roles,
        "every over-long role was sent and refused"
    );
    assert_eq!(
        stats["requests"]["AssumeRole"].as_u64(),
        Some(roles as u64),
        "{stats}"
    );
    assert!(
        after < before + RSS_SLACK_KIB,
        "RSS grew from {before} KiB to {after} KiB"
    );
}
