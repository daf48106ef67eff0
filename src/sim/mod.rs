//! The ActionTrail emulator behind `actiontrail-sim`.
//!
//! One HTTP server plays four Alibaba Cloud endpoints, so a client needs one address:
//! ActionTrail's five `GetAccessKeyLastUsed*` operations (RPC style, `GET`/`POST /`), RAM
//! `ListUsers` and `ListAccessKeys`, STS `AssumeRole` and `AssumeRoleWithOIDC` on the same
//! path (told apart by Action), and the ECS metadata service's RAM role endpoints under
//! `/latest/`. Requests are verified as the real gateway does (both signature algorithms,
//! timestamp window, nonce replay, STS tokens) and errors carry the real codes and statuses,
//! so a client tested here meets no surprise in production.
//!
//! Fault knobs (latency, throttling, server errors, seeded for repeatability) apply to the
//! ActionTrail and RAM operations, not to STS or the metadata service. `GET /__sim/stats` counts requests by Action, errors by
//! code, throttles and accepted TCP connections; `POST /__sim/reset` zeroes them; `POST /__sim/use`
//! records a use of a key now (`{"access_key_id": "..."}`), as a caller would between a plan
//! and its apply.
//!
//! [`serve`] takes a bound listener and a shutdown future, so tests run the real server
//! in-process on `127.0.0.1:0`; [`spawn`] does that on a background task.

pub mod api;
pub mod auth;
pub mod dataset;
pub mod error;
pub mod expiring;
pub mod imds;
pub mod ram;
mod record;
mod running;
mod server;
pub mod sts;

use crate::sim::auth::{authenticate, unknown_access_key, ApiRequest, Principal};
use crate::sim::dataset::{Caller, DataSet};
use crate::sim::error::ApiError;
use crate::sim::expiring::{Digests, Expiring};
use axum::http::StatusCode;
use rand::{Rng as _, SeedableRng as _};
pub use running::{spawn, spawn_on, RunningSim};
use serde_json::{json, Value};
pub(crate) use server::serve_state;
pub use server::{router, serve};
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use time::OffsetDateTime;

/// How the emulator misbehaves, and how its metadata service is set up.
#[derive(Clone, Debug, PartialEq)]
pub struct SimConfig {
    /// Added before answering each ActionTrail or RAM request.
    pub latency: Duration,
    /// Fraction (0-1) of ActionTrail and RAM requests answered `Throttling.User`.
    pub throttle_rate: f64,
    /// Fraction (0-1) of ActionTrail and RAM requests answered `ServiceUnavailable` or `InternalError`.
    pub error_rate: f64,
    /// Seeds the fault draws, so a run of faults repeats; random when absent.
    pub seed: Option<u64>,
    /// The metadata service only answers with an IMDSv2 session token.
    pub imds_require_token: bool,
    /// The RAM role attached to the emulated instance.
    pub imds_role: String,
}

impl Default for SimConfig {
    fn default() -> SimConfig {
        SimConfig {
            latency: Duration::ZERO,
            throttle_rate: 0.0,
            error_rate: 0.0,
            seed: None,
            imds_require_token: false,
            imds_role: "EcsAuditRole".into(),
        }
    }
}

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
    account_id: String,
    name: String,
    readable_accounts: Vec<String>,
}

#[derive(Debug)]
struct Counters {
    requests_total: u64,
    requests: BTreeMap<String, u64>,
    errors: BTreeMap<String, u64>,
    throttles: u64,
}

impl Default for Counters {
    /// Every served Action starts at 0, so readers need not special-case "never called".
    fn default() -> Counters {
        Counters {
            requests_total: 0,
            requests: api::OPERATIONS
                .iter()
                .chain(ram::OPERATIONS.iter())
                .chain(&["AssumeRole", "AssumeRoleWithOIDC"])
                .map(|a| (a.to_string(), 0))
                .collect(),
            errors: BTreeMap::new(),
            throttles: 0,
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
    /// Written only by `POST /__sim/use`.
    resolved: std::sync::RwLock<api::Resolved>,
    ram: ram::Directory,
    counters: Mutex<Counters>,
    connections: Arc<AtomicU64>,
    rng: Mutex<rand::rngs::StdRng>,
    nonces: Mutex<Digests>,
    temporary: Mutex<Expiring<TempCredential>>,
    imds_tokens: Mutex<Digests>,
    /// What the metadata service hands out, reused while fresh as the real one does.
    imds_credential: Mutex<Option<TempCredential>>,
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
/// The longest SignatureNonce accepted; the SDKs send 32-36 characters.
pub const MAX_NONCE_BYTES: usize = 128;
/// How much of a caller's value (an AccessKey, an Action) an error message echoes.
pub const ECHO_BYTES: usize = 64;

/// `value` as an error message may echo it: clipped to [`ECHO_BYTES`].
pub fn echo(value: &str) -> String {
    crate::alibaba::redact::clip(value, ECHO_BYTES)
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic elsewhere must not take the emulator down with it.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn lock_read<T>(l: &std::sync::RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    l.read().unwrap_or_else(|e| e.into_inner())
}

fn lock_write<T>(l: &std::sync::RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    l.write().unwrap_or_else(|e| e.into_inner())
}

fn random_string(n: usize) -> String {
    rand::rng()
        .sample_iter(rand::distr::Alphanumeric)
        .take(n)
        .map(char::from)
        .collect()
}

/// `YYYY-MM-DDThh:mm:ssZ`, the format STS and the metadata service use.
pub fn iso_seconds(t: OffsetDateTime) -> String {
    let fmt = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    t.to_offset(time::UtcOffset::UTC)
        .format(&fmt)
        .unwrap_or_default()
}

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

    /// The metadata service's credentials for `role`: the same ones until a quarter of an
    /// hour before they expire, then new ones.
    pub fn imds_credential(&self, role: &str) -> TempCredential {
        let mut current = lock(&self.imds_credential);
        let fresh = |c: &TempCredential| c.expires - self.now() > time::Duration::minutes(15);
        if let Some(c) = current.as_ref().filter(|c| fresh(c)) {
            return c.clone();
        }
        let c = self.issue_temporary(
            Duration::from_secs(3600),
            dataset::ACME_ACCOUNT,
            &format!("{role}:i-bp1sim0instance01"),
            vec!["*".into()],
        );
        *current = Some(c.clone());
        c
    }

    /// Issues temporary credentials valid for `ttl`.
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
        let cred = TempCredential {
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

    /// A metadata session token valid for `ttl`.
    pub fn issue_imds_token(&self, ttl: Duration) -> String {
        let token = random_string(56);
        let now = self.now();
        lock(&self.imds_tokens).insert(&[&token], now + ttl, now);
        token
    }

    /// Whether `token` is a live metadata session token.
    pub fn imds_token_valid(&self, token: &str) -> bool {
        lock(&self.imds_tokens).contains(&[token], self.now())
    }

    fn count_request(&self, action: &str) {
        let mut c = lock(&self.counters);
        c.requests_total += 1;
        // Served Actions are counted by name; anything else in one bucket, so a caller
        // inventing Actions cannot grow the map.
        let name = match action {
            "" => "(none)",
            a if c.requests.contains_key(a) => a,
            _ => "(unknown)",
        };
        *c.requests.entry(name.to_owned()).or_default() += 1;
    }

    fn count_error(&self, code: &str) {
        let mut c = lock(&self.counters);
        *c.errors.entry(code.to_owned()).or_default() += 1;
        if code.contains("Throttling") {
            c.throttles += 1;
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
            "connections": self.connections.load(Ordering::Relaxed),
        })
    }

    /// Zeroes the counters.
    pub fn reset(&self) {
        *lock(&self.counters) = Counters::default();
        self.connections.store(0, Ordering::Relaxed);
    }

    /// The fault, if any, this request draws.
    fn draw_fault(&self) -> Option<ApiError> {
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

    async fn dispatch(&self, req: &ApiRequest, action: &str) -> Result<Value, ApiError> {
        if api::OPERATIONS.contains(&action) {
            if !self.config.latency.is_zero() {
                tokio::time::sleep(self.config.latency).await;
            }
            if let Some(fault) = self.draw_fault() {
                return Err(fault);
            }
            check_version(req, api::VERSION)?;
            let principal = authenticate(self, req)?;
            lock_read(&self.resolved).answer(action, &req.params, &principal)
        } else if ram::OPERATIONS.contains(&action) {
            if !self.config.latency.is_zero() {
                tokio::time::sleep(self.config.latency).await;
            }
            if let Some(fault) = self.draw_fault() {
                return Err(fault);
            }
            check_version(req, ram::VERSION)?;
            let principal = authenticate(self, req)?;
            self.ram.answer(action, &req.params, &principal)
        } else if action == "AssumeRole" {
            check_version(req, sts::VERSION)?;
            let principal = authenticate(self, req)?;
            sts::assume_role(self, &req.params, &principal)
        } else if action == "AssumeRoleWithOIDC" {
            check_version(req, sts::VERSION)?;
            sts::assume_role_with_oidc(self, &req.params)
        } else if action.is_empty() {
            Err(ApiError::bad_request(
                "MissingParameter",
                "The input parameter \"Action\" that is mandatory for processing this request is not supplied.",
            ))
        } else {
            Err(ApiError::new(
                StatusCode::NOT_FOUND,
                "InvalidAction.NotFound",
                format!(
                    "Specified api {} is not found, please check your url and method.",
                    echo(action)
                ),
            ))
        }
    }
}

fn check_version(req: &ApiRequest, want: &str) -> Result<(), ApiError> {
    match req.version() {
        Some(v) if v == want => Ok(()),
        Some(v) => Err(ApiError::bad_request(
            "InvalidVersion",
            format!("Specified parameter Version {v:?} is not valid; this API is version {want}."),
        )),
        None => Err(ApiError::bad_request(
            "MissingParameter",
            "The input parameter \"Version\" that is mandatory for processing this request is not supplied.",
        )),
    }
}
