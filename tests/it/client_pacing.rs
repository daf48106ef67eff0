//! The client's pacing over real HTTP, against a loopback endpoint with Alibaba's flow
//! control (`support::flow_control`): many concurrent calls through the real `Client` run
//! at the quota with few throttled answers, every caller and Action with a rate of its
//! own, and a server that throttles everything still ends in the retries-exhausted error.
//! Assertions are on the endpoint's counts, never on elapsed time.

use crate::support::flow_control::{Counts, FlowControl};
use actiontrail_provider::actiontrail::{Client, ClientConfig, Error, Protocol};
use actiontrail_provider::alibaba::credentials::{CredentialsConfig, CredentialsProvider};
use actiontrail_provider::alibaba::http::SharedHttp;
use std::collections::BTreeMap;
use std::time::Duration;

fn credentials(id: &str) -> CredentialsConfig {
    CredentialsConfig {
        access_key: Some(id.into()),
        secret_key: Some(format!("secret-of-{id}").into()),
        env: Some(BTreeMap::new()),
        ..Default::default()
    }
}

fn client(endpoint: &FlowControl, max_retries: u32, max_concurrency: usize) -> Client {
    Client::new(ClientConfig {
        endpoint: Some(endpoint.url.clone()),
        protocol: Protocol::Http,
        max_retries,
        max_concurrency,
        timeout: Duration::from_secs(30),
        credentials: credentials("LTAI5tManagement0000001"),
        ..Default::default()
    })
    .unwrap()
}

/// `n` distinct keys' GetAccessKeyLastUsedInfo, all at once (distinct, so none is
/// coalesced or cached).
async fn read_keys(client: &Client, prefix: &str, n: usize) {
    let reads = (0..n).map(|i| {
        let key = format!("LTAI5t{prefix}{i:08}");
        async move {
            let info = client.get_access_key_last_used_info(&key).await.unwrap();
            assert_eq!(info.access_key_id.as_deref(), Some(key.as_str()));
        }
    });
    futures::future::join_all(reads).await;
}

fn at_most_five_percent(counts: Counts, what: &str) {
    let all = counts.served + counts.throttled;
    assert!(
        counts.throttled * 100 <= all * 5,
        "{what}: {} of {all} calls throttled, more than 5 %",
        counts.throttled
    );
}

#[test]
fn many_concurrent_calls_run_at_the_quota_with_few_throttled() {
    let _heavy = crate::support::heavy_load();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        // 20 calls in flight over 20 ms round trips offer some 1,000 calls a second to a
        // quota of 200: retries alone would be throttled most of the time. (The calls in
        // flight when the first throttled answer comes are throttled too: nothing slows a
        // key before the server says so.)
        let endpoint = FlowControl::start(200.0, Duration::from_millis(20)).await;
        let client = client(&endpoint, 10, 20);
        read_keys(&client, "Fleet", 800).await;
        let total = endpoint.total();
        assert_eq!(total.served, 800, "{total:?}");
        assert!(
            total.throttled > 0,
            "the quota was reached, so pacing was put to work: {total:?}"
        );
        eprintln!("flow control answered {total:?}");
        at_most_five_percent(total, "one caller, one Action");
        assert_eq!(client.api_calls(), total.served + total.throttled);
    });
}

#[test]
fn each_account_is_paced_at_its_own_quota() {
    let _heavy = crate::support::heavy_load();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        // 10 in flight over 20 ms round trips: some 250 calls a second for each of two
        // accounts with a quota of 100.
        let endpoint = FlowControl::start(100.0, Duration::from_millis(20)).await;
        let management = client(&endpoint, 10, 10);
        // A member account's credentials, as a role's would be: another identity, so
        // another rate, sharing the connection pool, the concurrency bound and the count.
        let member_credentials = CredentialsProvider::from_config(
            &credentials("LTAI5tMemberAccount0001"),
            SharedHttp::new("test"),
        )
        .unwrap();
        let member = management.with_credentials(member_credentials);
        tokio::join!(
            read_keys(&management, "Management", 500),
            read_keys(&member, "Member", 500),
        );
        let counts = endpoint.counts();
        assert_eq!(counts.len(), 2, "{counts:?}");
        eprintln!("flow control answered {counts:?}");
        for ((caller, action), c) in &counts {
            assert_eq!(c.served, 500, "{caller} {action}: {c:?}");
            at_most_five_percent(*c, caller);
        }
        // The quota was met (by the first account throttled, which taught the other the
        // API's rate, or by both at once), and paced at: no account ran into it.
        assert!(
            counts.values().any(|c| c.throttled > 0),
            "the reads reached the quota: {counts:?}"
        );
        let total = endpoint.total();
        assert_eq!(management.api_calls(), total.served + total.throttled);
        assert_eq!(member.api_calls(), management.api_calls(), "one count");
    });
}

#[test]
fn a_server_that_throttles_everything_ends_in_the_retries_exhausted_error() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let endpoint = FlowControl::start(0.0, Duration::ZERO).await;
        let client = client(&endpoint, 3, 10)
            .with_backoff(Duration::from_millis(1), Duration::from_millis(5));
        let err = client
            .get_access_key_last_used_info("LTAI5tThrottled00000001")
            .await
            .unwrap_err();
        match &err {
            Error::Service(e) => assert_eq!(e.code, "Throttling.User", "{err:?}"),
            other => panic!("not the service's error: {other:?}"),
        }
        assert_eq!(
            endpoint.total(),
            Counts {
                served: 0,
                throttled: 4
            },
            "the first try and the three retries, no more"
        );
    });
}
