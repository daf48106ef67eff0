//! Flow control as Alibaba's gateway applies it: at most N calls a second per caller account
//! and Action, above which a call is answered `Throttling.User` (HTTP 400). Each (account,
//! Action) has a token bucket of capacity N refilled at N a second, so a burst of up to N
//! passes at once and a client paced at the rate is never refused. A refused call is told,
//! in `x-acs-retry-after` (milliseconds, as Alibaba's SDKs read it), how long until its
//! bucket holds a token again. The rate can change while the emulator runs
//! (`POST /__sim/config`); 0 turns flow control off.

use super::error::ApiError;
use super::lock;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Buckets kept at most: the accounts come from callers and role ARNs, which a client
/// chooses, so the map is bounded; past it, buckets that are full again (idle callers,
/// whose state is the same as a new bucket's) are dropped.
const MAX_BUCKETS: usize = 10_000;

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    refilled: Instant,
}

/// The per-account, per-Action rate limit and its buckets.
#[derive(Debug, Default)]
pub struct FlowControl {
    rate: AtomicU32,
    buckets: Mutex<HashMap<(String, String), Bucket>>,
}

/// The answer above the rate, as Alibaba writes it, asking the caller to wait `wait`.
pub fn throttled(wait: Duration) -> ApiError {
    ApiError::bad_request(
        "Throttling.User",
        "Request was denied due to user flow control.",
    )
    .with_retry_after(wait)
}

impl FlowControl {
    /// Flow control at `rate` calls a second per account and Action (0: off).
    pub fn new(rate: u32) -> FlowControl {
        FlowControl {
            rate: AtomicU32::new(rate),
            buckets: Mutex::default(),
        }
    }

    /// The rate in force (0: off).
    pub fn rate(&self) -> u32 {
        self.rate.load(Ordering::Relaxed)
    }

    /// Sets the rate; every bucket starts afresh, full.
    pub fn set_rate(&self, rate: u32) {
        let mut buckets = lock(&self.buckets);
        self.rate.store(rate, Ordering::Relaxed);
        buckets.clear();
    }

    /// Takes one call of `action` by `account` at `now`: `Throttling.User` when its bucket
    /// is empty, with the time until it holds a whole token again.
    pub fn admit(&self, account: &str, action: &str, now: Instant) -> Result<(), ApiError> {
        let mut buckets = lock(&self.buckets);
        let rate = self.rate.load(Ordering::Relaxed);
        if rate == 0 {
            return Ok(());
        }
        let capacity = f64::from(rate);
        if buckets.len() >= MAX_BUCKETS {
            buckets.retain(|_, b| {
                b.tokens + now.saturating_duration_since(b.refilled).as_secs_f64() * capacity
                    < capacity
            });
        }
        let bucket = buckets
            .entry((account.to_owned(), action.to_owned()))
            .or_insert(Bucket {
                tokens: capacity,
                refilled: now,
            });
        let elapsed = now.saturating_duration_since(bucket.refilled).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * capacity).min(capacity);
        bucket.refilled = now.max(bucket.refilled);
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(throttled(Duration::from_secs_f64(
                (1.0 - bucket.tokens) / capacity,
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_burst_passes_up_to_the_rate_then_the_bucket_refills_at_it() {
        let fc = FlowControl::new(10);
        let t0 = Instant::now();
        let passed = (0..30)
            .filter(|_| fc.admit("1", "ListUsers", t0).is_ok())
            .count();
        assert_eq!(passed, 10);
        let e = fc.admit("1", "ListUsers", t0).unwrap_err();
        assert_eq!(
            (e.status.as_u16(), e.code.as_str()),
            (400, "Throttling.User")
        );
        // An empty bucket of rate 10 holds a token again a tenth of a second later.
        assert_eq!(e.retry_after, Some(Duration::from_millis(100)));
        // Each account and each Action has its own quota.
        assert!(fc.admit("2", "ListUsers", t0).is_ok());
        assert!(fc.admit("1", "ListAccessKeys", t0).is_ok());
        // Half a second later, half the rate is back, and no more.
        let later = t0 + Duration::from_millis(500);
        let passed = (0..30)
            .filter(|_| fc.admit("1", "ListUsers", later).is_ok())
            .count();
        assert_eq!(passed, 5);
        // Half a token is back 50 ms after the last call: 50 ms more make a whole one, and
        // that is what the refusal says.
        let half = later + Duration::from_millis(50);
        let e = fc.admit("1", "ListUsers", half).unwrap_err();
        assert_eq!(e.retry_after, Some(Duration::from_millis(50)));
        assert!(fc
            .admit("1", "ListUsers", half + Duration::from_millis(50))
            .is_ok());
    }

    #[test]
    fn a_client_at_the_rate_is_never_refused_and_zero_is_off() {
        let fc = FlowControl::new(4);
        let t0 = Instant::now();
        for i in 0..100 {
            let at = t0 + Duration::from_millis(250 * i);
            assert!(fc.admit("1", "A", at).is_ok(), "call {i}");
        }
        fc.set_rate(0);
        assert!((0..1000).all(|_| fc.admit("1", "A", t0).is_ok()));
        fc.set_rate(1);
        assert!(fc.admit("1", "A", t0).is_ok());
        assert!(fc.admit("1", "A", t0).is_err());
    }
}
