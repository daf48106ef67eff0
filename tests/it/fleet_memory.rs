//! Bounded memory against a hostile RAM endpoint: the client's ListUsers listing against
//! endless pages (a fresh `Marker` every time) stops at its documented caps with an error
//! naming the cap, and the process's peak resident memory stays under a stated bound.
//!
//! The bound: **the peak RSS of this test process grows by less than 256 MiB** over its
//! baseline while the client reads endless pages of 1,000 users of 15 KiB each (about
//! 15 MiB a page, just under the 16 MiB body cap) until the 64 MiB listing cap stops it.
//! Before the caps, the same endpoint took the provider to 3.8 GB.
//!
//! The integration tests share one binary, so the measurement runs in a process of its
//! own: the test runs this binary again with only itself selected, and no other test's
//! allocations share the measured process.

use crate::support;

use actiontrail_provider::actiontrail::list_users::{
    MAX_USERS, MAX_USER_LISTING_BYTES, MAX_USER_PAGES,
};
use actiontrail_provider::actiontrail::{Client, ClientConfig, CredentialsConfig, Error};
use axum::extract::RawQuery;
use axum::routing::any;
use axum::Router;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// The stated bound on the peak RSS growth.
const BOUND_BYTES: u64 = 256 * 1024 * 1024;

/// `VmHWM` (peak resident set) or `VmRSS` of this process, in bytes.
fn proc_status(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let line = status
        .lines()
        .find(|l| l.starts_with(field))
        .unwrap_or_else(|| panic!("no {field} in /proc/self/status"));
    let kb: u64 = line
        .split_whitespace()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap();
    kb * 1024
}

/// An endless ListUsers: every page has `per_page` users whose name and display name are
/// `entry_len` bytes together, is truncated, and hands out a fresh Marker. Counts the pages
/// served.
async fn endless(per_page: usize, entry_len: usize, served: Arc<AtomicUsize>) -> String {
    let app = Router::new().route(
        "/",
        any(move |RawQuery(query): RawQuery| {
            let served = served.clone();
            async move {
                let q: BTreeMap<String, String> =
                    form_urlencoded::parse(query.unwrap_or_default().as_bytes())
                        .into_owned()
                        .collect();
                assert_eq!(q.get("Action").map(String::as_str), Some("ListUsers"));
                let n = served.fetch_add(1, Ordering::SeqCst);
                let mut body = format!(
                    r#"{{"RequestId":"users-{n}","IsTruncated":true,"Marker":"fresh-{n}","Users":{{"User":["#
                );
                for i in 0..per_page {
                    if i > 0 {
                        body.push(',');
                    }
                    // RAM names a user in at most 64 characters, so the bulk of a large
                    // entry is its display name.
                    let name = format!("{n}-{i}");
                    body.push_str(&format!(
                        r#"{{"UserName":"{name}","DisplayName":"{}"}}"#,
                        "u".repeat(entry_len.saturating_sub(name.len()))
                    ));
                }
                body.push_str("]}}");
                body
            }
        }),
    );
    support::mock::serve(app).await
}

fn client(url: &str) -> Client {
    Client::new(ClientConfig {
        endpoint: Some(url.to_owned()),
        ram_endpoint: Some(url.to_owned()),
        max_retries: 0,
        credentials: CredentialsConfig {
            access_key: Some("LTAI5tMemoryCaller000001".into()),
            secret_key: Some("memory-caller-secret".into()),
            env: Some(BTreeMap::new()),
            ..Default::default()
        },
        ..Default::default()
    })
    .unwrap()
}

/// Set (to the test's name) in the process that measures.
const ALONE: &str = "ACTIONTRAIL_TEST_ALONE";

#[test]
fn endless_ram_pages_stop_at_the_caps_within_the_memory_bound() {
    let name = "fleet_memory::endless_ram_pages_stop_at_the_caps_within_the_memory_bound";
    if std::env::var(ALONE).as_deref() == Ok(name) {
        return measure();
    }
    let _alone = support::heavy_load();
    let out = std::process::Command::new(std::env::current_exe().expect("the test binary"))
        .args(["--exact", name, "--test-threads=1", "--nocapture"])
        .env(ALONE, name)
        .output()
        .expect("the test binary runs again");
    let text = support::output_text(&out);
    assert!(
        out.status.success(),
        "the measuring process failed:\n{text}"
    );
    // The filter must have selected this test, and it must have measured.
    assert!(text.contains("1 passed"), "{text}");
    assert!(text.contains("peak RSS "), "{text}");
}

/// The measurement, in a process that runs nothing else.
fn measure() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let baseline = proc_status("VmRSS:");

    // Small names: the users cap stops it, after MAX_USERS / 1,000 pages.
    let served = Arc::new(AtomicUsize::new(0));
    let url = rt.block_on(endless(1000, 16, served.clone()));
    let err = rt.block_on(client(&url).list_ram_users()).unwrap_err();
    assert!(matches!(err, Error::Pagination { .. }), "{err:?}");
    assert!(
        err.to_string()
            .contains(&format!("more than the cap of {MAX_USERS} users")),
        "{err}"
    );
    assert_eq!(served.load(Ordering::SeqCst), MAX_USERS / 1000 + 1);

    // No users at all: the pages cap stops it.
    let served = Arc::new(AtomicUsize::new(0));
    let url = rt.block_on(endless(0, 0, served.clone()));
    let err = rt.block_on(client(&url).list_ram_users()).unwrap_err();
    assert!(
        err.to_string()
            .contains(&format!("more than the cap of {MAX_USER_PAGES} pages")),
        "{err}"
    );
    assert_eq!(served.load(Ordering::SeqCst), MAX_USER_PAGES as usize);

    // Users of 15 KiB, pages of about 15 MiB: the bytes cap stops it.
    let served = Arc::new(AtomicUsize::new(0));
    let url = rt.block_on(endless(1000, 15 * 1024, served.clone()));
    let err = rt.block_on(client(&url).list_ram_users()).unwrap_err();
    assert!(
        err.to_string().contains("more than the cap of 64 MiB"),
        "{err}"
    );
    // Each entry is its 15 KiB of name and display name inside its JSON.
    let page = 1000 * (15 * 1024 + r#"{"UserName":"","DisplayName":""},"#.len());
    assert_eq!(
        served.load(Ordering::SeqCst),
        MAX_USER_LISTING_BYTES / page + 1
    );

    let peak = proc_status("VmHWM:");
    let grew = peak.saturating_sub(baseline);
    eprintln!(
        "peak RSS {} MiB, baseline {} MiB, growth {} MiB (bound {} MiB)",
        peak >> 20,
        baseline >> 20,
        grew >> 20,
        BOUND_BYTES >> 20
    );
    assert!(
        grew < BOUND_BYTES,
        "peak RSS grew by {} MiB, over the stated {} MiB bound",
        grew >> 20,
        BOUND_BYTES >> 20
    );
}
