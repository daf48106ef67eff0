//! Quota-aware pacing: Alibaba answers calls over an API's per-account rate with
//! `Throttling.User`, and retrying them wastes the very quota the read is waiting for. So
//! the client asks the [`Pacer`] before every attempt of every exchange, per key: whose
//! credentials sign (their identity, never a secret), which endpoint, which Action. A
//! member account's role credentials are another identity, so another key, as Alibaba
//! counts quotas per account.
//!
//! - Until a key is throttled it is not slowed: only `max_concurrency` bounds it (and
//!   `max_requests_per_second`, a ceiling from the first call, when set).
//! - A `Throttling*` answer slows the key at once to a little under the rate the server let
//!   through over the last second, and an `x-acs-retry-after` holds the key until then.
//!   Only a call sent at the current rate slows it again: calls in flight when the rate
//!   fell were sent at the old one, and say nothing about the new.
//! - A key kept busy at its rate for a clean interval (no throttling) speeds up by a small
//!   step, up to the ceiling.
//! - A paced key hands out evenly spaced slots (ticket `n` goes at `origin + n / rate`), not
//!   bursts, so a read runs at the quota instead of into it. When the rate changes, the
//!   slots not yet due are spaced again at the new rate.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::sync::Notify;
use tokio::time::Instant;

/// The slowest a throttled key goes: a server that throttles everything still gets its
/// retries, one a second, until the retry budget ends the call.
pub(crate) const MIN_RATE: f64 = 1.0;
/// Fraction of the rate the server let through that a throttled key drops to: a little
/// under the quota, so the server's bucket can refill.
const SLOW_DOWN: f64 = 0.9;
/// The window the served rate is measured over, and a clean interval's length.
const WINDOW: Duration = Duration::from_secs(1);
/// Each clean, busy interval adds this share of the rate (at least [`MIN_STEP`]).
const STEP_SHARE: f64 = 0.05;
/// The smallest speed-up per clean interval, in calls per second.
const MIN_STEP: f64 = 1.0;
/// A key is busy when it handed out at least this share of its rate's slots.
const BUSY: f64 = 0.8;
/// Past this rate, with no ceiling, a key is no longer paced: no API's quota is near it.
const UNPACED_ABOVE: f64 = 10_000.0;
/// A retry-after hint holds a key at most this long (as the backoff honours it).
const MAX_RETRY_AFTER: Duration = super::retry::MAX_RETRY_AFTER;

/// `secs` as a duration, at most a year: as good as never, and no sum overflows.
fn seconds(secs: f64) -> Duration {
    Duration::try_from_secs_f64(secs.min(365.0 * 86_400.0)).unwrap_or(Duration::ZERO)
}

/// Whose calls share a rate: the credentials' identity, the endpoint and the Action.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct PaceKey {
    identity: String,
    endpoint: String,
    action: String,
}

impl PaceKey {
    /// The key of `action` at `endpoint` signed by the credentials named `identity`.
    pub(crate) fn new(identity: &str, endpoint: &str, action: &str) -> PaceKey {
        PaceKey {
            identity: identity.to_owned(),
            endpoint: endpoint.to_owned(),
            action: action.to_owned(),
        }
    }
}

impl std::fmt::Display for PaceKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} at {} as {}",
            self.action, self.endpoint, self.identity
        )
    }
}

/// What the pacer needs back about a call it let go: the rate it was sent at.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Sent {
    /// How many times the key had slowed down when the call went.
    slowdowns: u64,
}

/// The rates of every key, shared by every clone of a client and every client derived
/// from it.
#[derive(Debug)]
pub(crate) struct Pacer {
    ceiling: Option<f64>,
    /// Whether throttling slows a key (`ACTIONTRAIL_PACING=off` turns it off, leaving the
    /// retries with backoff alone, to compare the two).
    learning: bool,
    keys: Mutex<HashMap<PaceKey, Arc<KeyPace>>>,
    /// The last rate learned for each endpoint and Action, whoever was throttled: a key
    /// first seen after it (another member account's) starts at it rather than unpaced.
    /// An API's quota is the same for every account unless raised, so an organisation
    /// read meets flow control once per API instead of once per API and account.
    priors: Mutex<HashMap<(String, String), f64>>,
}

#[derive(Debug)]
struct KeyPace {
    schedule: Mutex<Schedule>,
    /// Wakes the waiting calls when their slots move.
    changed: Notify,
}

#[derive(Debug)]
struct Schedule {
    /// The rate learned from throttling; `None` until the key is throttled.
    learned: Option<f64>,
    ceiling: Option<f64>,
    /// Ticket `n >= first` goes at `origin + (n - first) / rate`; earlier ones (due before
    /// the rate changed, not yet gone) at `origin`.
    origin: Instant,
    first: u64,
    next_ticket: u64,
    /// Set by `x-acs-retry-after`: nothing goes before it.
    hold_until: Option<Instant>,
    /// When each answer the server let through came, over the last [`WINDOW`].
    served: VecDeque<Instant>,
    slowdowns: u64,
    /// Start of the current interval, and the slots handed out in it.
    interval_start: Instant,
    handed: u64,
    /// When the last call went: the next one, after a change, goes a slot after it.
    last_sent: Option<Instant>,
}

impl Schedule {
    fn new(ceiling: Option<f64>, now: Instant) -> Schedule {
        Schedule {
            learned: None,
            ceiling,
            origin: now,
            first: 0,
            next_ticket: 0,
            hold_until: None,
            served: VecDeque::new(),
            slowdowns: 0,
            interval_start: now,
            handed: 0,
            last_sent: None,
        }
    }

    /// Calls per second this key is held to; `None` when it is not paced.
    fn rate(&self) -> Option<f64> {
        match (self.learned, self.ceiling) {
            (None, None) => None,
            (a, b) => Some(a.unwrap_or(f64::INFINITY).min(b.unwrap_or(f64::INFINITY))),
        }
    }

    fn slot(&self, ticket: u64, rate: f64) -> Instant {
        let at = if ticket <= self.first {
            self.origin
        } else {
            self.origin + seconds((ticket - self.first) as f64 / rate)
        };
        self.hold_until.map_or(at, |h| at.max(h))
    }

    /// A new ticket. An idle key earns no credit: if the next slot is already past, the
    /// schedule starts again now, so idleness never turns into a burst.
    fn take_ticket(&mut self, now: Instant, rate: f64) -> u64 {
        if self.slot(self.next_ticket, rate) < now {
            self.first = self.next_ticket;
            self.origin = now;
        }
        self.next_ticket += 1;
        self.next_ticket - 1
    }

    /// Spaces the tickets not yet due at the current rate, after the rate was `old`: the
    /// first a slot after the last call went, and not before now or the hold.
    fn respace(&mut self, now: Instant, old: Option<f64>) {
        let due = match old {
            Some(r) if now >= self.origin => {
                let elapsed = now.duration_since(self.origin).as_secs_f64();
                self.first.saturating_add((elapsed * r).floor() as u64 + 1)
            }
            Some(_) => self.first,
            None => self.next_ticket,
        };
        self.first = due.min(self.next_ticket);
        let after_last = match (self.rate(), self.last_sent) {
            (Some(r), Some(last)) => last + seconds(1.0 / r),
            _ => now,
        };
        self.origin = self.hold_until.map_or(now, |h| h.max(now)).max(after_last);
    }

    fn forget_before(&mut self, now: Instant) {
        while self
            .served
            .front()
            .is_some_and(|t| now.duration_since(*t) > WINDOW)
        {
            self.served.pop_front();
        }
    }

    /// The rate the server let through over the last window, in calls per second.
    fn served_rate(&mut self, now: Instant) -> f64 {
        self.forget_before(now);
        self.served.len() as f64 / WINDOW.as_secs_f64()
    }

    /// One step faster after a clean interval in which the key was busy at its rate;
    /// whether the rate changed.
    fn speed_up(&mut self, now: Instant, key: &PaceKey) -> bool {
        let Some(learned) = self.learned else {
            return false;
        };
        let elapsed = now.duration_since(self.interval_start);
        if elapsed < WINDOW {
            return false;
        }
        let rate = self.rate().unwrap_or(learned);
        let busy = self.handed as f64 >= BUSY * rate * elapsed.as_secs_f64();
        self.interval_start = now;
        self.handed = 0;
        if !busy || self.ceiling.is_some_and(|c| learned >= c) {
            return false;
        }
        let faster = learned + (learned * STEP_SHARE).max(MIN_STEP);
        let old = self.rate();
        self.learned = match self.ceiling {
            Some(c) => Some(faster.min(c)),
            None if faster > UNPACED_ABOVE => None,
            None => Some(faster),
        };
        tracing::debug!(
            key = %key,
            from = learned,
            to = self.learned.unwrap_or(f64::INFINITY),
            "no throttling for an interval: pacing faster"
        );
        self.respace(now, old);
        true
    }
}

impl Pacer {
    /// A pacer whose keys never go faster than `ceiling` calls per second, when set.
    pub(crate) fn new(ceiling: Option<f64>) -> Pacer {
        Pacer {
            ceiling: ceiling.filter(|c| c.is_finite() && *c > 0.0),
            learning: true,
            keys: Mutex::new(HashMap::new()),
            priors: Mutex::new(HashMap::new()),
        }
    }

    /// A pacer that only holds keys to `ceiling` and never learns from throttling: calls
    /// then meet flow control with the retries and their backoff alone.
    pub(crate) fn unlearning(ceiling: Option<f64>) -> Pacer {
        Pacer {
            learning: false,
            ..Pacer::new(ceiling)
        }
    }

    fn key(&self, key: &PaceKey) -> Arc<KeyPace> {
        let mut keys = self.keys.lock().unwrap_or_else(PoisonError::into_inner);
        keys.entry(key.clone())
            .or_insert_with(|| {
                let mut schedule = Schedule::new(self.ceiling, Instant::now());
                schedule.learned = self.prior(key);
                if let Some(rate) = schedule.learned {
                    tracing::debug!(key = %key, rate, "starting at the rate this API was learned at for another account");
                }
                Arc::new(KeyPace {
                    schedule: Mutex::new(schedule),
                    changed: Notify::new(),
                })
            })
            .clone()
    }

    fn prior(&self, key: &PaceKey) -> Option<f64> {
        let priors = self.priors.lock().unwrap_or_else(PoisonError::into_inner);
        priors
            .get(&(key.endpoint.clone(), key.action.clone()))
            .copied()
    }

    /// Waits for the key's next slot: at once for a key not paced, else in turn at its
    /// rate. Cancel-safe: dropping the future gives the slot up.
    pub(crate) async fn slot(&self, key: &PaceKey) -> Sent {
        let pace = self.key(key);
        let mut ticket = None;
        loop {
            let notified = pace.changed.notified();
            let at = {
                let mut s = pace.schedule.lock().unwrap_or_else(PoisonError::into_inner);
                let now = Instant::now();
                if s.speed_up(now, key) {
                    pace.changed.notify_waiters();
                }
                let Some(rate) = s.rate() else {
                    s.last_sent = Some(now);
                    return Sent {
                        slowdowns: s.slowdowns,
                    };
                };
                let t = *ticket.get_or_insert_with(|| s.take_ticket(now, rate));
                // Never two calls closer than the rate allows, even when slots fell due
                // together (the process was descheduled): a late slot is a lost one, not a
                // burst the server would throttle.
                let gap = s.last_sent.map_or(now, |last| last + seconds(1.0 / rate));
                let at = s.slot(t, rate).max(gap);
                if at <= now {
                    s.handed += 1;
                    s.last_sent = Some(now);
                    return Sent {
                        slowdowns: s.slowdowns,
                    };
                }
                at
            };
            // `notified` was made before the schedule was read, so a change made since
            // still wakes this call.
            tokio::select! {
                () = tokio::time::sleep_until(at) => {}
                () = notified => {}
            }
        }
    }

    /// Waits for the key's slot, then for a permit of `permits` (the client's
    /// `max_concurrency`), in that order so that a call waiting for its key's rate holds no
    /// permit another key could use. A call whose key slowed down or was held while it
    /// waited for the permit goes back for a slot at the new rate: it must not go out at
    /// the old one.
    pub(crate) async fn admit<'a>(
        &self,
        key: &PaceKey,
        permits: &'a tokio::sync::Semaphore,
    ) -> (Sent, Option<tokio::sync::SemaphorePermit<'a>>) {
        loop {
            let sent = self.slot(key).await;
            // The semaphore is never closed, so acquiring cannot fail.
            let permit = permits.acquire().await.ok();
            if self.still_current(key, sent) {
                return (sent, permit);
            }
        }
    }

    /// Whether a call given its slot as `sent` may still go: the key has not slowed down
    /// since, nor is it held.
    fn still_current(&self, key: &PaceKey, sent: Sent) -> bool {
        let pace = self.key(key);
        let s = pace.schedule.lock().unwrap_or_else(PoisonError::into_inner);
        s.slowdowns == sent.slowdowns && s.hold_until.is_none_or(|h| h <= Instant::now())
    }

    /// The server let the call through (it answered, even with an error other than
    /// throttling).
    pub(crate) fn served(&self, key: &PaceKey) {
        let pace = self.key(key);
        let mut s = pace.schedule.lock().unwrap_or_else(PoisonError::into_inner);
        let now = Instant::now();
        s.forget_before(now);
        s.served.push_back(now);
    }

    /// The server throttled the call: slow the key down (once per rate), and hold it for
    /// `retry_after` when the server asked.
    pub(crate) fn throttled(&self, key: &PaceKey, sent: Sent, retry_after: Option<Duration>) {
        if !self.learning {
            return;
        }
        let pace = self.key(key);
        let mut s = pace.schedule.lock().unwrap_or_else(PoisonError::into_inner);
        let now = Instant::now();
        let old = s.rate();
        let mut changed = false;
        if let Some(wait) = retry_after {
            let until = now + wait.min(MAX_RETRY_AFTER);
            if s.hold_until.is_none_or(|h| h < until) {
                s.hold_until = Some(until);
                changed = true;
                tracing::debug!(key = %key, wait_ms = wait.as_millis(), "holding the key as x-acs-retry-after asks");
            }
        }
        // A clean interval starts again after any throttling.
        s.interval_start = now;
        s.handed = 0;
        if sent.slowdowns == s.slowdowns {
            let served = s.served_rate(now);
            let from = old.unwrap_or(f64::INFINITY);
            let to = (served.min(from) * SLOW_DOWN).max(MIN_RATE);
            s.learned = Some(to);
            s.slowdowns += 1;
            self.priors
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert((key.endpoint.clone(), key.action.clone()), to);
            changed = true;
            tracing::debug!(
                key = %key,
                from,
                to,
                served_per_second = served,
                "throttled: pacing slower"
            );
        }
        let learned = s.learned.filter(|_| changed);
        if changed {
            s.respace(now, old);
            drop(s);
            pace.changed.notify_waiters();
        }
        if let Some(rate) = learned {
            self.share(key, rate);
        }
    }

    /// The same API for other accounts, not yet throttled, takes `rate` too: their quota is
    /// the same unless raised, and each of them would otherwise spend a burst learning it.
    /// Each speeds up again on its own while it is not throttled. Only this key's lock was
    /// held before, and it is released: no two schedules are ever locked together.
    fn share(&self, from: &PaceKey, rate: f64) {
        let others: Vec<(PaceKey, Arc<KeyPace>)> = self
            .keys
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .filter(|(k, _)| {
                k.endpoint == from.endpoint
                    && k.action == from.action
                    && k.identity != from.identity
            })
            .map(|(k, p)| (k.clone(), p.clone()))
            .collect();
        for (key, pace) in others {
            let mut s = pace.schedule.lock().unwrap_or_else(PoisonError::into_inner);
            if s.learned.is_some() {
                continue;
            }
            let now = Instant::now();
            let old = s.rate();
            s.learned = Some(rate);
            s.slowdowns += 1;
            s.respace(now, old);
            drop(s);
            tracing::debug!(key = %key, rate, "pacing at the rate this API was learned at for another account");
            pace.changed.notify_waiters();
        }
    }

    /// The rate `key` is held to now, in calls per second; `None` when not paced.
    #[cfg(test)]
    pub(crate) fn rate(&self, key: &PaceKey) -> Option<f64> {
        let pace = self.key(key);
        let s = pace.schedule.lock().unwrap_or_else(PoisonError::into_inner);
        s.rate()
    }
}

#[cfg(test)]
#[path = "pacing_tests.rs"]
mod tests;
