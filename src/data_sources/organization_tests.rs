//! The organisation read's choice of accounts, its warnings and its id.

use super::*;

fn account(id: &str, name: &str) -> DirectoryAccount {
    DirectoryAccount {
        account_id: id.into(),
        display_name: Some(name.into()),
        kind: Some("ResourceAccount".into()),
        status: Some("CreateSuccess".into()),
    }
}

/// The management account and two members.
fn directory() -> [DirectoryAccount; 3] {
    [
        account("1", "mgmt"),
        account("2", "prod"),
        account("3", "dev"),
    ]
}

fn sel() -> OrgSelection {
    OrgSelection {
        account_ids: None,
        exclude_account_ids: vec![],
        include_management_account: false,
        role_name: DEFAULT_ROLE_NAME.into(),
        access_key_ids: None,
        filters: Selection::default(),
    }
}

fn ids(v: Vec<&DirectoryAccount>) -> Vec<&str> {
    v.into_iter().map(|a| a.account_id.as_str()).collect()
}

#[test]
fn members_are_read_without_the_management_account_unless_asked() {
    let listed = directory();
    let me = account("1", "");
    assert_eq!(ids(chosen(&listed, &me, &sel()).unwrap()), ["2", "3"]);
    let with_me = OrgSelection {
        include_management_account: true,
        ..sel()
    };
    assert_eq!(
        ids(chosen(&listed, &me, &with_me).unwrap()),
        ["1", "2", "3"]
    );
    let excluded = OrgSelection {
        exclude_account_ids: vec!["3".into()],
        ..with_me
    };
    assert_eq!(ids(chosen(&listed, &me, &excluded).unwrap()), ["1", "2"]);
}

#[test]
fn a_named_account_must_be_listed_and_is_read_in_the_order_named() {
    let listed = directory();
    let me = account("1", "");
    let named = OrgSelection {
        account_ids: Some(vec!["3".into(), "2".into()]),
        ..sel()
    };
    assert_eq!(ids(chosen(&listed, &me, &named).unwrap()), ["3", "2"]);
    let unknown = OrgSelection {
        account_ids: Some(vec!["2".into(), "9".into()]),
        ..sel()
    };
    let d = chosen(&listed, &me, &unknown).unwrap_err();
    assert_eq!(d.attribute, Some(at("account_ids", 1)));
    assert!(d.detail.contains("account 9"), "{}", d.detail);
}

#[test]
fn a_failure_names_the_account_and_how_to_leave_it_out() {
    let d = in_account(
        Diagnostic::error("STS AssumeRole failed", "EntityNotExist.Role"),
        &account("2", "prod"),
    );
    assert_eq!(
        d.summary,
        "Cannot read account 2 (prod): STS AssumeRole failed"
    );
    assert!(
        d.detail.contains("add \"2\" to exclude_account_ids"),
        "{}",
        d.detail
    );
}

#[test]
fn an_exclusion_that_matches_no_account_is_a_warning_at_its_element() {
    let listed = [account("1", "mgmt"), account("2", "prod")];
    let me = account("9", "");
    let typo = OrgSelection {
        exclude_account_ids: vec!["2".into(), "20".into(), "9".into(), "3".into()],
        ..sel()
    };
    let warnings = unmatched_exclusions(&listed, &me, &typo);
    let at_of: Vec<_> = warnings.iter().map(|d| d.attribute.clone()).collect();
    assert_eq!(
        at_of,
        [
            Some(at("exclude_account_ids", 1)),
            Some(at("exclude_account_ids", 3))
        ]
    );
    assert!(warnings
        .iter()
        .all(|d| d.severity == crate::model::Severity::Warning));
    assert!(
        warnings[0].detail.contains("account 20")
            && warnings[0].detail.contains("matches no account"),
        "{}",
        warnings[0].detail
    );
    assert!(unmatched_exclusions(&listed, &me, &sel()).is_empty());
}

#[test]
fn the_id_says_what_was_read() {
    assert_eq!(id_of(&sel()), "members");
    let s = OrgSelection {
        account_ids: Some(vec!["2".into()]),
        exclude_account_ids: vec!["3".into()],
        ..sel()
    };
    assert_eq!(id_of(&s), "accounts:2-3");
    let keys = OrgSelection {
        access_key_ids: Some(vec![AccessKeyId::listed("K1"), AccessKeyId::listed("K2")]),
        ..sel()
    };
    assert_eq!(id_of(&keys), "members/keys:K1,K2");
}

#[test]
fn a_key_actiontrail_places_in_another_account_stops_the_read() {
    let key = |owner: Option<&str>| FleetKey {
        access_key_id: "LTAI5tMemberKey000000001".into(),
        user_name: "u".into(),
        status: crate::actiontrail::KeyStatus::Active,
        created: EpochMs::new(0),
        last_used_ms: None,
        last_used_service: None,
        last_used_ip: None,
        request_id: "R-info".into(),
        owner_account: owner.map(str::to_owned),
        age_days: 0,
        days_since_last_used: None,
    };
    let fleet = |owner: Option<&str>| Fleet {
        id: "all".into(),
        selected: vec![key(owner)],
        keys: vec![],
        users: 1,
        ram_request_ids: vec![],
        now: EpochMs::new(0),
    };
    let d = elsewhere(&fleet(Some("999")), "123").unwrap();
    assert!(
        d.detail
            .contains("belongs to account 999, but it was read as account 123's")
            && d.detail.contains("R-info"),
        "{}",
        d.detail
    );
    let d = elsewhere(&fleet(Some("1:role/x")), "123").unwrap();
    assert!(
        d.detail.contains("an AccountId that is not an account id"),
        "{}",
        d.detail
    );
    assert!(elsewhere(&fleet(Some("123\n")), "123").is_none());
    assert!(elsewhere(&fleet(None), "123").is_none());
}
