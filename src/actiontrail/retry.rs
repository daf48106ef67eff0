//! Exponential backoff with full jitter, and the server's `x-acs-retry-after` hint.

use rand::Rng as _;
use std::time::Duration;

/// A server's retry-after hint is honoured up to this long; beyond it, the hint is more
/// likely a bug than a plan, and Terraform's user is waiting.
pub(super) const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

/// How long to wait before retry number `n` (0-based): a uniform random delay in
/// `[0, min(cap, base * 2^n)]` ("full jitter", which spreads a throttled fleet best).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Backoff {
    /// The first retry's ceiling.
    pub base: Duration,
    /// The largest ceiling.
    pub cap: Duration,
}

impl Default for Backoff {
    fn default() -> Backoff {
        Backoff {
            base: Duration::from_millis(100),
            cap: Duration::from_secs(5),
        }
    }
}

impl Backoff {
    /// The ceiling for retry `n`: `min(cap, base * 2^n)`.
    pub fn ceiling(&self, n: u32) -> Duration {
        let factor = 1u32.checked_shl(n.min(31)).unwrap_or(u32::MAX);
        self.base.saturating_mul(factor).min(self.cap)
    }

    /// The delay before retry `n`; at least `retry_after` when the server sent one.
    pub fn delay(&self, n: u32, retry_after: Option<Duration>) -> Duration {
        let ceiling = self.ceiling(n);
        let jittered = if ceiling.is_zero() {
            Duration::ZERO
        } else {
            let nanos = u64::try_from(ceiling.as_nanos()).unwrap_or(u64::MAX);
            Duration::from_nanos(rand::rng().random_range(0..=nanos))
        };
        match retry_after {
            Some(hint) => hint.min(MAX_RETRY_AFTER).max(jittered),
            None => jittered,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ceiling_doubles_up_to_the_cap() {
        let b = Backoff::default();
        assert_eq!(b.ceiling(0), Duration::from_millis(100));
        assert_eq!(b.ceiling(1), Duration::from_millis(200));
        assert_eq!(b.ceiling(5), Duration::from_millis(3200));
        assert_eq!(b.ceiling(6), Duration::from_secs(5));
        assert_eq!(b.ceiling(1000), Duration::from_secs(5));
    }

    #[test]
    fn delays_are_jittered_within_the_ceiling() {
        let b = Backoff::default();
        for n in 0..10 {
            for _ in 0..50 {
                assert!(b.delay(n, None) <= b.ceiling(n));
            }
        }
    }

    #[test]
    fn a_retry_after_hint_is_a_floor_and_bounded() {
        let b = Backoff {
            base: Duration::from_millis(1),
            cap: Duration::from_millis(2),
        };
        assert!(b.delay(0, Some(Duration::from_millis(300))) >= Duration::from_millis(300));
        assert_eq!(b.delay(0, Some(Duration::from_secs(3600))), MAX_RETRY_AFTER);
    }
}
