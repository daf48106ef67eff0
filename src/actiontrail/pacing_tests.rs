//! The pacer against a model of Alibaba's flow control on tokio's paused clock: a token
//! bucket per key (N calls a second, room for N), a fixed round trip, and the client's
//! order of things (the pacer's slot, then a permit of `max_concurrency`, then the
//! exchange; a throttled call asks the pacer again). Virtual time makes the figures exact
//! and the tests independent of the machine's load.

use super::*;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::sync::Semaphore;

const ROUND_TRIP: Duration = Duration::from_millis(50);

/// A server's flow control for one key: `rate` calls a second, bursts up to `rate`.
struct Bucket {
    rate: f64,
    tokens: f64,
    at: Instant,
}

impl Bucket {
    fn new(rate: f64) -> Bucket {
        Bucket {
            rate,
            tokens: rate,
            at: Instant::now(),
        }
    }

    fn admit(&mut self) -> bool {
        let now = Instant::now();
        let refill = now.duration_since(self.at).as_secs_f64() * self.rate;
        self.tokens = (self.tokens + refill).min(self.rate);
        self.at = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// What a run of calls came to.
#[derive(Debug)]
struct Run {
    served: u64,
    throttled: u64,
    elapsed: Duration,
}

/// `calls` calls of one key against a server allowing `quota` a second, `concurrency` in
/// flight at most, each throttled call retried through the pacer until served.
async fn run(pacer: Arc<Pacer>, key: PaceKey, calls: u64, quota: f64, concurrency: usize) -> Run {
    run_keys(pacer, &[key], calls, quota, concurrency).await
}

/// As [`run`], `calls` for each of `keys` (each with a bucket of its own), the keys'
/// calls interleaved as a scheduler spreading over accounts makes them.
async fn run_keys(
    pacer: Arc<Pacer>,
    keys: &[PaceKey],
    calls: u64,
    quota: f64,
    concurrency: usize,
) -> Run {
    let buckets: Vec<_> = keys
        .iter()
        .map(|_| Arc::new(Mutex::new(Bucket::new(quota))))
        .collect();
    let permits = Arc::new(Semaphore::new(concurrency));
    let (served, throttled) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let start = Instant::now();
    let tasks: Vec<_> = (0..calls as usize * keys.len())
        .map(|i| {
            let (key, bucket) = (
                keys[i % keys.len()].clone(),
                buckets[i % keys.len()].clone(),
            );
            let (pacer, permits) = (pacer.clone(), permits.clone());
            let (served, throttled) = (served.clone(), throttled.clone());
            tokio::spawn(async move {
                loop {
                    let (sent, permit) = pacer.admit(&key, &permits).await;
                    tokio::time::sleep(ROUND_TRIP / 2).await;
                    let admitted = bucket.lock().unwrap().admit();
                    tokio::time::sleep(ROUND_TRIP / 2).await;
                    drop(permit);
                    if admitted {
                        pacer.served(&key);
                        served.fetch_add(1, Ordering::Relaxed);
                        return;
                    }
                    throttled.fetch_add(1, Ordering::Relaxed);
                    pacer.throttled(&key, sent, None);
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    Run {
        served: served.load(Ordering::Relaxed),
        throttled: throttled.load(Ordering::Relaxed),
        elapsed: start.elapsed(),
    }
}

fn key(identity: &str, action: &str) -> PaceKey {
    PaceKey::new(
        identity,
        "https://actiontrail.cn-hangzhou.aliyuncs.com",
        action,
    )
}

#[tokio::test(start_paused = true)]
async fn a_read_far_over_the_quota_runs_at_it_with_few_throttled_calls() {
    const CALLS: u64 = 3000;
    const QUOTA: f64 = 100.0;
    let pacer = Arc::new(Pacer::new(None));
    let k = key("key:A", "GetAccessKeyLastUsedInfo");
    let run = run(pacer.clone(), k.clone(), CALLS, QUOTA, 64).await;
    // The figures README.md quotes (`-- --nocapture` shows them).
    eprintln!("{CALLS} calls at {QUOTA}/s, 64 in flight: {run:?}");
    assert_eq!(run.served, CALLS);
    let attempts = run.served + run.throttled;
    assert!(run.throttled > 0, "the quota was reached: {run:?}");
    assert!(
        run.throttled * 100 <= attempts * 5,
        "at most 5 % of calls throttled: {run:?}"
    );
    // The physical minimum: every call at the quota, plus one round trip.
    let minimum = CALLS as f64 / QUOTA + ROUND_TRIP.as_secs_f64();
    assert!(
        run.elapsed.as_secs_f64() <= 1.15 * minimum,
        "within 1.15 x the minimum of {minimum} s: {run:?}"
    );
    let rate = pacer.rate(&k).expect("a throttled key is paced");
    assert!(rate > 0.8 * QUOTA && rate < 1.2 * QUOTA, "learned {rate}");
}

#[tokio::test(start_paused = true)]
async fn twenty_accounts_read_together_within_the_bound_of_the_slower_constraint() {
    // The organisation benchmark's shape: 20 accounts, 500 calls of one API each, 100 in
    // flight, 50 ms round trips; the quota, 80 a second per account, a little under the
    // 100 a second each account gets of the concurrency, so that each is paced.
    const ACCOUNTS: u64 = 20;
    const CALLS: u64 = 500;
    const QUOTA: f64 = 80.0;
    const CONCURRENCY: usize = 100;
    let keys: Vec<_> = (0..ACCOUNTS)
        .map(|a| {
            key(
                &format!("key:A>role:acs:ram::{a:016}:role/audit"),
                "ListAccessKeys",
            )
        })
        .collect();
    let run = run_keys(Arc::new(Pacer::new(None)), &keys, CALLS, QUOTA, CONCURRENCY).await;
    assert_eq!(run.served, ACCOUNTS * CALLS);
    let attempts = run.served + run.throttled;
    assert!(
        run.throttled * 100 <= attempts * 5,
        "at most 5 % of calls throttled: {run:?}"
    );
    let round_trip = ROUND_TRIP.as_secs_f64();
    let concurrency_bound = (ACCOUNTS * CALLS) as f64 * round_trip / CONCURRENCY as f64;
    let quota_bound = CALLS as f64 / QUOTA;
    let minimum = concurrency_bound.max(quota_bound) + round_trip;
    assert!(
        run.elapsed.as_secs_f64() <= 1.15 * minimum,
        "within 1.15 x the minimum of {minimum} s: {run:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_key_under_its_quota_is_never_slowed() {
    let pacer = Arc::new(Pacer::new(None));
    let k = key("key:A", "ListAccessKeys");
    // 64 in flight over 50 ms round trips is 1,280 calls a second at most: under 5,000.
    let run = run(pacer.clone(), k.clone(), 2000, 5000.0, 64).await;
    assert_eq!((run.served, run.throttled), (2000, 0));
    assert_eq!(pacer.rate(&k), None);
    let concurrency_bound = (2000.0 / 64.0_f64).ceil() * ROUND_TRIP.as_secs_f64();
    assert!(
        run.elapsed.as_secs_f64() <= concurrency_bound + 0.001,
        "{run:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn retry_after_holds_the_key_and_only_it() {
    let pacer = Pacer::new(None);
    let (k, other_action, other_account) = (
        key("key:A", "ListUsers"),
        key("key:A", "ListAccessKeys"),
        key(
            "key:A>role:acs:ram::1234567890123456:role/audit",
            "ListUsers",
        ),
    );
    let start = Instant::now();
    pacer.slot(&other_account).await;
    let sent = pacer.slot(&k).await;
    pacer.throttled(&k, sent, Some(Duration::from_secs(2)));
    pacer.slot(&other_action).await;
    assert_eq!(
        start.elapsed(),
        Duration::ZERO,
        "another Action is not held"
    );
    assert_eq!(pacer.rate(&other_action), None);
    // Another account's ListUsers takes the learned rate (a call a second here, as
    // nothing was served), but not the hold.
    pacer.slot(&other_account).await;
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "another account is not held: {:?}",
        start.elapsed()
    );
    pacer.slot(&k).await;
    assert!(
        start.elapsed() >= Duration::from_secs(2),
        "the key waited as asked: {:?}",
        start.elapsed()
    );
    // A hint of a day is held to the same cap the backoff applies.
    let sent = pacer.slot(&k).await;
    let held = Instant::now();
    pacer.throttled(&k, sent, Some(Duration::from_secs(86_400)));
    pacer.slot(&k).await;
    assert_eq!(held.elapsed(), MAX_RETRY_AFTER);
}

/// `n` calls of `k` waiting for their slots at once, each answering when it got it (since
/// they were made).
fn slots(pacer: &Arc<Pacer>, k: &PaceKey, n: usize) -> Vec<tokio::task::JoinHandle<Duration>> {
    let start = Instant::now();
    (0..n)
        .map(|_| {
            let (pacer, k) = (pacer.clone(), k.clone());
            tokio::spawn(async move {
                pacer.slot(&k).await;
                start.elapsed()
            })
        })
        .collect()
}

/// When each of `waiting` got its slot, earliest first.
async fn slot_times(waiting: Vec<tokio::task::JoinHandle<Duration>>) -> Vec<Duration> {
    let mut at = Vec::new();
    for w in waiting {
        at.push(w.await.unwrap());
    }
    at.sort();
    at
}

/// Asserts that no two of `at` (earliest first) came closer than a slot at 10 calls a
/// second; `what` says why they should not.
fn assert_a_slot_apart_at_ten_a_second(at: &[Duration], what: &str) {
    for pair in at.windows(2) {
        assert!(
            pair[1] - pair[0] >= Duration::from_millis(99),
            "{what}: {at:?}"
        );
    }
}

/// `n` calls of `k` served one after another, then one throttled.
async fn served_then_throttled(pacer: &Pacer, k: &PaceKey, n: usize) {
    for _ in 0..n {
        pacer.slot(k).await;
        pacer.served(k);
    }
    let sent = pacer.slot(k).await;
    pacer.throttled(k, sent, None);
}

#[tokio::test(start_paused = true)]
async fn max_requests_per_second_spaces_calls_from_the_first() {
    let pacer = Arc::new(Pacer::new(Some(10.0)));
    let k = key("key:A", "GetAccessKeyLastUsedInfo");
    let at = slot_times(slots(&pacer, &k, 30)).await;
    assert_eq!(at[0], Duration::ZERO);
    assert_a_slot_apart_at_ten_a_second(&at, "evenly spaced at 10/s, not a burst");
    assert!(at[29] < Duration::from_millis(2950), "{at:?}");
    // The ceiling holds against a quota above it, with nothing throttled.
    let run = run(pacer.clone(), key("key:A", "ListUsers"), 50, 100.0, 64).await;
    assert_eq!(run.throttled, 0);
    assert!(run.elapsed >= Duration::from_millis(4900), "{run:?}");
}

#[tokio::test(start_paused = true)]
async fn a_throttled_key_speeds_up_while_clean_up_to_the_ceiling() {
    let pacer = Arc::new(Pacer::new(Some(40.0)));
    let k = key("key:A", "ListAccessKeys");
    // Throttled at its first call: nothing was served, so it drops to the floor.
    let sent = pacer.slot(&k).await;
    pacer.throttled(&k, sent, None);
    assert_eq!(pacer.rate(&k), Some(MIN_RATE));
    // A server with room for far more: the key climbs back, one step per busy interval.
    let run = run(pacer.clone(), k.clone(), 1500, 1000.0, 64).await;
    assert_eq!(run.throttled, 0);
    assert_eq!(pacer.rate(&k), Some(40.0), "{run:?}");
}

#[tokio::test(start_paused = true)]
async fn a_server_that_throttles_everything_gets_bounded_slow_retries() {
    let pacer = Pacer::new(None);
    let k = key("key:A", "GetAccessKeyLastUsedInfo");
    let start = Instant::now();
    // The client's loop: the first try and five retries, each through the pacer.
    for _ in 0..6 {
        let sent = pacer.slot(&k).await;
        pacer.throttled(&k, sent, None);
    }
    let rate = pacer.rate(&k).unwrap();
    assert_eq!(rate, MIN_RATE);
    assert!(
        start.elapsed() <= Duration::from_secs(6),
        "bounded: {:?}",
        start.elapsed()
    );
    assert!(
        start.elapsed() >= Duration::from_secs(4),
        "paced, not hammered"
    );
}

#[tokio::test(start_paused = true)]
async fn calls_in_flight_when_the_rate_fell_do_not_slow_it_again() {
    let pacer = Pacer::new(None);
    let k = key("key:A", "ListUsers");
    let in_flight: Vec<_> = futures::future::join_all((0..10).map(|_| pacer.slot(&k))).await;
    for _ in 0..10 {
        pacer.served(&k);
    }
    for sent in in_flight {
        pacer.throttled(&k, sent, None);
    }
    // Ten served in the last second: one slow-down, to 90 % of that, not ten.
    assert_eq!(pacer.rate(&k), Some(9.0));
}

#[tokio::test(start_paused = true)]
async fn a_vanishingly_small_ceiling_waits_instead_of_overflowing() {
    let pacer = Pacer::new(Some(1e-300));
    let k = key("key:A", "ListUsers");
    let start = Instant::now();
    pacer.slot(&k).await;
    pacer.slot(&k).await;
    assert_eq!(start.elapsed(), Duration::from_secs(365 * 86_400));
}

#[tokio::test(start_paused = true)]
async fn an_unlearning_pacer_is_not_slowed_by_throttling_and_a_learning_one_is() {
    let k = key("key:A", "ListUsers");
    let unlearning = Pacer::unlearning(None);
    let sent = unlearning.slot(&k).await;
    unlearning.throttled(&k, sent, Some(Duration::from_secs(5)));
    assert_eq!(unlearning.rate(&k), None);
    let before = Instant::now();
    unlearning.slot(&k).await;
    assert_eq!(
        Instant::now(),
        before,
        "the retry-after did not hold the key"
    );
    let learning = Pacer::new(None);
    let sent = learning.slot(&k).await;
    learning.throttled(&k, sent, None);
    assert!(learning.rate(&k).is_some());
}

#[tokio::test(start_paused = true)]
async fn a_new_account_starts_at_the_rate_its_api_was_learned_at_and_keeps_its_own() {
    let pacer = Pacer::new(None);
    let first = key(
        "key:A>role:acs:ram::1111111111111111:role/audit",
        "ListAccessKeys",
    );
    let later = key(
        "key:A>role:acs:ram::2222222222222222:role/audit",
        "ListAccessKeys",
    );
    let other_action = key(
        "key:A>role:acs:ram::2222222222222222:role/audit",
        "ListUsers",
    );
    served_then_throttled(&pacer, &first, 20).await;
    let learned = pacer.rate(&first).expect("a throttled key is paced");
    assert_eq!(learned, 18.0, "a little under the 20 a second let through");
    pacer.slot(&later).await;
    pacer.slot(&other_action).await;
    assert_eq!(
        pacer.rate(&later),
        Some(learned),
        "the same API starts at its learned rate"
    );
    assert_eq!(pacer.rate(&other_action), None, "another API does not");
    // Its own throttling slows it alone; the first keeps its rate.
    served_then_throttled(&pacer, &later, 10).await;
    assert!(pacer.rate(&later).unwrap() < learned);
    assert_eq!(pacer.rate(&first), Some(learned));
}

#[tokio::test(start_paused = true)]
async fn slots_that_fell_due_together_still_go_a_slot_apart() {
    let pacer = Arc::new(Pacer::new(Some(10.0)));
    let k = key("key:A", "ListAccessKeys");
    let waiting = slots(&pacer, &k, 30);
    // Every call takes its ticket; then the process stalls for two seconds, and twenty
    // slots fall due at once.
    tokio::task::yield_now().await;
    tokio::time::advance(Duration::from_secs(2)).await;
    let at = slot_times(waiting).await;
    assert_a_slot_apart_at_ten_a_second(&at, "no burst after the stall");
}

#[tokio::test(start_paused = true)]
async fn an_account_already_running_takes_the_rate_another_learned_until_throttled_itself() {
    let pacer = Pacer::new(None);
    let action = "GetAccessKeyLastUsedInfo";
    let first = key("key:A>role:acs:ram::1111111111111111:role/audit", action);
    let running = key("key:A>role:acs:ram::2222222222222222:role/audit", action);
    pacer.slot(&running).await;
    assert_eq!(
        pacer.rate(&running),
        None,
        "not paced before anyone is throttled"
    );
    served_then_throttled(&pacer, &first, 30).await;
    assert_eq!(pacer.rate(&first), Some(27.0));
    assert_eq!(
        pacer.rate(&running),
        Some(27.0),
        "the running account takes it"
    );
    // Its own throttling is its own; a later slow-down of the first does not reach it.
    served_then_throttled(&pacer, &running, 10).await;
    let own = pacer.rate(&running).unwrap();
    assert!(own < 27.0, "{own}");
    let sent = pacer.slot(&first).await;
    pacer.throttled(&first, sent, None);
    assert_eq!(pacer.rate(&running), Some(own));
}
