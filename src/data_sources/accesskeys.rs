//! `actiontrail_accesskeys`: the AccessKeys of the caller's account, each joined with its
//! last use, filtered, with the fleet gate. Discovery through RAM (ListUsers, every page,
//! and ListAccessKeys per user), or only the users in `user_names`, or exactly the keys
//! in `access_key_ids`; the read itself is [`crate::data_sources::fleet`].

use crate::actiontrail::Client;
use crate::actiontrail::KeyStatus;
use crate::data_sources::fleet::{self, Fleet, FleetKey, Selection};
use crate::data_sources::fleet_gate;
use crate::data_sources::key::{AccessKeyId, NOT_AN_ACCESS_KEY_ID};
use crate::data_sources::uses;
use crate::framework::args::{self, Argument, At, Reads};
use crate::framework::attribute::{Field, Fields};
use crate::framework::data_source::DataSource;
use crate::model::{AttributePath, Diagnostic, Type, Value};
use crate::usage;
use crate::usage::duration;
use std::borrow::Borrow;
use std::time::Duration;

/// The data source.
pub struct AccessKeys;

const USER_NAMES: &str = "user_names";
/// The `access_key_ids` argument, which both fleet data sources take.
pub(super) const ACCESS_KEY_IDS: &str = "access_key_ids";
const STATUS: &str = "status";
const UNUSED_FOR: &str = "unused_for";
const USED_WITHIN: &str = "used_within";
const FAIL_IF_ANY_USED_WITHIN: &str = "fail_if_any_used_within";

/// The attributes of one key in `keys`, for any item that holds a [`FleetKey`] (the
/// organisation read's keys carry their account beside it).
pub(super) fn key_fields<K: Borrow<FleetKey> + 'static>() -> Fields<K> {
    fn of_key<K: Borrow<FleetKey> + 'static>(
        ty: Type,
        name: &'static str,
        description: &'static str,
        get: fn(&FleetKey) -> Value,
    ) -> Field<K> {
        Field::computed(name, ty, description, move |k: &K| get(k.borrow()))
    }
    let s = |name, description, get| of_key::<K>(Type::String, name, description, get);
    let n = |name, description, get| of_key::<K>(Type::Number, name, description, get);
    Fields::new()
        .with(s("access_key_id", "the AccessKey ID", |k| {
            Value::string(k.access_key_id.clone())
        }))
        .with(s("user_name", "the RAM user it belongs to", |k| {
            Value::string(k.user_name.clone())
        }))
        .with(s("status", "`Active` or `Inactive`, as RAM lists it", |k| {
            Value::string(k.status.as_str())
        }))
        .with(s("create_date", "when it was created, RFC 3339 UTC", |k| {
            Value::opt_string(k.created.rfc3339())
        }))
        .with(n("age_days", "whole days since it was created", |k| {
            Value::int(k.age_days)
        }))
        .with(Field::computed(
            "used",
            Type::Bool,
            "whether ActionTrail has any use of it",
            |k: &K| Value::Bool(k.borrow().last_used_ms.is_some()),
        ))
        .with(s("last_used_at", "its last use, RFC 3339 UTC; null when never used", |k| {
            Value::opt_string(k.last_used_ms.map(usage::UsedTimestamp::rfc3339))
        }))
        .with(n("last_used_timestamp", "its last use, epoch milliseconds; null when never used", |k| {
            Value::opt_int(k.last_used_ms.map(usage::UsedTimestamp::ms))
        }))
        .with(n("days_since_last_used", "whole days since its last use; null when never used", |k| {
            Value::opt_int(k.days_since_last_used)
        }))
        .with(s("last_used_service", "the service it last called (e.g. `Ecs`); null when never used", |k| {
            Value::opt_string(k.last_used_service.clone())
        }))
        .with(s("last_used_ip", "the IP it was last used from, from the ActionTrail event; null when never used or unknown", |k| {
            Value::opt_string(k.last_used_ip.clone())
        }))
}

#[async_trait::async_trait]
impl DataSource for AccessKeys {
    type Client = Client;
    type Config = Selection;
    type Answer = Fleet;

    const TYPE_NAME: &'static str = "actiontrail_accesskeys";
    const DESCRIPTION: &'static str = "The AccessKeys of the caller's account, each joined with its last use: every RAM user's keys (RAM ListUsers and ListAccessKeys), those of the users named, or exactly the keys named; filtered by status and idleness, with a fleet gate that fails the plan listing every selected key used recently. One read is capped, so a hostile or broken RAM endpoint cannot grow it without bound: at most 10,000 users, 100 ListUsers pages and 64 MiB of ListUsers answers (each answer at most 16 MiB), and 20,000 keys; past a cap, or on contradictory paging (`IsTruncated` false with a `Marker`, true without one, a `Marker` repeated), the read fails with an error naming it, never a partial fleet.";
    const GUIDE: &'static str = "## Permissions and calls\n\nDiscovery calls RAM `ListUsers` (every page) and `ListAccessKeys` once per user, then ActionTrail `GetAccessKeyLastUsedInfo` once per key; the caller needs `ram:ListUsers`, `ram:ListAccessKeys` and `actiontrail:GetAccessKeyLastUsedInfo`. With `user_names`, `ListUsers` is not called; with `access_key_ids`, each key's owner comes from ActionTrail and RAM lists only that owner's keys. Calls run concurrently up to the provider's `max_concurrency` and are shared with the single-key data sources of the same plan. Any failed call fails the read: a partial fleet is never presented as the whole.\n\n## The fleet gate\n\n`fail_if_any_used_within` looks at every selected key (before the `status`, `unused_for` and `used_within` filters) and fails the read with one diagnostic listing each key used within the window: its user, service, IP and when.\n";

    fn fields() -> Fields<Fleet> {
        Fields::new()
            .with(USERS.field())
            .with(KEYS.field())
            .and(filter_arguments("The fleet gate: fail the read, listing every selected key used within this long (`30d`, `720h`, or a number of days), with its user, service, IP and time."))
            .with(Field::computed("id", Type::String, "What was selected: `all`, `users:<names>` or `keys:<ids>`.", |a: &Fleet| Value::string(a.id.clone())))
            .with(Field::list("keys", "The keys the filters kept, in RAM's order of users and keys (or the order of `access_key_ids`)", key_fields(), |a: &Fleet| a.keys.as_slice()))
            .with(matching_access_key_ids(|a: &Fleet| &a.keys))
            .and(kept_counts(|a: &Fleet| &a.keys))
            .with(Field::count("selected_count", "How many keys were selected before the filters.", |a| a.selected.len()))
            .with(Field::count("user_count", "How many RAM users' keys were listed.", |a| a.users))
            .with(uses::freshness_note())
            .with(Field::computed("ram_request_ids", Type::list(Type::String), "Request IDs of the RAM calls made (ListUsers pages, then ListAccessKeys).", |a: &Fleet| {
                Value::List(a.ram_request_ids.iter().map(Value::string).collect())
            }))
    }

    fn parse(config: &Value, diags: &mut Vec<Diagnostic>) -> Option<Selection> {
        let user_names = USERS.optional(config, diags);
        let access_key_ids = KEYS.optional(config, diags);
        if let (Some(Some(_)), Some(Some(_))) = (&user_names, &access_key_ids) {
            diags.push(args::invalid(ACCESS_KEY_IDS, &AttributePath::root(ACCESS_KEY_IDS), "access_key_ids and user_names both select keys: set one of them (access_key_ids for exactly those keys, user_names for every key of those users)."));
        }
        let filters = filters(config, diags);
        if crate::model::diag::has_errors(diags) {
            return None;
        }
        Some(Selection {
            user_names: user_names?,
            access_key_ids: access_key_ids?,
            ..filters?
        })
    }

    async fn read(client: &Client, sel: &Selection) -> Result<Fleet, Diagnostic> {
        tracing::debug!(users = ?sel.user_names, keys = ?sel.access_key_ids, "reading {}", Self::TYPE_NAME);
        fleet::read(client, sel).await
    }

    fn check(sel: &Selection, fleet: &Fleet) -> Vec<Diagnostic> {
        sel.fail_if_any_used_within
            .and_then(|w| fleet_gate::gate(fleet, w))
            .into_iter()
            .collect()
    }
}

/// The filters and the gate every fleet read takes, as arguments: `status`, `unused_for`,
/// `used_within`, and `fail_if_any_used_within`, whose description `gate` says what a
/// failed gate lists.
pub(super) fn filter_arguments<A>(gate: &'static str) -> [Field<A>; 4] {
    [
        KEY_STATUS.field(),
        UNUSED.field(),
        USED.field(),
        ANY_USED.field_described(gate),
    ]
}

/// `matching_access_key_ids`: the ids of the keys the filters kept, `kept(answer)`.
pub(super) fn matching_access_key_ids<A: 'static, K: Borrow<FleetKey> + 'static>(
    kept: fn(&A) -> &[K],
) -> Field<A> {
    Field::computed(
        "matching_access_key_ids",
        Type::list(Type::String),
        "The AccessKey IDs of `keys`, in its order.",
        move |a: &A| {
            Value::List(
                kept(a)
                    .iter()
                    .map(|k| Value::string(k.borrow().access_key_id.clone()))
                    .collect(),
            )
        },
    )
}

/// How many keys the filters kept, `kept(answer)`, and how many of them were ever and never
/// used.
pub(super) fn kept_counts<A: 'static, K: Borrow<FleetKey> + 'static>(
    kept: fn(&A) -> &[K],
) -> [Field<A>; 3] {
    // `used`: all of them (None), or those ever used or never used.
    let count = move |used: Option<bool>| {
        move |a: &A| {
            let n = kept(a)
                .iter()
                .map(Borrow::<FleetKey>::borrow)
                .filter(|k| used.is_none_or(|u| k.last_used_ms.is_some() == u))
                .count();
            Value::int(i64::try_from(n).unwrap_or(i64::MAX))
        }
    };
    [
        Field::computed(
            "key_count",
            Type::Number,
            "How many keys `keys` holds.",
            count(None),
        ),
        Field::computed(
            "used_count",
            Type::Number,
            "How many of `keys` were ever used (as far as ActionTrail knows).",
            count(Some(true)),
        ),
        Field::computed(
            "never_used_count",
            Type::Number,
            "How many of `keys` were never used (as far as ActionTrail knows).",
            count(Some(false)),
        ),
    ]
}

/// The filters and the gate every fleet read takes (`status`, `unused_for`, `used_within`,
/// `fail_if_any_used_within`), as a selection of every key; `None` when one is unknown or
/// invalid.
pub(super) fn filters(config: &Value, diags: &mut Vec<Diagnostic>) -> Option<Selection> {
    let status = KEY_STATUS.optional(config, diags);
    let unused_for = UNUSED.optional(config, diags);
    let used_within = USED.optional(config, diags);
    let gate = ANY_USED.optional(config, diags);
    Some(Selection {
        user_names: None,
        access_key_ids: None,
        status: status?,
        unused_for: unused_for?,
        used_within: used_within?,
        fail_if_any_used_within: gate?,
    })
}

/// `user_names`: RAM user names.
const USERS: Argument<Vec<String>> = Argument::new(
    USER_NAMES,
    "Only the keys of these RAM users (RAM ListUsers is then not called). Conflicts with `access_key_ids`. Default: every RAM user of the account.",
    Reads::TextList(|items, at| {
        let user_name = |n: &str| args::is_name(n, 64, b"._-@").then(|| n.to_owned());
        names(
            items,
            at,
            "select every key of the account",
            user_name,
            "is not a RAM user name (1 to 64 letters, digits or . _ - @)",
        )
    }),
);

/// `access_key_ids`: exactly these keys of the account.
const KEYS: Argument<Vec<AccessKeyId>> = Argument::new(
    ACCESS_KEY_IDS,
    "Exactly these keys (no discovery); each must be a RAM user's key that RAM lists. Conflicts with `user_names`.",
    Reads::TextList(|items, at| {
        names(
            items,
            at,
            "select every key of the account",
            AccessKeyId::parse,
            NOT_AN_ACCESS_KEY_ID,
        )
    }),
);

/// `status`: as RAM writes it.
const KEY_STATUS: Argument<KeyStatus> = Argument::new(
    STATUS,
    "Keep only keys of this status: `Active` or `Inactive`.",
    Reads::Text(|s, at| match s {
        "Active" => Some(KeyStatus::Active),
        "Inactive" => Some(KeyStatus::Inactive),
        other => at.invalid(format!(
            "status {other:?} is neither \"Active\" nor \"Inactive\" (as RAM writes them)."
        )),
    }),
);

/// `unused_for`.
const UNUSED: Argument<Duration> = Argument::new(
    UNUSED_FOR,
    "Keep only keys not used within this long (`90d`, `2160h`, `12w` or a number of days); never-used keys are kept.",
    Reads::Text(window),
);

/// `used_within`.
const USED: Argument<Duration> = Argument::new(
    USED_WITHIN,
    "Keep only keys used within this long (`30d`, `720h`, or a number of days).",
    Reads::Text(window),
);

/// `fail_if_any_used_within`, the fleet gate (each fleet data source describes what its
/// failed gate lists).
const ANY_USED: Argument<Duration> =
    Argument::new(FAIL_IF_ANY_USED_WITHIN, "", Reads::Text(window));

/// A list of strings `parse` accepts, none twice, at least one: an empty list is refused,
/// saying that leaving it out would `when_absent`; a string `parse` refuses is reported as
/// `"<it>" <why>.`, at its item. `None` when one is unknown or invalid.
pub(super) fn names<T: PartialEq>(
    items: &[Value],
    at: &mut At<'_>,
    when_absent: &str,
    parse: impl Fn(&str) -> Option<T>,
    why: &str,
) -> Option<Vec<T>> {
    let name = at.name();
    if items.is_empty() {
        return at.invalid(format!("{name} is empty; remove it to {when_absent}."));
    }
    let not_text = |other: &Value| format!("{name} must hold strings, not a {}.", other.kind());
    each_once(items, at, parse, why, not_text)
}

/// Each of `items` of a list argument parsed, none twice; a string `parse` refuses is
/// reported as `"<it>" <why>.`, an item that is no string as `not_text` says, each at its
/// item. `None` when one is unknown (the caller fails on the diagnostics of an invalid one).
pub(crate) fn each_once<T: PartialEq>(
    items: &[Value],
    at: &mut At<'_>,
    parse: impl Fn(&str) -> Option<T>,
    why: &str,
    not_text: impl Fn(&Value) -> String,
) -> Option<Vec<T>> {
    let mut out = Vec::new();
    let mut known = true;
    for (i, item) in items.iter().enumerate() {
        match item {
            Value::Unknown => known = false,
            Value::String(s) => match parse(s) {
                None => at.invalid_item(i, format!("{s:?} {why}.")),
                Some(t) if out.contains(&t) => {
                    at.invalid_item(i, format!("{s:?} is listed twice in {}.", at.name()));
                }
                Some(t) => out.push(t),
            },
            other => at.invalid_item(i, not_text(other)),
        }
    }
    known.then_some(out)
}

/// A duration argument's check.
fn window(text: &str, at: &mut At<'_>) -> Option<Duration> {
    let name = at.name();
    duration::parse_window(text)
        .map_err(|e| at.invalid::<()>(format!("{name} {e}.")))
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::data_source::{Entry, Registered as _};

    fn config(set: &[(&str, Value)]) -> Value {
        let mut m: std::collections::BTreeMap<String, Value> = Entry::<AccessKeys>::new()
            .schema()
            .block
            .attributes
            .iter()
            .filter(|a| a.optional)
            .map(|a| (a.name.clone(), Value::Null))
            .collect();
        for (k, v) in set {
            m.insert((*k).into(), v.clone());
        }
        Value::Object(m)
    }

    fn paths(c: &Value) -> Vec<Option<AttributePath>> {
        let mut diags = Vec::new();
        AccessKeys::parse(c, &mut diags);
        diags.into_iter().map(|d| d.attribute).collect()
    }

    #[test]
    fn each_bad_argument_is_reported_at_its_path_and_index() {
        let list = |v: &[&str]| Value::List(v.iter().map(|s| Value::string(*s)).collect());
        let root = AttributePath::root;
        let cases = [
            (
                config(&[(UNUSED_FOR, Value::string("soon"))]),
                root(UNUSED_FOR),
            ),
            (
                config(&[(USED_WITHIN, Value::string("0"))]),
                root(USED_WITHIN),
            ),
            (
                config(&[(FAIL_IF_ANY_USED_WITHIN, Value::string(""))]),
                root(FAIL_IF_ANY_USED_WITHIN),
            ),
            (config(&[(STATUS, Value::string("active"))]), root(STATUS)),
            (
                config(&[(USER_NAMES, list(&["a", "b", "a"]))]),
                root(USER_NAMES).index(2),
            ),
            (
                config(&[(USER_NAMES, list(&["ok", "no spaces"]))]),
                root(USER_NAMES).index(1),
            ),
            (config(&[(USER_NAMES, list(&[]))]), root(USER_NAMES)),
            (
                config(&[(ACCESS_KEY_IDS, list(&["short"]))]),
                root(ACCESS_KEY_IDS).index(0),
            ),
            (
                config(&[
                    (USER_NAMES, list(&["a"])),
                    (ACCESS_KEY_IDS, list(&["LTAI5tRecentUse000000001"])),
                ]),
                root(ACCESS_KEY_IDS),
            ),
        ];
        for (c, want) in cases {
            assert_eq!(paths(&c), vec![Some(want.clone())], "{want:?}");
        }
    }

    #[test]
    fn unknowns_pass_validation_and_defer_the_read() {
        let c = config(&[
            (
                USER_NAMES,
                Value::List(vec![Value::string("a"), Value::Unknown]),
            ),
            (UNUSED_FOR, Value::Unknown),
        ]);
        let mut diags = Vec::new();
        assert_eq!(AccessKeys::parse(&c, &mut diags), None);
        assert!(diags.is_empty(), "{diags:?}");
        let mut diags = Vec::new();
        let sel =
            AccessKeys::parse(&config(&[(UNUSED_FOR, Value::string("90d"))]), &mut diags).unwrap();
        assert_eq!(sel.unused_for, Some(Duration::from_secs(90 * 86_400)));
        assert_eq!(sel.user_names, None);
    }

    #[test]
    fn the_state_conforms_to_the_schema_and_counts_what_keys_holds() {
        let now = 1_800_000_000_000;
        let k = |id: &str, used: Option<i64>| FleetKey {
            access_key_id: id.into(),
            user_name: "u".into(),
            status: KeyStatus::Active,
            created: usage::EpochMs::new(now - 10 * 86_400_000),
            last_used_ms: used.map(usage::UsedTimestamp::fixture),
            last_used_service: used.map(|_| "Ecs".into()),
            last_used_ip: None,
            request_id: "R".into(),
            owner_account: None,
            age_days: 10,
            days_since_last_used: used.map(|_| 1),
        };
        let fleet = Fleet {
            id: "all".into(),
            selected: vec![k("A", Some(now - 86_400_000)), k("B", None), k("C", None)],
            keys: vec![k("A", Some(now - 86_400_000)), k("B", None)],
            users: 1,
            ram_request_ids: vec!["R0".into()],
            now: usage::EpochMs::new(now),
        };
        let entry = Entry::<AccessKeys>::new();
        let st = entry.state(&config(&[]), &fleet);
        crate::model::msgpack::encode(&st, entry.schema().value_type()).expect("conforms");
        assert_eq!(st.get("key_count"), Some(&Value::int(2)));
        assert_eq!(st.get("used_count"), Some(&Value::int(1)));
        assert_eq!(st.get("never_used_count"), Some(&Value::int(1)));
        assert_eq!(st.get("selected_count"), Some(&Value::int(3)));
        let keys = st.get("keys").and_then(Value::as_elements).unwrap();
        assert_eq!(keys[1].get("last_used_at"), Some(&Value::Null));
        assert_eq!(keys[0].get("used"), Some(&Value::Bool(true)));
        assert_eq!(
            keys[0].get("create_date"),
            Some(&Value::string("2027-01-05T08:00:00Z"))
        );
    }
}
