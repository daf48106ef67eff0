//! The emulator in-process over real HTTP, signed with the crate's signing functions: every
//! operation with both signature algorithms, every error code, pagination, the data set's
//! relative timestamps, stats, faults, STS and the metadata service.
//!
//! The emulator verifies signatures with the crate's signing code too, so a request
//! signed here and accepted there proves only that the two agree. What ties them to
//! Alibaba: the crate's signing is checked against the official SDKs' vectors (unit tests
//! in `src/alibaba/signature.rs`), the official SDKs call the emulator in
//! `tests/it/sim_sdk_conformance.rs`, and the tests below that look at signatures (the
//! server's string to sign, the random requests) use `support::spec_signing`, written from
//! the published algorithm and pinned to the same vectors.

use crate::support;

use crate::support::rpc::{acs3, timestamp, Rpc};
use crate::support::{
    DEMO_ACCESS_KEY_ID as DEMO_CALLER_ID, DEMO_ACCESS_KEY_SECRET as DEMO_CALLER_SECRET,
};
use actiontrail_provider::sim::dataset::{DataSet, When};
use actiontrail_provider::sim::{spawn, RunningSim, SimConfig};
use serde_json::Value as J;
use std::time::Duration;

const RECENT: &str = "LTAI5tRecentUse000000001";
const IDLE: &str = "LTAI5tIdleKey0000000001";
const NEVER: &str = "LTAI5tNeverUsed00000001";
const MANY_IPS: &str = "LTAI5tManyIps0000000001";
const DENIED: (&str, &str) = ("LTAI5tDeniedCaller00001", "denied-secret");
const DEMO: (&str, &str) = (DEMO_CALLER_ID, DEMO_CALLER_SECRET);

/// Request parameters, name and value.
type Params<'a> = [(&'a str, &'a str)];

async fn sim() -> RunningSim {
    sim_with(SimConfig::default()).await
}

async fn sim_with(config: SimConfig) -> RunningSim {
    spawn(config, DataSet::demo()).await.unwrap()
}

async fn demo(sim: &RunningSim, action: &str, params: &[(&str, &str)]) -> J {
    Rpc::new(&sim.url, DEMO).call(action, params).await.ok()
}

fn now_ms() -> i64 {
    (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

#[tokio::test]
async fn every_operation_answers_with_both_signature_algorithms() {
    let sim = sim().await;
    let ops: [(&str, &Params, &str); 4] = [
        (
            "GetAccessKeyLastUsedInfo",
            &[("AccessKey", RECENT)],
            "ServiceName",
        ),
        (
            "GetAccessKeyLastUsedProducts",
            &[("AccessKey", RECENT)],
            "Products",
        ),
        (
            "GetAccessKeyLastUsedIps",
            &[("AccessKey", RECENT), ("ServiceName", "Oss")],
            "Ips",
        ),
        (
            "GetAccessKeyLastUsedResources",
            &[("AccessKey", RECENT), ("ServiceName", "Oss")],
            "Resources",
        ),
    ];
    for (action, params, field) in ops {
        let rpc = demo(&sim, action, params).await;
        let mut get = Rpc::new(&sim.url, DEMO);
        get.method = "GET";
        let by_get = get.call(action, params).await.ok();
        let by_acs3 = acs3(&sim.url, DEMO, None, action, params).await.ok();
        for body in [&rpc, &by_get, &by_acs3] {
            assert!(!body[field].is_null(), "{action}: {body}");
            let id = body["RequestId"].as_str().unwrap();
            let parsed = uuid::Uuid::parse_str(id).unwrap();
            assert_eq!(parsed.get_version_num(), 4);
            assert_eq!(id, id.to_ascii_uppercase());
        }
        assert_eq!(rpc[field], by_acs3[field], "{action}: same data either way");
        assert_eq!(rpc[field], by_get[field], "{action}: GET and POST agree");
    }
}

#[tokio::test]
async fn the_recent_key_was_used_two_days_ago_with_a_full_event() {
    let sim = sim().await;
    let info = demo(&sim, "GetAccessKeyLastUsedInfo", &[("AccessKey", RECENT)]).await;
    assert_eq!(info["AccessKeyId"], RECENT);
    assert_eq!(info["AccountType"], "ram-user");
    assert_eq!(info["ServiceName"], "Ecs");
    assert!(info["ServiceNameCn"].is_string() && info["ServiceNameEn"].is_string());
    let ms = info["UsedTimestamp"].as_i64().unwrap();
    let days = (now_ms() - ms) as f64 / 86_400_000.0;
    assert!((2.0..2.5).contains(&days), "about two days ago: {days}");
    let event: J = serde_json::from_str(info["Detail"].as_str().unwrap()).unwrap();
    for field in [
        "eventId",
        "eventName",
        "eventSource",
        "eventTime",
        "sourceIpAddress",
        "acsRegion",
        "serviceName",
        "requestId",
        "apiVersion",
        "eventType",
        "isGlobal",
    ] {
        assert!(!event[field].is_null(), "{field} in {event}");
    }
    for field in [
        "type",
        "userName",
        "accountId",
        "principalId",
        "accessKeyId",
    ] {
        assert!(
            event["userIdentity"][field].is_string(),
            "{field} in {event}"
        );
    }
    let at = time::OffsetDateTime::parse(
        event["eventTime"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    assert_eq!((at.unix_timestamp_nanos() / 1_000_000) as i64, ms);
    assert!(event["eventTime"].as_str().unwrap().ends_with('Z'));
    let again = demo(&sim, "GetAccessKeyLastUsedInfo", &[("AccessKey", RECENT)]).await;
    assert_eq!(again["Detail"], info["Detail"], "answers repeat");

    let products = demo(
        &sim,
        "GetAccessKeyLastUsedProducts",
        &[("AccessKey", RECENT)],
    )
    .await;
    let list = products["Products"].as_array().unwrap();
    let names: Vec<&str> = list
        .iter()
        .map(|p| p["ServiceName"].as_str().unwrap())
        .collect();
    for s in ["Ecs", "Oss", "Ram"] {
        assert!(names.contains(&s), "{names:?}");
    }
    let stamps: Vec<i64> = list
        .iter()
        .map(|p| p["UsedTimestamp"].as_i64().unwrap())
        .collect();
    assert!(stamps.windows(2).all(|w| w[0] >= w[1]), "most recent first");
    assert_eq!(stamps[0], ms, "Info is the most recent product");
    assert!(
        products["NextToken"].is_null(),
        "products are not paginated"
    );
}

#[tokio::test]
async fn the_idle_key_was_last_used_about_two_hundred_days_ago() {
    let sim = sim().await;
    let info = demo(&sim, "GetAccessKeyLastUsedInfo", &[("AccessKey", IDLE)]).await;
    let days = (now_ms() - info["UsedTimestamp"].as_i64().unwrap()) / 86_400_000;
    assert_eq!(days, 200);
}

#[tokio::test]
async fn a_never_used_key_has_identity_but_no_use() {
    let sim = sim().await;
    let info = demo(&sim, "GetAccessKeyLastUsedInfo", &[("AccessKey", NEVER)]).await;
    assert_eq!(info["AccessKeyId"], NEVER);
    assert!(info["AccountId"].is_string() && info["AccountType"].is_string());
    for absent in ["UsedTimestamp", "ServiceName", "Detail", "Source"] {
        assert!(info[absent].is_null(), "{absent} in {info}");
    }
    let products = demo(
        &sim,
        "GetAccessKeyLastUsedProducts",
        &[("AccessKey", NEVER)],
    )
    .await;
    assert_eq!(products["Products"], serde_json::json!([]));
    for (op, field) in [
        ("GetAccessKeyLastUsedIps", "Ips"),
        ("GetAccessKeyLastUsedResources", "Resources"),
    ] {
        let page = demo(&sim, op, &[("AccessKey", NEVER), ("ServiceName", "Ecs")]).await;
        assert_eq!(page[field], serde_json::json!([]));
        assert_eq!(page["NextToken"], "");
    }
}

async fn all_pages(sim: &RunningSim, op: &str, field: &str, key: &str, size: &str) -> Vec<J> {
    let mut items = Vec::new();
    let mut token = String::new();
    let mut pages = 0;
    loop {
        let mut params = vec![
            ("AccessKey", key),
            ("ServiceName", "Ecs"),
            ("PageSize", size),
        ];
        if !token.is_empty() {
            params.push(("NextToken", &token));
        }
        let page = demo(sim, op, &params).await;
        pages += 1;
        items.extend(page[field].as_array().unwrap().iter().cloned());
        token = page["NextToken"].as_str().unwrap().to_owned();
        if token.is_empty() {
            return items;
        }
        assert!(pages < 200);
    }
}

#[tokio::test]
async fn a_thousand_ips_come_in_ten_pages_of_a_hundred_most_recent_first() {
    let sim = sim().await;
    let before = sim.state.stats()["requests"]["GetAccessKeyLastUsedIps"]
        .as_u64()
        .unwrap_or(0);
    let ips = all_pages(&sim, "GetAccessKeyLastUsedIps", "Ips", MANY_IPS, "100").await;
    let after = sim.state.stats()["requests"]["GetAccessKeyLastUsedIps"]
        .as_u64()
        .unwrap();
    assert_eq!(ips.len(), 1000);
    assert_eq!(after - before, 10);
    let mut distinct: Vec<&str> = ips.iter().map(|i| i["Ip"].as_str().unwrap()).collect();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), 1000);
    let stamps: Vec<i64> = ips
        .iter()
        .map(|i| i["UsedTimestamp"].as_i64().unwrap())
        .collect();
    assert!(stamps.windows(2).all(|w| w[0] >= w[1]));

    let small = all_pages(&sim, "GetAccessKeyLastUsedIps", "Ips", MANY_IPS, "30").await;
    assert_eq!(small, ips, "page size does not change the sequence");
    let resources = all_pages(
        &sim,
        "GetAccessKeyLastUsedResources",
        "Resources",
        MANY_IPS,
        "100",
    )
    .await;
    // The data set's key has exactly 260 resources for Ecs.
    assert_eq!(resources.len(), 260);
    assert!(resources.iter().all(|r| r["UsedTimestamp"].is_i64()));
}

#[tokio::test]
async fn page_size_zero_or_absent_means_twenty() {
    let sim = sim().await;
    for size in [None, Some("0")] {
        let mut params = vec![("AccessKey", MANY_IPS), ("ServiceName", "Ecs")];
        if let Some(s) = size {
            params.push(("PageSize", s));
        }
        let page = demo(&sim, "GetAccessKeyLastUsedIps", &params).await;
        assert_eq!(page["Ips"].as_array().unwrap().len(), 20, "{size:?}");
        assert!(!page["NextToken"].as_str().unwrap().is_empty());
    }
}

#[tokio::test]
async fn a_tampered_or_foreign_next_token_is_rejected() {
    let sim = sim().await;
    let first = demo(
        &sim,
        "GetAccessKeyLastUsedIps",
        &[("AccessKey", MANY_IPS), ("ServiceName", "Ecs")],
    )
    .await;
    let token = first["NextToken"].as_str().unwrap().to_owned();
    let mut tampered = token.clone();
    let last = tampered.pop().unwrap();
    tampered.push(if last == 'A' { 'B' } else { 'A' });
    for (bad, key, op) in [
        (tampered.as_str(), MANY_IPS, "GetAccessKeyLastUsedIps"),
        ("not-a-token", MANY_IPS, "GetAccessKeyLastUsedIps"),
        (token.as_str(), RECENT, "GetAccessKeyLastUsedIps"),
        (token.as_str(), MANY_IPS, "GetAccessKeyLastUsedResources"),
    ] {
        Rpc::new(&sim.url, DEMO)
            .call(
                op,
                &[
                    ("AccessKey", key),
                    ("ServiceName", "Ecs"),
                    ("NextToken", bad),
                ],
            )
            .await
            .err("InvalidQueryParameter", 400);
    }
}

#[tokio::test]
async fn bad_parameters_are_invalid_query_parameter() {
    let sim = sim().await;
    let cases: Vec<(&str, Vec<(&str, &str)>)> = vec![
        (
            "GetAccessKeyLastUsedIps",
            vec![
                ("AccessKey", RECENT),
                ("ServiceName", "Ecs"),
                ("PageSize", "101"),
            ],
        ),
        (
            "GetAccessKeyLastUsedIps",
            vec![
                ("AccessKey", RECENT),
                ("ServiceName", "Ecs"),
                ("PageSize", "-1"),
            ],
        ),
        (
            "GetAccessKeyLastUsedResources",
            vec![
                ("AccessKey", RECENT),
                ("ServiceName", "Ecs"),
                ("PageSize", "ten"),
            ],
        ),
        ("GetAccessKeyLastUsedIps", vec![("AccessKey", RECENT)]),
        (
            "GetAccessKeyLastUsedResources",
            vec![("AccessKey", RECENT), ("ServiceName", "")],
        ),
        ("GetAccessKeyLastUsedInfo", vec![]),
        (
            "GetAccessKeyLastUsedProducts",
            vec![("AccessKey", "LTAI5tNoSuchKey00000001")],
        ),
    ];
    for (op, params) in cases {
        Rpc::new(&sim.url, DEMO)
            .call(op, &params)
            .await
            .err("InvalidQueryParameter", 400);
    }
}

#[tokio::test]
async fn missing_signature_parameters_are_incomplete_signature() {
    let sim = sim().await;
    for omit in [
        "Signature",
        "SignatureNonce",
        "Timestamp",
        "AccessKeyId",
        "SignatureMethod",
    ] {
        let mut rpc = Rpc::new(&sim.url, DEMO);
        rpc.omit = Some(omit);
        rpc.call("GetAccessKeyLastUsedInfo", &[("AccessKey", RECENT)])
            .await
            .err("IncompleteSignature", 400);
    }
}

#[tokio::test]
async fn a_wrong_secret_is_signature_does_not_match_with_the_servers_string_to_sign() {
    let sim = sim().await;
    let rpc = Rpc::new(&sim.url, (DEMO_CALLER_ID, "wrong"));
    let params = [("AccessKey", RECENT)];
    let a = rpc.call("GetAccessKeyLastUsedInfo", &params).await;
    a.err("SignatureDoesNotMatch", 400);
    let message = a.body["Message"].as_str().unwrap();
    let (head, server_sts) = message.split_once(':').unwrap();
    assert_eq!(
        head,
        "The request signature does not conform to Aliyun standards. server string to sign is"
    );
    // The emulator and `rpc` both sign with the crate's code; the string is checked
    // against the one written from the published algorithm (pinned to the official SDKs'
    // vectors), so the crate does not vouch for itself.
    support::spec_signing::check_official_vectors();
    let sent = rpc.params("GetAccessKeyLastUsedInfo", &params);
    assert_eq!(
        server_sts,
        support::spec_signing::rpc_string_to_sign(
            "POST",
            sent.iter()
                .filter(|(k, _)| k != "Signature")
                .map(|(k, v)| (k.as_str(), v.as_str()))
        )
    );

    let a = acs3(
        &sim.url,
        (DEMO_CALLER_ID, "wrong"),
        None,
        "GetAccessKeyLastUsedInfo",
        &params,
    )
    .await;
    a.err("SignatureDoesNotMatch", 400);
    assert!(a.body["Message"]
        .as_str()
        .unwrap()
        .contains("server string to sign is:ACS3-HMAC-SHA256\n"));
}

#[tokio::test]
async fn callers_are_checked_key_time_nonce_and_permission() {
    let sim = sim().await;
    let p = [("AccessKey", RECENT)];
    let op = "GetAccessKeyLastUsedInfo";
    Rpc::new(&sim.url, ("LTAI5tNoSuchCaller00001", "x"))
        .call(op, &p)
        .await
        .err("InvalidAccessKeyId.NotFound", 404);

    let mut stale = Rpc::new(&sim.url, DEMO);
    stale.timestamp = timestamp(-16 * 60);
    stale
        .call(op, &p)
        .await
        .err("InvalidTimeStamp.Expired", 400);
    let mut early = Rpc::new(&sim.url, DEMO);
    early.timestamp = timestamp(16 * 60);
    early
        .call(op, &p)
        .await
        .err("InvalidTimeStamp.Expired", 400);
    let mut skewed = Rpc::new(&sim.url, DEMO);
    skewed.timestamp = timestamp(-10 * 60);
    skewed.call(op, &p).await.ok();

    let replay = Rpc::new(&sim.url, DEMO);
    replay.call(op, &p).await.ok();
    replay.call(op, &p).await.err("SignatureNonceUsed", 400);

    for key in [RECENT, NEVER, MANY_IPS, "LTAI5tNoSuchKey00000001"] {
        let a = Rpc::new(&sim.url, DENIED)
            .call(op, &[("AccessKey", key)])
            .await;
        a.err("Forbidden.RAM", 403);
        assert!(a.body["Message"]
            .as_str()
            .unwrap()
            .contains("actiontrail:GetAccessKeyLastUsedInfo"));
    }
    let scoped = ("LTAI5tScopedCaller00001", "scoped-secret");
    Rpc::new(&sim.url, scoped)
        .call(op, &[("AccessKey", MANY_IPS)])
        .await
        .ok();
    Rpc::new(&sim.url, scoped)
        .call(op, &p)
        .await
        .err("Forbidden.RAM", 403);

    Rpc::new(&sim.url, DEMO)
        .call("DeleteAccessKey", &p)
        .await
        .err("InvalidAction.NotFound", 404);
    let mut old = Rpc::new(&sim.url, DEMO);
    old.version = "2017-12-04";
    old.call(op, &p).await.err("InvalidVersion", 400);
}

#[tokio::test]
async fn stats_count_requests_by_action_errors_and_connections_and_reset_zeroes_them() {
    let sim = sim().await;
    demo(&sim, "GetAccessKeyLastUsedInfo", &[("AccessKey", RECENT)]).await;
    demo(
        &sim,
        "GetAccessKeyLastUsedProducts",
        &[("AccessKey", RECENT)],
    )
    .await;
    Rpc::new(&sim.url, (DEMO_CALLER_ID, "wrong"))
        .call("GetAccessKeyLastUsedInfo", &[("AccessKey", RECENT)])
        .await;
    let stats: J = reqwest::get(format!("{}/__sim/stats", sim.url))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(stats["requests_total"], 3, "{stats}");
    assert_eq!(stats["requests"]["GetAccessKeyLastUsedInfo"], 2);
    assert_eq!(stats["requests"]["GetAccessKeyLastUsedProducts"], 1);
    assert_eq!(stats["errors"]["SignatureDoesNotMatch"], 1);
    assert_eq!(stats["throttles"], 0);
    // Each call above, and this read of the stats, came from a client of its own, so on a
    // connection of its own.
    assert_eq!(stats["connections"], 4, "{stats}");
    let reset = reqwest::Client::new()
        .post(format!("{}/__sim/reset", sim.url))
        .send()
        .await
        .unwrap();
    assert!(reset.status().is_success());
    let stats = sim.state.stats();
    assert_eq!(stats["requests_total"], 0);
    assert_eq!(
        stats["requests"],
        serde_json::json!({
            "AssumeRole": 0,
            "AssumeRoleWithOIDC": 0,
            "GetAccessKeyLastUsedEvents": 0,
            "GetAccessKeyLastUsedInfo": 0,
            "GetAccessKeyLastUsedIps": 0,
            "GetAccessKeyLastUsedProducts": 0,
            "GetAccessKeyLastUsedResources": 0,
            "GetCallerIdentity": 0,
            "ListAccessKeys": 0,
            "ListAccounts": 0,
            "ListUsers": 0,
        }),
        "every Action is listed, at zero"
    );
    assert_eq!(stats["errors"], serde_json::json!({}));
    assert_eq!(stats["connections"], 0);
}

/// `first_to_last_ms` in the stats is the span of a client's read as the API saw it, from
/// the first request to the last answer since the counters were zeroed (the organisation
/// benchmark holds the read to its minimum with it): null until something is answered,
/// and two calls made one after the other, each answer held 50 ms, span at least 100 ms.
#[test]
fn the_stats_span_the_first_request_to_the_last_answer_since_a_reset() {
    let sim = support::Sim::start(&["--latency-ms", "50"]);
    sim.reset();
    assert_eq!(sim.stats()["first_to_last_ms"], J::Null);
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        for _ in 0..2 {
            Rpc::new(&sim.url, DEMO)
                .call("GetAccessKeyLastUsedInfo", &[("AccessKey", RECENT)])
                .await
                .ok();
        }
    });
    let stats = sim.stats();
    let span = stats["first_to_last_ms"]
        .as_f64()
        .unwrap_or_else(|| panic!("no span once answered: {stats}"));
    assert!(span >= 100.0, "{stats}");
    sim.reset();
    assert_eq!(sim.stats()["first_to_last_ms"], J::Null);
}

async fn fault_codes(seed: u64) -> Vec<String> {
    let sim = sim_with(SimConfig {
        throttle_rate: 0.3,
        error_rate: 0.3,
        seed: Some(seed),
        ..SimConfig::default()
    })
    .await;
    let mut codes = Vec::new();
    for _ in 0..30 {
        let a = Rpc::new(&sim.url, DEMO)
            .call("GetAccessKeyLastUsedInfo", &[("AccessKey", RECENT)])
            .await;
        match a.code() {
            "" => assert_eq!(a.status, 200),
            "Throttling.User" => assert_eq!(a.status, 400),
            "ServiceUnavailable" => assert_eq!(a.status, 503),
            "InternalError" => assert_eq!(a.status, 500),
            other => panic!("unexpected {other}"),
        }
        codes.push(a.code().to_owned());
    }
    let stats = sim.state.stats();
    let throttled = codes.iter().filter(|c| *c == "Throttling.User").count() as u64;
    assert_eq!(stats["throttles"].as_u64().unwrap(), throttled);
    codes
}

#[tokio::test]
async fn faults_repeat_under_the_same_seed() {
    let a = fault_codes(42).await;
    let b = fault_codes(42).await;
    assert_eq!(a, b);
    for code in ["", "Throttling.User"] {
        assert!(a.iter().any(|c| c == code), "{code} among {a:?}");
    }
    assert!(a
        .iter()
        .any(|c| c == "ServiceUnavailable" || c == "InternalError"));
    assert_ne!(a, fault_codes(7).await, "another seed, other faults");
}

/// Waits for `what`, failing loudly if it never comes. The deadline only turns a hang into
/// a failure (the latency under test is a day); nothing is asserted about durations.
async fn within_the_test<T>(what: &str, f: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(120), f)
        .await
        .unwrap_or_else(|_| panic!("{what} did not answer: the day of latency applied to it"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_and_latency_spare_sts_the_metadata_service_and_stats() {
    let throttled = sim_with(SimConfig {
        throttle_rate: 1.0,
        seed: Some(1),
        ..SimConfig::default()
    })
    .await;
    Rpc::new(&throttled.url, DEMO)
        .call("GetAccessKeyLastUsedInfo", &[("AccessKey", RECENT)])
        .await
        .err("Throttling.User", 400);

    // A day of latency on every request the knob covers. An API call is sent first and
    // seen to arrive; STS, the metadata service and stats then answer while it still
    // waits out its day, which is what "spared" means, and no clock decides it.
    let sim = sim_with(SimConfig {
        throttle_rate: 1.0,
        latency: Duration::from_secs(86_400),
        seed: Some(1),
        ..SimConfig::default()
    })
    .await;
    let delayed = tokio::spawn({
        let url = sim.url.clone();
        async move {
            Rpc::new(&url, DEMO)
                .call("GetAccessKeyLastUsedInfo", &[("AccessKey", RECENT)])
                .await
        }
    });
    within_the_test("the delayed call's arrival", async {
        while sim.state.stats()["requests"]["GetAccessKeyLastUsedInfo"] != 1 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await;
    let mut sts = Rpc::new(&sim.url, DEMO);
    sts.version = "2015-04-01";
    within_the_test(
        "AssumeRole",
        sts.call(
            "AssumeRole",
            &[
                ("RoleArn", "acs:ram::1234567890123456:role/auditor"),
                ("RoleSessionName", "s1"),
            ],
        ),
    )
    .await
    .ok();
    let role = within_the_test(
        "the metadata service",
        reqwest::get(format!(
            "{}/latest/meta-data/ram/security-credentials/",
            sim.url
        )),
    )
    .await
    .unwrap();
    assert_eq!(role.status(), 200);
    let stats = within_the_test("stats", reqwest::get(format!("{}/__sim/stats", sim.url)))
        .await
        .unwrap();
    assert_eq!(stats.status(), 200);
    assert!(
        !delayed.is_finished(),
        "the API call, sent first, is still waiting out its latency"
    );
    delayed.abort();

    let errors = sim_with(SimConfig {
        error_rate: 1.0,
        ..SimConfig::default()
    })
    .await;
    let a = Rpc::new(&errors.url, DEMO)
        .call("GetAccessKeyLastUsedInfo", &[("AccessKey", RECENT)])
        .await;
    assert!(
        matches!(
            (a.code(), a.status),
            ("ServiceUnavailable", 503) | ("InternalError", 500)
        ),
        "{a:?}"
    );
}

#[tokio::test]
async fn assumed_role_credentials_sign_calls_with_their_security_token() {
    let sim = sim().await;
    let mut sts = Rpc::new(&sim.url, DEMO);
    sts.version = "2015-04-01";
    let answer = sts
        .call(
            "AssumeRole",
            &[
                ("RoleArn", "acs:ram::1234567890123456:role/auditor"),
                ("RoleSessionName", "rotation-check"),
                ("DurationSeconds", "900"),
            ],
        )
        .await
        .ok();
    assert!(answer["RequestId"].is_string());
    assert_eq!(
        answer["AssumedRoleUser"]["Arn"],
        "acs:ram::1234567890123456:role/auditor/rotation-check"
    );
    assert!(answer["AssumedRoleUser"]["AssumedRoleId"]
        .as_str()
        .unwrap()
        .ends_with(":rotation-check"));
    let c = &answer["Credentials"];
    let id = c["AccessKeyId"].as_str().unwrap();
    let secret = c["AccessKeySecret"].as_str().unwrap();
    let token = c["SecurityToken"].as_str().unwrap();
    assert!(id.starts_with("STS."));
    let exp = time::OffsetDateTime::parse(
        c["Expiration"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    let left = exp - time::OffsetDateTime::now_utc();
    assert!(left > time::Duration::seconds(800) && left <= time::Duration::seconds(900));

    let mut temp = Rpc::new(&sim.url, (id, secret));
    temp.token = Some(token.into());
    temp.call("GetAccessKeyLastUsedInfo", &[("AccessKey", RECENT)])
        .await
        .ok();
    acs3(
        &sim.url,
        (id, secret),
        Some(token),
        "GetAccessKeyLastUsedInfo",
        &[("AccessKey", RECENT)],
    )
    .await
    .ok();
    let a = Rpc::new(&sim.url, (id, secret))
        .call("GetAccessKeyLastUsedInfo", &[("AccessKey", RECENT)])
        .await;
    assert_eq!(a.status, 400, "a temporary key needs its token: {}", a.body);
    let mut wrong = Rpc::new(&sim.url, (id, secret));
    wrong.token = Some("CAISforged".into());
    assert_eq!(
        wrong
            .call("GetAccessKeyLastUsedInfo", &[("AccessKey", RECENT)])
            .await
            .status,
        400
    );

    for (k, v) in [
        ("RoleArn", "not-an-arn"),
        ("DurationSeconds", "60"),
        ("RoleSessionName", "x"),
    ] {
        let mut p = vec![
            ("RoleArn", "acs:ram::1234567890123456:role/auditor"),
            ("RoleSessionName", "s"),
        ];
        p.retain(|(pk, _)| *pk != k);
        p.push((k, v));
        let mut sts = Rpc::new(&sim.url, DEMO);
        sts.version = "2015-04-01";
        assert_eq!(sts.call("AssumeRole", &p).await.status, 400, "{k}={v}");
    }
    assert_eq!(sim.state.stats()["requests"]["AssumeRole"], 4);
}

async fn imds_credentials(sim: &RunningSim, token: Option<&str>, role: &str) -> reqwest::Response {
    let mut req = reqwest::Client::new().get(format!(
        "{}/latest/meta-data/ram/security-credentials/{role}",
        sim.url
    ));
    if let Some(t) = token {
        req = req.header("X-aliyun-ecs-metadata-token", t);
    }
    req.send().await.unwrap()
}

async fn imds_token(sim: &RunningSim) -> String {
    let resp = reqwest::Client::new()
        .put(format!("{}/latest/api/token", sim.url))
        .header("X-aliyun-ecs-metadata-token-ttl-seconds", "300")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    resp.text().await.unwrap()
}

#[tokio::test]
async fn the_metadata_service_hands_out_working_role_credentials() {
    let sim = sim().await;
    let role = reqwest::get(format!(
        "{}/latest/meta-data/ram/security-credentials/",
        sim.url
    ))
    .await
    .unwrap()
    .text()
    .await
    .unwrap();
    assert_eq!(role, "EcsAuditRole");
    let creds: J = imds_credentials(&sim, None, &role)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(creds["Code"], "Success");
    for f in [
        "AccessKeyId",
        "AccessKeySecret",
        "SecurityToken",
        "Expiration",
        "LastUpdated",
    ] {
        assert!(creds[f].is_string(), "{f}: {creds}");
    }
    let mut rpc = Rpc::new(
        &sim.url,
        (
            creds["AccessKeyId"].as_str().unwrap(),
            creds["AccessKeySecret"].as_str().unwrap(),
        ),
    );
    rpc.token = Some(creds["SecurityToken"].as_str().unwrap().into());
    rpc.call("GetAccessKeyLastUsedInfo", &[("AccessKey", RECENT)])
        .await
        .ok();
    let token = imds_token(&sim).await;
    assert_eq!(
        imds_credentials(&sim, Some(&token), &role).await.status(),
        200
    );
    assert_eq!(
        imds_credentials(&sim, None, "OtherRole").await.status(),
        404
    );
    assert_eq!(
        imds_credentials(&sim, Some("forged"), &role).await.status(),
        401
    );
}

#[tokio::test]
async fn imdsv2_only_refuses_requests_without_a_session_token() {
    let sim = sim_with(SimConfig {
        imds_require_token: true,
        imds_role: "AuditRole".into(),
        ..SimConfig::default()
    })
    .await;
    assert_eq!(
        imds_credentials(&sim, None, "AuditRole").await.status(),
        403
    );
    let token = imds_token(&sim).await;
    let creds: J = imds_credentials(&sim, Some(&token), "AuditRole")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(creds["Code"], "Success");
    let no_ttl = reqwest::Client::new()
        .put(format!("{}/latest/api/token", sim.url))
        .send()
        .await
        .unwrap();
    assert_eq!(no_ttl.status(), 400);
}

/// Random requests, most of them signed properly (with the signing written from the
/// published algorithm in `support::spec_signing`, pinned to the official vectors) so that
/// they pass authentication and reach the operations' parameter handling with random
/// Actions, names and values; the rest unsigned junk. Every answer is 200 or an API error
/// with a code, and no signed request is refused for its signature.
#[test]
fn random_requests_never_break_the_emulator() {
    use proptest::prelude::*;
    support::spec_signing::check_official_vectors();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sim = rt.block_on(sim());
    let client = reqwest::Client::new();
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 128,
        ..ProptestConfig::default()
    });
    let actions = vec![
        "GetAccessKeyLastUsedInfo",
        "GetAccessKeyLastUsedProducts",
        "GetAccessKeyLastUsedIps",
        "GetAccessKeyLastUsedResources",
        "GetAccessKeyLastUsedEvents",
        "ListUsers",
        "ListAccessKeys",
        "AssumeRole",
        "NoSuchAction",
    ];
    let names = vec![
        "AccessKey",
        "ServiceName",
        "PageSize",
        "NextToken",
        "UserName",
        "Marker",
        "MaxItems",
        "RoleArn",
        "RoleSessionName",
        "DurationSeconds",
        "x",
    ];
    let values = prop_oneof![
        Just(RECENT.to_owned()),
        Just(MANY_IPS.to_owned()),
        Just("Ecs".to_owned()),
        "[0-9]{1,4}",
        "[ -~é%&=+]{0,24}",
    ];
    let strategy = (
        prop::sample::select(vec!["rpc", "rpc", "acs3", "junk"]),
        prop::sample::select(actions),
        prop::collection::btree_map(prop::sample::select(names), values, 0..6),
        "[ -~]{0,40}",
    );
    let signature_refusals = std::sync::atomic::AtomicUsize::new(0);
    let (signed, reached) = (
        std::sync::atomic::AtomicUsize::new(0),
        std::sync::atomic::AtomicUsize::new(0),
    );
    runner
        .run(&strategy, |(how, action, params, raw)| {
            let (status, body): (u16, J) = rt.block_on(async {
                let pairs: Vec<(&str, &str)> =
                    params.iter().map(|(k, v)| (*k, v.as_str())).collect();
                let resp = match how {
                    "rpc" => {
                        let mut all: Vec<(String, String)> = [
                            ("Action", action),
                            ("Version", version_of(action)),
                            ("Format", "JSON"),
                            ("AccessKeyId", DEMO.0),
                            ("SignatureMethod", "HMAC-SHA1"),
                            ("SignatureVersion", "1.0"),
                            ("SignatureNonce", &uuid::Uuid::new_v4().to_string()),
                            ("Timestamp", &timestamp(0)),
                        ]
                        .iter()
                        .chain(pairs.iter())
                        .map(|(k, v)| (k.to_string(), v.to_string()))
                        .collect();
                        let sts = support::spec_signing::rpc_string_to_sign(
                            "POST",
                            all.iter().map(|(k, v)| (k.as_str(), v.as_str())),
                        );
                        all.push((
                            "Signature".into(),
                            support::spec_signing::rpc_signature(DEMO.1, &sts),
                        ));
                        client.post(format!("{}/", sim.url)).form(&all).send().await
                    }
                    "acs3" => {
                        let query: std::collections::BTreeMap<String, String> = pairs
                            .iter()
                            .map(|(k, v)| (k.to_string(), v.to_string()))
                            .collect();
                        let body_sha = support::spec_signing::sha256_hex(b"");
                        let headers = std::collections::BTreeMap::from([
                            ("host".to_owned(), sim.url["http://".len()..].to_owned()),
                            ("x-acs-action".to_owned(), action.to_owned()),
                            ("x-acs-content-sha256".to_owned(), body_sha.clone()),
                            ("x-acs-date".to_owned(), timestamp(0)),
                            (
                                "x-acs-signature-nonce".to_owned(),
                                uuid::Uuid::new_v4().to_string(),
                            ),
                            ("x-acs-version".to_owned(), version_of(action).to_owned()),
                        ]);
                        let auth = support::spec_signing::acs3_authorization(
                            "POST", "/", &query, &headers, &body_sha, DEMO,
                        );
                        let mut req = client
                            .post(format!("{}/", sim.url))
                            .query(&query)
                            .header("authorization", auth);
                        for (k, v) in headers.iter().filter(|(k, _)| *k != "host") {
                            req = req.header(k, v);
                        }
                        req.send().await
                    }
                    _ => {
                        client
                            .post(format!("{}/?{raw}", sim.url))
                            .form(&pairs)
                            .header("authorization", format!("ACS3-HMAC-SHA256 {raw}"))
                            .send()
                            .await
                    }
                };
                let resp = resp.unwrap();
                let status = resp.status().as_u16();
                (status, resp.json().await.unwrap())
            });
            assert!(status == 200 || body["Code"].is_string(), "{status} {body}");
            if how != "junk" {
                signed.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let code = body["Code"].as_str().unwrap_or("");
                // Authentication's own refusals; anything else came from past it.
                let refused = ["Signature", "InvalidAccessKeyId", "TimeStamp", "Nonce"]
                    .iter()
                    .any(|w| code.contains(w));
                if refused {
                    signature_refusals.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    panic!("a properly signed {how} {action} was refused: {status} {body}");
                }
                if action != "NoSuchAction" {
                    reached.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
            }
            Ok(())
        })
        .unwrap();
    let stats = sim.state.stats();
    // One request a case, each counted once.
    assert_eq!(stats["requests_total"], 128, "{stats}");
    assert_eq!(
        signature_refusals.load(std::sync::atomic::Ordering::Relaxed),
        0
    );
    // Most cases were signed, and those reached an operation (the draw is 3 in 4).
    let (signed, reached) = (signed.into_inner(), reached.into_inner());
    assert!(signed * 2 > 128, "{signed} of 128 cases signed");
    assert!(reached > 0, "no signed request named a served Action");
}

/// The API version an Action belongs to.
fn version_of(action: &str) -> &'static str {
    match action {
        "ListUsers" | "ListAccessKeys" => "2015-05-01",
        "AssumeRole" => "2015-04-01",
        _ => "2020-07-06",
    }
}

#[tokio::test]
async fn use_older_than_four_hundred_days_is_not_reported() {
    let mut data = DataSet::demo();
    let key = data
        .keys
        .iter_mut()
        .find(|k| k.access_key_id == IDLE)
        .unwrap();
    for p in key.products.iter_mut() {
        p.used_at = When::ago(401, 0, 0);
    }
    if let Some(ips) = key.ips.get_mut("Oss") {
        ips[0].used_at = When::ago(401, 0, 0);
    }
    let sim = spawn(SimConfig::default(), data).await.unwrap();
    let info = demo(&sim, "GetAccessKeyLastUsedInfo", &[("AccessKey", IDLE)]).await;
    assert!(info["UsedTimestamp"].is_null(), "{info}");
    let products = demo(&sim, "GetAccessKeyLastUsedProducts", &[("AccessKey", IDLE)]).await;
    assert_eq!(products["Products"], serde_json::json!([]));
    let ips = demo(
        &sim,
        "GetAccessKeyLastUsedIps",
        &[("AccessKey", IDLE), ("ServiceName", "Oss")],
    )
    .await;
    assert_eq!(ips["Ips"], serde_json::json!([]));
}
