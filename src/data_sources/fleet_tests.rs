//! The fleet read's unit tests: the gate, the windows and the key caps.

use super::*;
use crate::data_sources::fleet_gate::gate;

const DAY: i64 = 86_400_000;

fn key(id: &str, used_days_ago: Option<i64>, status: KeyStatus, now: i64) -> FleetKey {
    FleetKey {
        access_key_id: id.into(),
        user_name: "u".into(),
        status,
        created: EpochMs::new(now - 500 * DAY),
        last_used_ms: used_days_ago.map(|d| usage::UsedTimestamp::fixture(now - d * DAY)),
        last_used_service: used_days_ago.map(|_| "Ecs".into()),
        last_used_ip: used_days_ago.map(|_| "203.0.113.9".into()),
        request_id: "R".into(),
        owner_account: None,
        age_days: 500,
        days_since_last_used: used_days_ago,
    }
}

#[test]
fn the_gate_lists_every_recently_used_selected_key_with_service_ip_and_time() {
    let now = 1_800_000_000_000;
    let fleet = Fleet {
        id: "all".into(),
        selected: vec![
            key("A", Some(1), KeyStatus::Active, now),
            key("B", None, KeyStatus::Active, now),
            key("C", Some(3), KeyStatus::Inactive, now),
            key("D", Some(100), KeyStatus::Active, now),
        ],
        keys: vec![],
        users: 1,
        ram_request_ids: vec![],
        now: EpochMs::new(now),
    };
    let d = gate(&fleet, Duration::from_secs(7 * 86_400)).unwrap();
    assert!(d.summary.starts_with("2 of 4"), "{}", d.summary);
    assert!(d
        .detail
        .contains("- A (RAM user u): Ecs from 203.0.113.9 at "));
    assert!(d.detail.contains("- C "));
    assert!(!d.detail.contains("- B ") && !d.detail.contains("- D "));
    assert_eq!(
        d.attribute,
        Some(AttributePath::root("fail_if_any_used_within"))
    );
    assert!(gate(&fleet, Duration::from_secs(3600)).is_none());
}

#[test]
fn an_organisation_past_its_cap_fails_naming_the_cap_and_one_account_past_its_own() {
    let all = Arc::new(AtomicUsize::new(MAX_ORGANIZATION_KEYS - 1));
    let account = KeyBudget {
        read: AtomicUsize::new(0),
        organization: Some(all.clone()),
    };
    assert!(account.take(1, None).is_ok());
    let d = account.take(1, None).unwrap_err();
    assert!(
        d.detail.contains(&MAX_ORGANIZATION_KEYS.to_string()),
        "{}",
        d.detail
    );
    assert!(d.summary.contains("organisation"), "{}", d.summary);
    let alone = KeyBudget::default();
    assert!(alone.take(MAX_FLEET_KEYS, None).is_ok());
    let d = alone.take(1, None).unwrap_err();
    assert!(d.summary.contains("fleet read's cap"), "{}", d.summary);
}

#[test]
fn a_never_used_key_is_unused_for_any_window_and_used_within_none() {
    let now = 1_800_000_000_000;
    let never = key("B", None, KeyStatus::Active, now);
    assert!(!never.used_within(Duration::from_secs(u64::MAX / 4), EpochMs::new(now)));
    let recent = key("A", Some(1), KeyStatus::Active, now);
    assert!(recent.used_within(Duration::from_secs(2 * 86_400), EpochMs::new(now)));
    assert!(!recent.used_within(Duration::from_secs(86_000), EpochMs::new(now)));
}

/// Users are read a bounded number at a time, and their keys come back in RAM's order of
/// users even when a later user answers first.
#[tokio::test(start_paused = true)]
async fn users_run_at_most_width_at_once_and_come_back_in_their_order() {
    use std::sync::atomic::AtomicUsize;
    let (now, most) = (AtomicUsize::new(0), AtomicUsize::new(0));
    let read = bounded_in_order(8, 3, |i| {
        let (now, most) = (&now, &most);
        async move {
            most.fetch_max(now.fetch_add(1, Ordering::SeqCst) + 1, Ordering::SeqCst);
            // The first users answer last.
            tokio::time::sleep(Duration::from_millis(100 * (8 - i as u64))).await;
            now.fetch_sub(1, Ordering::SeqCst);
            Ok::<_, Diagnostic>(i)
        }
    })
    .await
    .unwrap();
    assert_eq!(read, (0..8).collect::<Vec<_>>());
    assert_eq!(most.load(Ordering::SeqCst), 3);
}

/// The first error to happen ends the read, not the first user's in order.
#[tokio::test(start_paused = true)]
async fn the_first_error_to_happen_ends_the_users_read() {
    let read = bounded_in_order(4, 4, |i| async move {
        tokio::time::sleep(Duration::from_millis(100 * (4 - i as u64))).await;
        Err::<usize, _>(Diagnostic::error(format!("user {i}"), ""))
    })
    .await;
    assert_eq!(read.unwrap_err().summary, "user 3");
}

#[test]
fn a_key_is_named_by_the_id_asked_not_by_actiontrails_echo_of_it() {
    let info = AccessKeyLastUsedInfo {
        request_id: "R".into(),
        access_key_id: Some("LTAI5tAsked0000000001\n".into()),
        ..Default::default()
    };
    let id = AccessKeyId::parse("LTAI5tAsked0000000001").unwrap();
    let k = join(&id, "u", KeyStatus::Active, EpochMs::new(0), &info);
    assert_eq!(k.access_key_id, "LTAI5tAsked0000000001");
}

#[test]
fn a_user_name_ram_would_not_have_is_named_as_such() {
    use crate::actiontrail::list_users::user_name_fault;
    assert_eq!(user_name_fault(" ").as_deref(), Some("an empty UserName"));
    assert!(user_name_fault(&"u".repeat(65)).is_some_and(|f| f.contains("64 characters")));
    assert_eq!(user_name_fault(&"u".repeat(64)), None);
}

#[test]
fn a_use_dated_before_the_key_was_created_is_refused_beyond_the_clock_skew() {
    let now = 1_800_000_000_000;
    let mut k = key("A", Some(600), KeyStatus::Active, now);
    let d = used_before_created(&k).unwrap();
    assert!(
        d.detail.contains("AccessKey A was last used at ") && d.detail.contains("before RAM says"),
        "{}",
        d.detail
    );
    k.last_used_ms = Some(usage::UsedTimestamp::fixture(
        k.created.ms() - usage::CLOCK_SKEW_MS + 1,
    ));
    assert!(used_before_created(&k).is_none());
    assert!(used_before_created(&key("B", None, KeyStatus::Active, now)).is_none());
    assert!(used_before_created(&key("C", Some(1), KeyStatus::Active, now)).is_none());
}
