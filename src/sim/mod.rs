//! The ActionTrail emulator behind `actiontrail-sim`.
//!
//! One HTTP server plays five Alibaba Cloud endpoints, so a client needs one address:
//! ActionTrail's five `GetAccessKeyLastUsed*` operations (RPC style, `GET`/`POST /`), RAM
//! `ListUsers` and `ListAccessKeys`, STS `AssumeRole`, `AssumeRoleWithOIDC` and
//! `GetCallerIdentity`, ResourceManager `ListAccounts` over the data set's Resource
//! Directory, all on the same path (told apart by Action), and the ECS metadata service's
//! RAM role endpoints under `/latest/`. Requests are verified as the real gateway does (both signature algorithms,
//! timestamp window, nonce replay, STS tokens) and errors carry the real codes and statuses,
//! so a client tested here meets no surprise in production.
//!
//! Fault knobs (latency, throttling, server errors, seeded for repeatability) apply to the
//! ActionTrail, RAM and ResourceManager operations, not to STS or the metadata service.
//! Flow control (`rate_limit`, `flow_control.rs`) applies to every signed call: N a second
//! per caller account and Action, `Throttling.User` above it with `x-acs-retry-after`; every
//! error's `Recommend` link names the product called. `GET /__sim/stats` counts
//! requests by Action, answers served and throttled by Action, errors by code, throttles and
//! accepted TCP connections; `POST /__sim/reset` zeroes them; `POST /__sim/use` records a use
//! of a key now (`{"access_key_id": "..."}`), as a caller would between a plan and its
//! apply; `POST /__sim/config` sets the rate limit (`{"rate_limit": N}`) while it runs.
//!
//! [`serve`] takes a bound listener and a shutdown future, so tests run the real server
//! in-process on `127.0.0.1:0`; [`spawn`] does that on a background task.
//!
//! # Where things are
//!
//! Each RPC operation is served from one file, which holds its parameter checks, its
//! answer's shape and its paging: `api/<operation>.rs` for ActionTrail, `ram/`, `sts/` and
//! `resourcemanager/` likewise, and `imds.rs` for the metadata service. Each API's
//! `served!` line names its files, and so routes them ([`operations::all`]). What the
//! operations share stays shared: the routes and the RPC handler (`server.rs`), the
//! signature check (`auth.rs`), the error answer (`error.rs`), each API's store
//! (`api/mod.rs`, `ram/mod.rs`, `sts/mod.rs`), the data set (`dataset.rs`, its Resource
//! Directory in `directory.rs`, a generated one in `organization.rs`), the flow control
//! (`flow_control.rs`), the emulator's state (`state.rs`) and its own `/__sim/*` controls
//! (`control.rs`). A new operation is one file beside its API's others and its line in its
//! API's `served!`.

pub mod api;
pub mod auth;
mod control;
pub mod dataset;
pub mod directory;
pub mod error;
pub mod expiring;
pub mod flow_control;
pub mod imds;
pub mod operation;
pub mod operations;
pub mod organization;
mod paging;
pub mod ram;
pub mod resourcemanager;
mod running;
mod server;
mod state;
pub mod sts;

use rand::Rng as _;
pub use running::{spawn, spawn_on, RunningSim};
pub(crate) use server::serve_state;
pub use server::{router, serve};
pub use state::{SimState, TempCredential};
use std::sync::{Mutex, MutexGuard};
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
    /// Calls a second allowed per caller account and Action, above which the answer is
    /// `Throttling.User`; 0 turns flow control off. `POST /__sim/config` changes it.
    pub rate_limit: u32,
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
            rate_limit: 0,
        }
    }
}

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

/// `YYYY-MM-DDThh:mm:ss.sssZ` of epoch milliseconds `ms`, as an ActionTrail event's
/// `eventTime` and ResourceManager's account times are written.
pub fn iso_millis(ms: i64) -> String {
    let fmt = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    );
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| t.format(&fmt).ok())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_millis_is_rfc3339_with_milliseconds() {
        assert_eq!(iso_millis(1_700_000_000_123), "2023-11-14T22:13:20.123Z");
    }
}
