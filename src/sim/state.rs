//! The emulator's shared state: the data it serves, the credentials it issued, the nonces it
//! has seen, its counters and its fault draws. Each operation reads what it needs from here;
//! what only one operation keeps (the metadata service's tokens) is handled in its file.

use super::auth::{unknown_access_key, Identity, Principal};
use super::dataset::{self, Caller, DataSet, ResourceDirectory};
use super::error::ApiError;
use super::expiring::{Digests, Expiring};
use super::flow_control::FlowControl;
use super::{api, lock, operations, ram, random_string, SimConfig};
use axum::http::StatusCode;
use rand::{Rng as _, SeedableRng as _};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use std::time::Instant;
use time::OffsetDateTime;

/// Temporary credentials the emulator issued (STS or the metadata service).
#[derive(Clone, Debug)]
pub struct TempCredential {
    /// `STS.`-prefixed AccessKeyId.
    pub access_key_id: String,
    /// Its secret.
    pub secret: String,
    /// The SecurityToken that must accompany it.
    pub token: String,
    /// When it stops working.
    pub expires: OffsetDateTime,
    pub(super) account_id: String,
    pub(super) name: String,
    pub(super) readable_accounts: Vec<String>,
    pub(super) identity: Identity,
}

#[derive(Debug)]
struct Counters {
    requests_total: u64,
    requests: BTreeMap<String, u64>,
    errors: BTreeMap<String, u64>,
    throttles: u64,
    /// Answered with a result, by Action.
    served: BTreeMap<String, u64>,
    /// Answered `Throttling*` (flow control or the throttle knob), by Action.
    throttled: BTreeMap<String, u64>,
    /// When the first request counted arrived and the last answer counted was ready: the
    /// span a client's read took, as the API saw it.
    first_request: Option<Instant>,
    last_answer: Option<Instant>,
}

impl Default for Counters {
    /// Every served Action starts at 0, so readers need not special-case "never called".
    fn default() -> Counters {
        Counters {
            requests_total: 0,
            requests: operations::all()
                .map(|op| (op.action.to_owned(), 0))
                .collect(),
            errors: BTreeMap::new(),
            throttles: 0,
            served: BTreeMap::new(),
            throttled: BTreeMap::new(),
            first_request: None,
            last_answer: None,
        }
    }
}

impl Counters {
    /// The name `action` is counted under.
    fn bucket<'a>(requests: &BTreeMap<String, u64>, action: &'a str) -> &'a str {
        match action {
            "" => "(none)",
            a if requests.contains_key(a) => a,
            _ => "(unknown)",
        }
    }
}

/// The emulator's shared state: data, configuration, counters and issued credentials.
#[derive(Debug)]
pub struct SimState {
    /// The configuration it runs with.
    pub config: SimConfig,
    callers: HashMap<String, Caller>,
    oidc_providers: Vec<dataset::OidcProvider>,
    /// The organisation ResourceManager lists, if the data set has one.
    pub(super) directory: Option<ResourceDirectory>,
    /// Start-up time, epoch milliseconds: what the data set's relative times are against.
    pub(super) started_ms: i64,
    /// The per-account, per-Action rate limit.
    pub flow_control: FlowControl,
    /// ActionTrail's usage records; written only by `POST /__sim/use`.
    pub(super) resolved: std::sync::RwLock<api::Resolved>,
    /// RAM's users and their keys.
    pub(super) ram: ram::Directory,
    counters: Mutex<Counters>,
    pub(super) connections: Arc<AtomicU64>,
    rng: Mutex<rand::rngs::StdRng>,
    nonces: Mutex<Digests>,
    temporary: Mutex<Expiring<TempCredential>>,
    pub(super) imds_tokens: Mutex<Digests>,
    /// What the metadata service hands out, reused while fresh as the real one does.
    pub(super) imds_credential: Mutex<Option<TempCredential>>,
}

/// Nonces remembered at most (a digest each): under a flood the oldest go first.
const MAX_NONCES: usize = 20_000;
/// Issued credentials and metadata tokens remembered at most.
const MAX_ISSUED: usize = 10_000;
/// The longest string kept with an issued credential (a role and session name, an
/// account id): Alibaba's own limits are 64 characters each.
const MAX_STORED_CHARS: usize = 160;
/// The most accounts an issued credential may read, as kept.
const MAX_STORED_ACCOUNTS: usize = 64;
/// How long issued credentials are remembered after they expire.
const EXPIRED_KEPT: time::Duration = time::Duration::minutes(15);

impl SimState {
    /// State for `data`, its timestamps resolved against now.
    pub fn new(config: SimConfig, data: &DataSet) -> SimState {
        let now = OffsetDateTime::now_utc();
        let now_ms = i64::try_from(now.unix_timestamp_nanos() / 1_000_000).unwrap_or(0);
        let rng = match config.seed {
            Some(seed) => rand::rngs::StdRng::seed_from_u64(seed),
            None => rand::rngs::StdRng::from_os_rng(),
        };
        SimState {
            callers: data
                .callers
                .iter()
                .map(|c| (c.access_key_id.clone(), c.clone()))
                .collect(),
            oidc_providers: data.oidc_providers.clone(),
            directory: data.resource_directory.clone(),
            started_ms: now_ms,
            flow_control: FlowControl::new(config.rate_limit),
            resolved: std::sync::RwLock::new(api::Resolved::new(data, now_ms)),
            ram: ram::Directory::new(data, now_ms),
            config,
            counters: Mutex::default(),
            connections: Arc::default(),
            rng: Mutex::new(rng),
            nonces: Mutex::new(Digests::new(MAX_NONCES)),
            temporary: Mutex::new(Expiring::new(MAX_ISSUED)),
            imds_tokens: Mutex::new(Digests::new(MAX_ISSUED)),
            imds_credential: Mutex::default(),
        }
    }

    /// The emulator's clock.
    pub fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }

    /// The OIDC provider registered as `arn`.
    pub fn oidc_provider(&self, arn: &str) -> Option<dataset::OidcProvider> {
        self.oidc_providers.iter().find(|p| p.arn == arn).cloned()
    }

    /// The secret for `access_key_id` and who it is. A SecurityToken, on any signed
    /// request, must be one the emulator issued for that key and still valid; temporary
    /// keys need theirs.
    pub fn credential(
        &self,
        access_key_id: &str,
        token: Option<&str>,
    ) -> Result<(String, Principal), ApiError> {
        let token = token.filter(|t| !t.is_empty());
        let mismatch = || {
            ApiError::bad_request(
                "InvalidSecurityToken.MismatchWithAccessKey",
                "Specified SecurityToken mismatch with the AccessKeyId.",
            )
        };
        let issued = token.map(|tok| {
            lock(&self.temporary)
                .values()
                .find(|t| t.token == tok)
                .cloned()
        });
        match &issued {
            Some(None) => {
                return Err(ApiError::bad_request(
                    "InvalidSecurityToken.Malformed",
                    "Specified SecurityToken is malformed: it was not issued by STS.",
                ))
            }
            Some(Some(t)) if t.expires <= self.now() => {
                return Err(ApiError::bad_request(
                    "InvalidSecurityToken.Expired",
                    "Specified SecurityToken is expired.",
                ))
            }
            Some(Some(t)) if t.access_key_id != access_key_id => return Err(mismatch()),
            _ => {}
        }
        if let Some(c) = self.callers.get(access_key_id) {
            return Ok((
                c.access_key_secret.clone(),
                Principal {
                    access_key_id: c.access_key_id.clone(),
                    account_id: c.account_id.clone(),
                    name: c.user_name.clone().unwrap_or_else(|| "root".into()),
                    readable_accounts: c.readable_accounts.clone(),
                    identity: match c.user_name {
                        Some(_) => Identity::RamUser,
                        None => Identity::Account,
                    },
                },
            ));
        }
        let temp = lock(&self.temporary)
            .get(&access_key_id.to_owned(), self.now())
            .cloned();
        let Some(t) = temp else {
            return Err(unknown_access_key(access_key_id));
        };
        if t.expires <= self.now() {
            return Err(ApiError::bad_request(
                "InvalidSecurityToken.Expired",
                "Specified SecurityToken is expired.",
            ));
        }
        if token.is_none() {
            return Err(ApiError::bad_request(
                "InvalidSecurityToken.MismatchWithAccessKey",
                "Specified SecurityToken mismatch with the AccessKeyId: a temporary AccessKeyId needs its SecurityToken.",
            ));
        }
        Ok((
            t.secret.clone(),
            Principal {
                access_key_id: t.access_key_id.clone(),
                account_id: t.account_id.clone(),
                name: t.name.clone(),
                readable_accounts: t.readable_accounts.clone(),
                identity: t.identity.clone(),
            },
        ))
    }

    /// Records `nonce` for `access_key_id`; `SignatureNonceUsed` when seen within the window.
    pub fn use_nonce(&self, access_key_id: &str, nonce: &str) -> Result<(), ApiError> {
        let now = self.now();
        let mut seen = lock(&self.nonces);
        let key = [access_key_id, nonce];
        if seen.contains(&key, now) {
            return Err(ApiError::bad_request(
                "SignatureNonceUsed",
                "Specified signature nonce was used already.",
            ));
        }
        seen.insert(&key, now + time::Duration::minutes(31), now);
        Ok(())
    }

    /// How many nonces, issued credentials and metadata tokens the emulator holds.
    pub fn stored(&self) -> (usize, usize, usize) {
        (
            lock(&self.nonces).len(),
            lock(&self.temporary).len(),
            lock(&self.imds_tokens).len(),
        )
    }

    /// Issues temporary credentials valid for `ttl`, for the role session `name`
    /// (`<role>:<session>`) of `account_id`.
    pub fn issue_temporary(
        &self,
        ttl: Duration,
        account_id: &str,
        name: &str,
        readable_accounts: Vec<String>,
    ) -> TempCredential {
        // What is kept is bounded whatever the caller sent: the callers check their
        // inputs against Alibaba's limits, and this holds if one forgets.
        let bounded = |s: &str| s.chars().take(MAX_STORED_CHARS).collect::<String>();
        let (role, session) = name.split_once(':').unwrap_or((name, ""));
        let cred = TempCredential {
            identity: Identity::AssumedRole {
                role: bounded(role),
                session: bounded(session),
            },
            access_key_id: format!("STS.NT{}", random_string(25)),
            secret: random_string(44),
            token: format!("CAIS{}", random_string(300)),
            expires: self.now() + ttl,
            account_id: bounded(account_id),
            name: bounded(name),
            readable_accounts: readable_accounts
                .iter()
                .take(MAX_STORED_ACCOUNTS)
                .map(|a| bounded(a))
                .collect(),
        };
        // Kept a while past expiry, so a late caller hears "Expired", not "not issued".
        lock(&self.temporary).insert(
            cred.access_key_id.clone(),
            cred.clone(),
            cred.expires + EXPIRED_KEPT,
            self.now(),
        );
        cred
    }

    pub(super) fn count_request(&self, action: &str) {
        let mut c = lock(&self.counters);
        c.first_request.get_or_insert_with(Instant::now);
        c.requests_total += 1;
        // Served Actions are counted by name; anything else in one bucket, so a caller
        // inventing Actions cannot grow the map.
        let name = Counters::bucket(&c.requests, action).to_owned();
        *c.requests.entry(name).or_default() += 1;
    }

    /// Counts an answer to `action`: served, or an error `code` (a throttled one also by
    /// Action).
    pub(super) fn count_answer(&self, action: &str, error: Option<&str>) {
        let mut c = lock(&self.counters);
        c.last_answer = Some(Instant::now());
        let name = Counters::bucket(&c.requests, action).to_owned();
        match error {
            None => *c.served.entry(name).or_default() += 1,
            Some(code) => {
                *c.errors.entry(code.to_owned()).or_default() += 1;
                if code.contains("Throttling") {
                    c.throttles += 1;
                    *c.throttled.entry(name).or_default() += 1;
                }
            }
        }
    }

    /// The counters, as `GET /__sim/stats` answers them.
    pub fn stats(&self) -> Value {
        let c = lock(&self.counters);
        json!({
            "requests_total": c.requests_total,
            "requests": c.requests,
            "errors": c.errors,
            "throttles": c.throttles,
            "served": c.served,
            "throttled": c.throttled,
            // Milliseconds from the first request to the last answer since the counters
            // were zeroed; null before any answer.
            "first_to_last_ms": c.first_request.zip(c.last_answer).map(|(first, last)| {
                last.saturating_duration_since(first).as_secs_f64() * 1000.0
            }),
            "rate_limit": self.flow_control.rate(),
            "connections": self.connections.load(Ordering::Relaxed),
        })
    }

    /// Zeroes the counters.
    pub fn reset(&self) {
        *lock(&self.counters) = Counters::default();
        self.connections.store(0, Ordering::Relaxed);
    }

    /// The fault, if any, this request draws.
    pub(super) fn draw_fault(&self) -> Option<ApiError> {
        let (throttle, error) = (self.config.throttle_rate, self.config.error_rate);
        if throttle <= 0.0 && error <= 0.0 {
            return None;
        }
        let mut rng = lock(&self.rng);
        let (a, b, unavailable): (f64, f64, bool) = (rng.random(), rng.random(), rng.random());
        if a < throttle {
            return Some(ApiError::bad_request(
                "Throttling.User",
                "Request was denied due to user flow control.",
            ));
        }
        if b < error {
            return Some(if unavailable {
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "ServiceUnavailable",
                    "The request has failed due to a temporary failure of the server.",
                )
            } else {
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "InternalError",
                    "The request processing has failed due to some unknown error, exception or failure.",
                )
            });
        }
        None
    }
}
