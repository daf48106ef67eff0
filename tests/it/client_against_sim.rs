//! The API client against `actiontrail-sim` over real HTTP: every operation, pagination
//! across pages, error codes, throttling recovered by retries, timeouts, and the
//! credentials chain's STS and ECS metadata sources played by the emulator.

use crate::support::{Sim, DEMO_ACCESS_KEY_ID, DEMO_ACCESS_KEY_SECRET};
use actiontrail_provider::actiontrail::{
    Client, ClientConfig, Error, PageOptions, Protocol, SignatureAlgorithm,
};
use actiontrail_provider::alibaba::credentials::{AssumeRoleConfig, CredentialsConfig};
use std::collections::BTreeMap;
use std::time::Duration;

const RECENT: &str = "LTAI5tRecentUse000000001";
const NEVER: &str = "LTAI5tNeverUsed00000001";
const MANY_IPS: &str = "LTAI5tManyIps0000000001";

fn static_credentials(id: &str, secret: &str) -> CredentialsConfig {
    CredentialsConfig {
        access_key: Some(id.into()),
        secret_key: Some(secret.into()),
        env: Some(BTreeMap::new()),
        ..Default::default()
    }
}

fn config(sim: &Sim, credentials: CredentialsConfig) -> ClientConfig {
    ClientConfig {
        region: "cn-hangzhou".into(),
        endpoint: Some(sim.url.clone()),
        protocol: Protocol::Http,
        signature: SignatureAlgorithm::HmacSha1,
        max_retries: 5,
        timeout: Duration::from_secs(10),
        credentials,
        ..Default::default()
    }
}

fn demo_client(sim: &Sim) -> Client {
    Client::new(config(
        sim,
        static_credentials(DEMO_ACCESS_KEY_ID, DEMO_ACCESS_KEY_SECRET),
    ))
    .unwrap()
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Runtime::new().unwrap()
}

#[test]
fn every_operation_answers_with_both_signature_algorithms() {
    let sim = Sim::start(&[]);
    for signature in [
        SignatureAlgorithm::HmacSha1,
        SignatureAlgorithm::Acs3HmacSha256,
    ] {
        let mut cfg = config(
            &sim,
            static_credentials(DEMO_ACCESS_KEY_ID, DEMO_ACCESS_KEY_SECRET),
        );
        cfg.signature = signature;
        let client = Client::new(cfg).unwrap();
        rt().block_on(async {
            let info = client.get_access_key_last_used_info(RECENT).await.unwrap();
            assert!(info.used_timestamp.is_some() && info.service_name.is_some());
            assert!(!info.request_id.is_empty());
            let products = client
                .get_access_key_last_used_products(RECENT)
                .await
                .unwrap();
            assert!(!products.products.is_empty());
            let ips = client
                .list_access_key_last_used_ips(
                    RECENT,
                    "Ecs",
                    PageOptions {
                        page_size: None,
                        max_items: None,
                    },
                )
                .await
                .unwrap();
            assert!(!ips.items.is_empty());
            let res = client
                .list_access_key_last_used_resources(RECENT, "Ecs", PageOptions::default())
                .await
                .unwrap();
            assert!(!res.items.is_empty());
        });
    }
}

#[test]
fn a_never_used_key_has_no_timestamp_and_no_products() {
    let sim = Sim::start(&[]);
    let client = demo_client(&sim);
    rt().block_on(async {
        let info = client.get_access_key_last_used_info(NEVER).await.unwrap();
        assert_eq!(info.used_timestamp, None);
        let products = client
            .get_access_key_last_used_products(NEVER)
            .await
            .unwrap();
        assert!(products.products.is_empty());
    });
}

#[test]
fn follows_next_token_until_empty_at_the_largest_page_size() {
    let sim = Sim::start(&[]);
    let client = demo_client(&sim);
    rt().block_on(async {
        let all = client
            .list_access_key_last_used_ips(MANY_IPS, "Ecs", PageOptions::default())
            .await
            .unwrap();
        // The data set's key has exactly 1,000 IPs for Ecs: every one, none twice.
        assert_eq!(all.items.len(), 1000);
        assert_eq!(all.pages as usize, all.items.len().div_ceil(100));
        let mut seen: Vec<&str> = all.items.iter().map(|i| i.ip.as_str()).collect();
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), all.items.len(), "no IP twice across pages");

        let small = PageOptions {
            page_size: Some(30),
            max_items: Some(75),
        };
        let capped = client
            .list_access_key_last_used_ips(MANY_IPS, "Ecs", small)
            .await
            .unwrap();
        assert_eq!(capped.items.len(), 75);
        assert!(capped.truncated);
        assert_eq!(capped.items[..], all.items[..75]);
    });
}

fn service_code(err: &Error) -> String {
    err.service()
        .map(|s| s.code.clone())
        .unwrap_or_else(|| format!("not a service error: {err}"))
}

#[test]
fn service_errors_carry_code_message_and_request_id_and_are_not_retried() {
    let sim = Sim::start(&[]);
    let wrong_secret = Client::new(config(
        &sim,
        static_credentials(DEMO_ACCESS_KEY_ID, "wrong"),
    ))
    .unwrap();
    let unknown_caller = Client::new(config(
        &sim,
        static_credentials("LTAI5tNoSuchCaller00001", "x"),
    ))
    .unwrap();
    let denied = Client::new(config(
        &sim,
        static_credentials("LTAI5tDeniedCaller00001", "denied-secret"),
    ))
    .unwrap();
    let demo = demo_client(&sim);
    rt().block_on(async {
        let before = sim_requests(&sim).await;
        let err = wrong_secret
            .get_access_key_last_used_info(RECENT)
            .await
            .unwrap_err();
        assert_eq!(service_code(&err), "SignatureDoesNotMatch");
        let svc = err.service().unwrap();
        assert_eq!(svc.http_status, 400);
        assert!(!svc.request_id.is_empty() && !svc.message.is_empty());
        assert!(!err.is_retryable());
        assert_eq!(
            sim_requests(&sim).await - before,
            1,
            "a signature error is not retried"
        );

        let err = unknown_caller
            .get_access_key_last_used_info(RECENT)
            .await
            .unwrap_err();
        assert_eq!(service_code(&err), "InvalidAccessKeyId.NotFound");
        let err = denied
            .get_access_key_last_used_info(RECENT)
            .await
            .unwrap_err();
        assert_eq!(service_code(&err), "Forbidden.RAM");
        let err = demo
            .list_access_key_last_used_ips(RECENT, "", PageOptions::default())
            .await
            .unwrap_err();
        assert_eq!(service_code(&err), "InvalidQueryParameter");
    });
}

async fn sim_requests(sim: &Sim) -> u64 {
    let stats: serde_json::Value = reqwest::get(format!("{}/__sim/stats", sim.url))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    stats["requests"]
        .as_object()
        .unwrap()
        .values()
        .filter_map(|v| v.as_u64())
        .sum()
}

#[test]
fn throttling_at_half_the_requests_is_recovered_by_retries() {
    let sim = Sim::start(&["--throttle-rate", "0.5", "--seed", "42"]);
    let mut cfg = config(
        &sim,
        static_credentials(DEMO_ACCESS_KEY_ID, DEMO_ACCESS_KEY_SECRET),
    );
    cfg.max_retries = 10;
    let client = Client::new(cfg).unwrap();
    rt().block_on(async {
        let all = client
            .list_access_key_last_used_ips(MANY_IPS, "Ecs", PageOptions::default())
            .await
            .unwrap();
        // The data set's key has exactly 1,000 IPs for Ecs: every one, none twice.
        assert_eq!(all.items.len(), 1000);
    });
    let stats = sim.stats();
    assert!(
        stats["throttles"].as_u64().unwrap() > 0,
        "the emulator did throttle: {stats}"
    );
}

#[test]
fn server_errors_are_retried_and_a_budget_of_zero_surfaces_them() {
    let sim = Sim::start(&["--error-rate", "1.0", "--seed", "3"]);
    let mut cfg = config(
        &sim,
        static_credentials(DEMO_ACCESS_KEY_ID, DEMO_ACCESS_KEY_SECRET),
    );
    cfg.max_retries = 2;
    let client = Client::new(cfg).unwrap();
    rt().block_on(async {
        let err = client
            .get_access_key_last_used_info(RECENT)
            .await
            .unwrap_err();
        let code = service_code(&err);
        assert!(
            code == "ServiceUnavailable" || code == "InternalError",
            "{code}"
        );
        assert!(err.is_retryable());
    });
    let stats = sim.stats();
    assert_eq!(
        stats["requests"]["GetAccessKeyLastUsedInfo"], 3,
        "1 try + 2 retries: {stats}"
    );
}

#[test]
fn a_slow_answer_times_out() {
    // An answer an hour away: the call can only end by its own timeout, however loaded the
    // machine (3 s against 200 ms was a margin a busy host could eat).
    let sim = Sim::start(&["--latency-ms", "3600000"]);
    let mut cfg = config(
        &sim,
        static_credentials(DEMO_ACCESS_KEY_ID, DEMO_ACCESS_KEY_SECRET),
    );
    cfg.timeout = Duration::from_millis(200);
    cfg.max_retries = 0;
    let client = Client::new(cfg).unwrap();
    rt().block_on(async {
        let err = client
            .get_access_key_last_used_info(RECENT)
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    });
}

#[test]
fn assume_role_through_the_emulators_sts_yields_working_temporary_credentials() {
    let sim = Sim::start(&[]);
    let mut creds = static_credentials(DEMO_ACCESS_KEY_ID, DEMO_ACCESS_KEY_SECRET);
    creds.sts_endpoint = Some(sim.url.clone());
    creds.assume_role = Some(AssumeRoleConfig {
        role_arn: "acs:ram::1234567890123456:role/auditor".into(),
        session_name: Some("rotation-check".into()),
        policy: None,
        session_expiration: Some(3600),
        external_id: None,
    });
    let client = Client::new(config(&sim, creds)).unwrap();
    rt().block_on(async {
        client.get_access_key_last_used_info(RECENT).await.unwrap();
    });
    let stats = sim.stats();
    assert_eq!(stats["requests"]["AssumeRole"], 1, "{stats}");
}

#[test]
fn the_ecs_ram_role_from_the_emulators_metadata_service_signs_requests() {
    let _deadlines = crate::support::deadlines();
    let sim = Sim::start(&[]);
    let creds = CredentialsConfig {
        ecs_role_name: Some("EcsAuditRole".into()),
        ecs_metadata_endpoint: Some(sim.url.clone()),
        env: Some(BTreeMap::new()),
        ..Default::default()
    };
    let client = Client::new(config(&sim, creds)).unwrap();
    let info = rt().block_on(async { client.get_access_key_last_used_info(RECENT).await.unwrap() });
    assert_eq!(info.access_key_id.as_deref(), Some(RECENT));
    // The emulator answers only a caller it issued credentials to, and only these were
    // configured: the call went through the metadata service's role credentials.
    assert_eq!(sim.stats()["requests"]["GetAccessKeyLastUsedInfo"], 1);
    assert_eq!(sim.stats()["errors"], serde_json::json!({}));
}

#[test]
fn identical_concurrent_requests_make_one_api_call() {
    let sim = Sim::start(&["--latency-ms", "100"]);
    let client = demo_client(&sim);
    rt().block_on(async {
        let calls = (0..20).map(|_| {
            let c = client.clone();
            async move { c.get_access_key_last_used_info(RECENT).await.unwrap() }
        });
        let answers = futures::future::join_all(calls).await;
        assert!(answers.windows(2).all(|w| w[0] == w[1]));
    });
    assert_eq!(sim.stats()["requests"]["GetAccessKeyLastUsedInfo"], 1);
}

#[test]
fn a_derived_client_keeps_no_answers_and_the_client_it_came_from_does() {
    let sim = Sim::start(&[]);
    let client = demo_client(&sim);
    let derived = client.with_credentials(client.credentials().clone());
    rt().block_on(async {
        for c in [&client, &client, &derived, &derived] {
            c.get_access_key_last_used_info(RECENT).await.unwrap();
        }
    });
    // The first client asked once and kept the answer; the derived one asked each time.
    assert_eq!(answered(&sim, "GetAccessKeyLastUsedInfo"), 3);
}

/// How many requests for `action` the emulator has answered.
fn answered(sim: &Sim, action: &str) -> u64 {
    sim.stats()["requests"][action].as_u64().unwrap()
}

/// Waits until the emulator has answered `n` requests for `action`. The deadline only
/// turns a hang into a failure; no assertion depends on how long anything took.
fn wait_for_requests(sim: &Sim, action: &str, n: u64, why: &str) {
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    while answered(sim, action) < n {
        assert!(
            std::time::Instant::now() < deadline,
            "{why}: the emulator never saw {n} {action} requests ({} so far)",
            answered(sim, action)
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn stopping_interrupts_a_throttled_calls_backoff() {
    // Every request is throttled, and every backoff lasts up to a day: a call that
    // returns at all after its first request was stopped while it slept.
    let sim = Sim::start(&["--throttle-rate", "1"]);
    let stop = tokio_util::sync::CancellationToken::new();
    let mut cfg = config(
        &sim,
        static_credentials(DEMO_ACCESS_KEY_ID, DEMO_ACCESS_KEY_SECRET),
    );
    cfg.max_retries = 20;
    let day = Duration::from_secs(86_400);
    let client = Client::new(cfg)
        .unwrap()
        .with_backoff(day, day)
        .cancelled_by(stop.clone());
    let rt = rt();
    let call = rt.spawn(async move { client.get_access_key_last_used_info(RECENT).await });
    wait_for_requests(&sim, "GetAccessKeyLastUsedInfo", 1, "the first attempt");
    stop.cancel();
    let err = rt
        .block_on(async { tokio::time::timeout(Duration::from_secs(120), call).await })
        .expect("the stop ends the call, which was asleep in a backoff of up to a day")
        .unwrap()
        .unwrap_err();
    assert!(matches!(err, Error::Stopped { .. }), "{err:?}");
    assert!(!err.is_retryable());
    assert_eq!(
        answered(&sim, "GetAccessKeyLastUsedInfo"),
        1,
        "the stop came during the first backoff"
    );
}

#[test]
fn stopping_a_throttled_call_leaves_no_retry_running() {
    // Two clients retry throttled calls every few milliseconds in one live runtime: the
    // stopped one (GetAccessKeyLastUsedInfo) and a control that is not stopped
    // (GetAccessKeyLastUsedIps). The runtime stays up while the control makes five more
    // attempts after the stop, which the stopped call's retries would have matched.
    let sim = Sim::start(&["--throttle-rate", "1"]);
    let client = |stop: &tokio_util::sync::CancellationToken| {
        let mut cfg = config(
            &sim,
            static_credentials(DEMO_ACCESS_KEY_ID, DEMO_ACCESS_KEY_SECRET),
        );
        cfg.max_retries = 100_000;
        Client::new(cfg)
            .unwrap()
            .with_backoff(Duration::from_millis(5), Duration::from_millis(20))
            .cancelled_by(stop.clone())
    };
    let (stop, control_stop) = (
        tokio_util::sync::CancellationToken::new(),
        tokio_util::sync::CancellationToken::new(),
    );
    let (stopped, control) = (client(&stop), client(&control_stop));
    let rt = rt();
    let call = rt.spawn(async move { stopped.get_access_key_last_used_info(RECENT).await });
    let control_call = rt.spawn(async move {
        control
            .list_access_key_last_used_ips(
                RECENT,
                "Ecs",
                PageOptions {
                    page_size: None,
                    max_items: None,
                },
            )
            .await
    });
    wait_for_requests(
        &sim,
        "GetAccessKeyLastUsedInfo",
        3,
        "retries before the stop",
    );
    stop.cancel();
    let err = rt.block_on(call).unwrap().unwrap_err();
    assert!(matches!(err, Error::Stopped { .. }), "{err:?}");
    let at_stop = answered(&sim, "GetAccessKeyLastUsedInfo");
    let control_at_stop = answered(&sim, "GetAccessKeyLastUsedIps");
    wait_for_requests(
        &sim,
        "GetAccessKeyLastUsedIps",
        control_at_stop + 5,
        "the control's retries after the stop",
    );
    assert_eq!(
        answered(&sim, "GetAccessKeyLastUsedInfo"),
        at_stop,
        "no retry of the stopped call ran while the control retried five times"
    );
    control_stop.cancel();
    let control_err = rt.block_on(control_call).unwrap().unwrap_err();
    assert!(
        matches!(control_err, Error::Stopped { .. }),
        "{control_err:?}"
    );
}

#[test]
fn ram_lists_every_user_and_key_and_events_page_in_the_emulator_with_both_algorithms() {
    let sim = Sim::start(&[]);
    for signature in [
        SignatureAlgorithm::HmacSha1,
        SignatureAlgorithm::Acs3HmacSha256,
    ] {
        let mut cfg = config(
            &sim,
            static_credentials(DEMO_ACCESS_KEY_ID, DEMO_ACCESS_KEY_SECRET),
        );
        cfg.signature = signature;
        cfg.ram_endpoint = Some(sim.url.clone());
        cfg.max_concurrency = 2;
        let client = Client::new(cfg).unwrap();
        rt().block_on(async {
            let users = client.list_ram_users().await.unwrap();
            let names: Vec<&str> = users.users.iter().map(|u| u.user_name.as_str()).collect();
            assert_eq!(names, ["ci-deployer", "legacy-backup", "new-hire"]);
            assert_eq!(users.request_ids.len(), 1);
            let keys = client.list_ram_access_keys("legacy-backup").await.unwrap();
            let statuses: Vec<_> = keys.keys.iter().map(|k| k.status).collect();
            assert_eq!(
                statuses,
                [
                    actiontrail_provider::actiontrail::KeyStatus::Active,
                    actiontrail_provider::actiontrail::KeyStatus::Inactive
                ]
            );
            let err = client.list_ram_access_keys("nobody").await.unwrap_err();
            assert_eq!(err.service().unwrap().code, "EntityNotExist.User");
            assert!(err.request_id().is_some());
            let events = client
                .list_access_key_last_used_events(
                    RECENT,
                    "Ecs",
                    PageOptions {
                        page_size: Some(3),
                        max_items: None,
                    },
                )
                .await
                .unwrap();
            assert_eq!(events.items.len(), 4);
            assert_eq!(events.pages, 2);
            assert_eq!(events.items[0].event_name, "DescribeInstances");
        });
    }
    let stats = sim.stats();
    assert!(
        stats["requests"]["ListUsers"].as_u64() == Some(2),
        "{stats}"
    );
}

#[test]
fn a_caller_without_ram_permission_gets_no_permission_not_an_empty_fleet() {
    let sim = Sim::start(&[]);
    let mut cfg = config(
        &sim,
        static_credentials("LTAI5tDeniedCaller00001", "denied-secret"),
    );
    cfg.ram_endpoint = Some(sim.url.clone());
    let client = Client::new(cfg).unwrap();
    let err = rt().block_on(client.list_ram_users()).unwrap_err();
    let service = err.service().unwrap();
    assert_eq!(
        (service.http_status, service.code.as_str()),
        (403, "NoPermission")
    );
    assert!(!err.is_retryable());
}
