//! A loopback endpoint with Alibaba's flow control and nothing else: a token bucket per
//! (AccessKeyId, Action), `rate` calls a second with room for `rate`, answering over-rate
//! calls HTTP 400 `Throttling.User` in the real shape, and every other
//! GetAccessKeyLastUsedInfo with a "never used" answer about the key asked. It counts what
//! it served and what it throttled per (AccessKeyId, Action), so tests assert counts.

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::routing::any;
use axum::Router;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Served and throttled answers of one (AccessKeyId, Action).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Answered.
    pub served: u64,
    /// Answered `Throttling.User`.
    pub throttled: u64,
}

struct Bucket {
    tokens: f64,
    at: Instant,
}

struct Limits {
    rate: f64,
    latency: Duration,
    buckets: Mutex<HashMap<(String, String), Bucket>>,
    counts: Mutex<BTreeMap<(String, String), Counts>>,
}

/// The running endpoint.
pub struct FlowControl {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    limits: Arc<Limits>,
}

impl FlowControl {
    /// Serves on a loopback port of its own: `rate` calls a second per caller and Action
    /// (0: every call throttled), each answered after `latency`.
    pub async fn start(rate: f64, latency: Duration) -> FlowControl {
        let limits = Arc::new(Limits {
            rate,
            latency,
            buckets: Mutex::new(HashMap::new()),
            counts: Mutex::new(BTreeMap::new()),
        });
        let app = Router::new()
            .route("/", any(answer))
            .with_state(limits.clone());
        FlowControl {
            url: super::mock::serve(app).await,
            limits,
        }
    }

    /// What the endpoint answered so far, per (AccessKeyId, Action).
    pub fn counts(&self) -> BTreeMap<(String, String), Counts> {
        self.limits.counts.lock().unwrap().clone()
    }

    /// The counts of every caller and Action together.
    pub fn total(&self) -> Counts {
        self.counts()
            .values()
            .fold(Counts::default(), |a, c| Counts {
                served: a.served + c.served,
                throttled: a.throttled + c.throttled,
            })
    }
}

async fn answer(
    State(limits): State<Arc<Limits>>,
    RawQuery(query): RawQuery,
) -> (StatusCode, String) {
    let query: BTreeMap<String, String> =
        form_urlencoded::parse(query.unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
    let caller = query.get("AccessKeyId").cloned().unwrap_or_default();
    let action = query.get("Action").cloned().unwrap_or_default();
    let key = (caller, action);
    // The bucket is read on arrival, as a gateway does, before the answer's latency.
    let admitted = {
        let mut buckets = limits.buckets.lock().unwrap();
        let now = Instant::now();
        let b = buckets.entry(key.clone()).or_insert(Bucket {
            tokens: limits.rate,
            at: now,
        });
        b.tokens =
            (b.tokens + now.duration_since(b.at).as_secs_f64() * limits.rate).min(limits.rate);
        b.at = now;
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            true
        } else {
            false
        }
    };
    {
        let mut counts = limits.counts.lock().unwrap();
        let c = counts.entry(key.clone()).or_default();
        if admitted {
            c.served += 1;
        } else {
            c.throttled += 1;
        }
    }
    tokio::time::sleep(limits.latency).await;
    let request_id = uuid::Uuid::new_v4().to_string().to_uppercase();
    if !admitted {
        let body = serde_json::json!({
            "RequestId": request_id,
            "HostId": "actiontrail.cn-hangzhou.aliyuncs.com",
            "Code": "Throttling.User",
            "Message": "Request was denied due to user flow control.",
            "Recommend": "https://api.aliyun.com/troubleshoot?q=Throttling.User",
        });
        return (StatusCode::BAD_REQUEST, body.to_string());
    }
    let body = serde_json::json!({
        "RequestId": request_id,
        "AccessKeyId": query.get("AccessKey"),
        "AccountId": "1234567890123456",
        "AccountType": "ram-user",
    });
    (StatusCode::OK, body.to_string())
}
