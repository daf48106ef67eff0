//! The fleet read behind `actiontrail_accesskeys`: which keys (RAM discovery, named users
//! or named keys), each joined with its last use, then filtered. The fleet gate over what
//! it read is in `fleet_gate`.
//!
//! Every call goes through the shared client, so a key also read by a single-key data
//! source in the same plan is asked about once, and the client's concurrency bound paces
//! the fan-out. Users are listed and their keys looked up in one pipeline, so the read
//! takes about ceil(calls / concurrency) round trips.

use crate::actiontrail::diagnostic::About;
use crate::actiontrail::AccessKeyLastUsedInfo;
use crate::actiontrail::{last_used_info, list_users, Client};
use crate::actiontrail::{KeyStatus, RamAccessKey};
use crate::data_sources::key::AccessKeyId;
use crate::model::{AttributePath, Diagnostic};
use crate::usage;
use crate::usage::EpochMs;
use futures::future::try_join_all;
use futures::stream::{self, StreamExt, TryStreamExt};
use futures::TryFutureExt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// The most keys one fleet read holds. RAM gives a user at most two AccessKeys, so this is
/// twice [`crate::actiontrail::list_users::MAX_USERS`]; more is a hostile or broken RAM endpoint, and
/// the read fails naming this cap instead of growing without bound.
pub const MAX_FLEET_KEYS: usize = 2 * crate::actiontrail::list_users::MAX_USERS;

/// The most keys one organisation read holds over all its accounts: five times the
/// largest single account's cap. More is a hostile or broken directory or RAM, and the read
/// fails naming this cap instead of growing without bound.
pub const MAX_ORGANIZATION_KEYS: usize = 5 * MAX_FLEET_KEYS;

/// Counts keys as RAM lists them, over every user of one read, against [`MAX_FLEET_KEYS`];
/// and, for an account of an organisation read, over every account against
/// [`MAX_ORGANIZATION_KEYS`].
#[derive(Default)]
struct KeyBudget {
    read: std::sync::atomic::AtomicUsize,
    organization: Option<Arc<AtomicUsize>>,
}

impl KeyBudget {
    fn take(&self, n: usize, path: Option<AttributePath>) -> Result<(), Diagnostic> {
        let before = self.read.fetch_add(n, Ordering::Relaxed);
        if before.saturating_add(n) > MAX_FLEET_KEYS {
            return Err(placed(
                Diagnostic::error(
                    "RAM lists more AccessKeys than the fleet read's cap",
                    format!(
                        "RAM's ListAccessKeys answers add up to more than {MAX_FLEET_KEYS} keys (the cap on one account's fleet read; RAM gives a user at most 2). The read stops here rather than present part of the fleet; check ram_endpoint, or narrow the read with user_names or access_key_ids."
                    ),
                ),
                path,
            ));
        }
        if let Some(all) = &self.organization {
            let before = all.fetch_add(n, Ordering::Relaxed);
            if before.saturating_add(n) > MAX_ORGANIZATION_KEYS {
                return Err(Diagnostic::error(
                    "The organisation holds more AccessKeys than the read's cap",
                    format!(
                        "RAM's ListAccessKeys answers over the accounts read add up to more than {MAX_ORGANIZATION_KEYS} keys (the cap on one actiontrail_organization_accesskeys read). The read stops here rather than present part of the organisation; narrow it with account_ids or exclude_account_ids, one read per group of accounts."
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// Which keys to read, and what to keep of them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Selection {
    /// Only these RAM users' keys (no ListUsers).
    pub user_names: Option<Vec<String>>,
    /// Exactly these keys (no discovery; RAM is asked only for their users' listings).
    pub access_key_ids: Option<Vec<AccessKeyId>>,
    /// Keep keys of this status.
    pub status: Option<KeyStatus>,
    /// Keep keys not used within this long (never-used keys included).
    pub unused_for: Option<Duration>,
    /// Keep keys used within this long.
    pub used_within: Option<Duration>,
    /// Fail when any selected key was used within this long.
    pub fail_if_any_used_within: Option<Duration>,
}

/// One key of the fleet and its last use.
#[derive(Clone, Debug, PartialEq)]
pub struct FleetKey {
    /// The AccessKey ID.
    pub access_key_id: String,
    /// Its RAM user.
    pub user_name: String,
    /// As RAM lists it.
    pub status: KeyStatus,
    /// Creation time, epoch milliseconds.
    pub created: EpochMs,
    /// Last use; `None` when never used (as far as ActionTrail knows).
    pub last_used_ms: Option<usage::UsedTimestamp>,
    /// The service it last called.
    pub last_used_service: Option<String>,
    /// The IP it last called from (from the event in `Detail`).
    pub last_used_ip: Option<String>,
    /// The GetAccessKeyLastUsedInfo request id.
    pub request_id: String,
    /// The account ActionTrail says owns the key, when it says.
    pub owner_account: Option<String>,
    /// Whole days since creation, as of the read.
    pub age_days: i64,
    /// Whole days since the last use, as of the read; `None` when never used.
    pub days_since_last_used: Option<i64>,
}

impl FleetKey {
    /// Whether it was used within `window` of `now`.
    pub fn used_within(&self, window: Duration, now: EpochMs) -> bool {
        self.last_used_ms.is_some_and(|t| t.elapsed(now) < window)
    }
}

/// What the read found.
#[derive(Clone, Debug, PartialEq)]
pub struct Fleet {
    /// What was selected: `all`, `users:<names>` or `keys:<ids>`.
    pub id: String,
    /// Every selected key, before the filters.
    pub selected: Vec<FleetKey>,
    /// The keys the filters kept, in selection order.
    pub keys: Vec<FleetKey>,
    /// RAM users whose keys were listed.
    pub users: usize,
    /// The request ids of every RAM call (ListUsers pages, then ListAccessKeys).
    pub ram_request_ids: Vec<String>,
    /// When the read ran, epoch milliseconds.
    pub now: EpochMs,
}

fn at(name: &str, index: Option<usize>) -> Option<AttributePath> {
    let p = AttributePath::root(name);
    Some(match index {
        Some(i) => p.index(i64::try_from(i).unwrap_or(i64::MAX)),
        None => p,
    })
}

fn placed(d: Diagnostic, path: Option<AttributePath>) -> Diagnostic {
    match path {
        Some(p) => d.at(p),
        None => d,
    }
}

/// The keys of `user`, as RAM lists them, with the diagnostic placed at `path`.
async fn keys_of(
    client: &Client,
    user: &str,
    path: Option<AttributePath>,
    budget: &KeyBudget,
) -> Result<(Vec<RamAccessKey>, String), Diagnostic> {
    let listing = client
        .diagnosed(
            "ListAccessKeys",
            About::User(user),
            client.list_ram_access_keys(user),
        )
        .await
        .map_err(|d| placed(d, path.clone()))?;
    budget.take(listing.keys.len(), path)?;
    Ok((listing.keys, listing.request_id))
}

/// `run(i)` for each `i` in `0..n`, at most `width` at once, the results in the order of
/// `i` whatever order they finish in; the first error to happen ends them all.
async fn bounded_in_order<T, Fut>(
    n: usize,
    width: usize,
    mut run: impl FnMut(usize) -> Fut,
) -> Result<Vec<T>, Diagnostic>
where
    Fut: std::future::Future<Output = Result<T, Diagnostic>>,
{
    let mut done: Vec<(usize, T)> = stream::iter(0..n)
        .map(|i| run(i).map_ok(move |t| (i, t)))
        .buffer_unordered(width)
        .try_collect()
        .await?;
    done.sort_unstable_by_key(|(i, _)| *i);
    Ok(done.into_iter().map(|(_, t)| t).collect())
}

/// The keys of `user`, each joined with its last use.
async fn user_keys(
    client: &Client,
    user: &str,
    path: Option<AttributePath>,
    budget: &KeyBudget,
) -> Result<(Vec<FleetKey>, String), Diagnostic> {
    let (keys, request_id) = keys_of(client, user, path.clone(), budget).await?;
    let joined = try_join_all(keys.iter().map(|k| joined(client, user, k, path.clone())));
    Ok((joined.await?, request_id))
}

async fn joined(
    client: &Client,
    user: &str,
    key: &RamAccessKey,
    path: Option<AttributePath>,
) -> Result<FleetKey, Diagnostic> {
    let id = &AccessKeyId::listed(&key.access_key_id);
    let info = client
        .diagnosed(
            last_used_info::ACTION,
            About::Key(id.as_str()),
            client.get_access_key_last_used_info(id),
        )
        .await
        .map_err(|d| placed(d, path.clone()))?;
    let created = key.created().map_err(|why| {
        placed(
            Diagnostic::error("RAM answered an unreadable CreateDate", why),
            path.clone(),
        )
    })?;
    Ok(join(id, user, key.status, created, &info))
}

/// A key as the fleet shows it: named by the id asked about (RAM's, or the argument's),
/// never by ActionTrail's echo of it, which may carry whitespace (the reference's own
/// example ends it with a newline).
fn join(
    id: &AccessKeyId,
    user: &str,
    status: KeyStatus,
    created: EpochMs,
    info: &AccessKeyLastUsedInfo,
) -> FleetKey {
    let last_used_ms = info.used_timestamp;
    let event = usage::parse_event(info.detail.as_deref());
    FleetKey {
        access_key_id: id.as_str().to_owned(),
        user_name: user.to_owned(),
        status,
        created,
        last_used_ms,
        last_used_service: last_used_ms.and(info.service_name.clone()),
        last_used_ip: last_used_ms.and(event.and_then(|e| e.source_ip_address)),
        request_id: info.request_id.clone(),
        owner_account: info.account_id.clone(),
        age_days: 0,
        days_since_last_used: None,
    }
}

/// A key whose last use, as ActionTrail dates it, comes before RAM's creation of the key
/// (less the clock skew): one of the two times is wrong, and a gate on a wrong time may
/// open, so neither is taken.
fn used_before_created(k: &FleetKey) -> Option<Diagnostic> {
    let used = k.last_used_ms?;
    (used.ms() < k.created.ms().saturating_sub(usage::CLOCK_SKEW_MS)).then(|| {
        let created = k.created.rfc3339();
        Diagnostic::error(
            "ActionTrail dates a use before the key existed",
            format!(
                "ActionTrail says AccessKey {} was last used at {} (request id {}), before RAM says it was created, at {}. One of the two answers is wrong, so the key's last use cannot be told; the read stops rather than gate on either.",
                k.access_key_id,
                used.rfc3339(),
                k.request_id,
                created.as_deref().unwrap_or("a time RFC 3339 cannot spell")
            ),
        )
    })
}

/// Reads the selected keys and their last use; then filters. Any failed call fails the
/// read: a partial fleet is never presented as the whole.
pub async fn read(client: &Client, sel: &Selection) -> Result<Fleet, Diagnostic> {
    read_counting(client, sel, None).await
}

/// [`read`], counting the keys listed into `organization` too: one account of an
/// organisation read, held with the others to [`MAX_ORGANIZATION_KEYS`].
pub async fn read_counting(
    client: &Client,
    sel: &Selection,
    organization: Option<Arc<AtomicUsize>>,
) -> Result<Fleet, Diagnostic> {
    let now = EpochMs::now();
    let mut ram_request_ids = Vec::new();
    let budget = &KeyBudget {
        read: AtomicUsize::new(0),
        organization,
    };
    let (selected, users) = if let Some(ids) = &sel.access_key_ids {
        read_named_keys(client, ids, &mut ram_request_ids, budget).await?
    } else {
        let (users, from_arg) = match &sel.user_names {
            Some(names) => (names.clone(), true),
            None => {
                let listing = client
                    .diagnosed("ListUsers", About::Users, client.list_ram_users())
                    .await?;
                ram_request_ids.extend(listing.request_ids);
                (
                    listing.users.into_iter().map(|u| u.user_name).collect(),
                    false,
                )
            }
        };
        // At most `max_concurrency` users in flight: more could not send any sooner, and
        // each one waiting holds its future (an organisation's 10,000 users at once were
        // most of the read's memory).
        let users = &users;
        let per_user = bounded_in_order(users.len(), client.max_concurrency(), |i| {
            let path = from_arg.then(|| at("user_names", Some(i))).flatten();
            user_keys(client, &users[i], path, budget)
        })
        .await?;
        let mut all = Vec::new();
        for (keys, request_id) in per_user {
            ram_request_ids.push(request_id);
            all.extend(keys);
        }
        (all, users.len())
    };
    let mut selected = selected;
    for k in &mut selected {
        k.age_days = k.created.whole_days(now);
        k.days_since_last_used = k.last_used_ms.map(|t| t.whole_days(now));
    }
    // Each key is named by the id RAM listed or the argument gave (never empty, and the
    // arguments refuse a repeat), so a key seen twice is one RAM listed under two users:
    // it would be read, counted and reported twice, under two owners.
    let mut seen = std::collections::HashSet::new();
    for k in &selected {
        if let Some(d) = used_before_created(k) {
            return Err(d);
        }
        if !seen.insert(k.access_key_id.as_str()) {
            return Err(Diagnostic::error(
                "RAM listed one AccessKey under two users",
                format!(
                    "RAM ListAccessKeys listed AccessKey {} for more than one RAM user ({} among them), and a key belongs to one user: the listing cannot be trusted, so the read stops rather than report the key twice. Request ids: {}.",
                    k.access_key_id,
                    k.user_name,
                    ram_request_ids.join(", ")
                ),
            ));
        }
    }
    let keys = selected
        .iter()
        .filter(|k| sel.status.is_none_or(|s| k.status == s))
        .filter(|k| sel.unused_for.is_none_or(|w| !k.used_within(w, now)))
        .filter(|k| sel.used_within.is_none_or(|w| k.used_within(w, now)))
        .cloned()
        .collect();
    let id = match (&sel.access_key_ids, &sel.user_names) {
        (Some(ids), _) => format!("keys:{}", joined_ids(ids)),
        (None, Some(names)) => format!("users:{}", names.join(",")),
        (None, None) => "all".to_owned(),
    };
    Ok(Fleet {
        id,
        selected,
        keys,
        users,
        ram_request_ids,
        now,
    })
}

/// `access_key_ids`: each key's owner comes from ActionTrail, its status and creation
/// date from RAM's listing of that owner, which must list it.
async fn read_named_keys(
    client: &Client,
    ids: &[AccessKeyId],
    ram_request_ids: &mut Vec<String>,
    budget: &KeyBudget,
) -> Result<(Vec<FleetKey>, usize), Diagnostic> {
    let found = try_join_all(ids.iter().enumerate().map(|(i, id)| async move {
        let path = at("access_key_ids", Some(i));
        let info = client
            .diagnosed(last_used_info::ACTION, About::Key(id.as_str()), client.get_access_key_last_used_info(id))
            .await
            .map_err(|d| placed(d, path.clone()))?;
        let user = match (info.account_type.as_deref(), info.user_name.as_deref()) {
            (Some("ram-user"), Some(u)) if !id.is_sts() => match list_users::user_name_fault(u) {
                None => u.to_owned(),
                Some(fault) => {
                    let err = list_users::untrusted(
                        last_used_info::ACTION,
                        &info.request_id,
                        format!("it names the key's RAM user with {fault}"),
                    );
                    let about = About::Key(id.as_str());
                    let d = about.diagnostic(last_used_info::ACTION, &err, client.max_retries());
                    return Err(placed(d, path));
                }
            },
            (kind, _) => {
                return Err(placed(
                    Diagnostic::error(
                        "Not a RAM user's AccessKey",
                        format!(
                            "ActionTrail says {id} belongs to a {} (request id {}); RAM lists only RAM users' AccessKeys, so its status and creation date cannot be read. Remove it from access_key_ids, and audit it with actiontrail_accesskey_last_used.",
                            kind.unwrap_or("principal of unknown type"),
                            info.request_id
                        ),
                    ),
                    path,
                ))
            }
        };
        let (keys, request_id) = keys_of(client, &user, path.clone(), budget).await?;
        let Some(key) = keys.iter().find(|k| *id == *k.access_key_id) else {
            return Err(placed(
                Diagnostic::error(
                    "RAM does not list this AccessKey",
                    format!(
                        "ActionTrail says {id} belongs to RAM user {user:?}, but RAM ListAccessKeys for that user (request id {request_id}) does not list it: it may have been deleted, or belong to another account than the caller's. Check access_key_ids."
                    ),
                ),
                path,
            ));
        };
        let created = key.created().map_err(|why| {
            placed(
                Diagnostic::error("RAM answered an unreadable CreateDate", why),
                path.clone(),
            )
        })?;
        Ok((join(id, &user, key.status, created, &info), request_id))
    }))
    .await?;
    let mut users: Vec<&str> = Vec::new();
    let mut keys = Vec::new();
    for (k, request_id) in found {
        if !ram_request_ids.contains(&request_id) {
            ram_request_ids.push(request_id);
        }
        keys.push(k);
    }
    for k in &keys {
        if !users.contains(&k.user_name.as_str()) {
            users.push(&k.user_name);
        }
    }
    let n = users.len();
    Ok((keys, n))
}

/// `ids`, comma-separated, for an `id` attribute.
pub(super) fn joined_ids(ids: &[AccessKeyId]) -> String {
    let ids: Vec<&str> = ids.iter().map(AccessKeyId::as_str).collect();
    ids.join(",")
}

#[cfg(test)]
#[path = "fleet_tests.rs"]
mod tests;
