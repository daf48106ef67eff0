//! The organisation read behind `actiontrail_organization_accesskeys`: every member account
//! of the caller's Resource Directory (ResourceManager ListAccounts, every page), each read
//! through a role assumed in it (STS AssumeRole into `acs:ram::<member>:role/<role_name>`) as
//! the fleet read reads one account; the caller's own account (the management account)
//! with the caller's own credentials, when asked.
//!
//! Every account is read at once: each member's calls are signed by its own role, so each
//! has its own quota, and the client's pacing (per API and account) and concurrency bound
//! spread the calls over all of them. An account that cannot be read fails the whole read,
//! naming it: a partial organisation is never presented as the whole.

use crate::actiontrail::diagnostic::About;
use crate::actiontrail::list_accounts::{self, DirectoryAccount};
use crate::actiontrail::{get_caller_identity, AssumeRoleConfig, Client};
use crate::data_sources::fleet::{self, Fleet, FleetKey, Selection};
use crate::data_sources::fleet_gate;
use crate::data_sources::key::AccessKeyId;
use crate::model::{AttributePath, Diagnostic};
use crate::usage::EpochMs;
use futures::future::try_join_all;
use std::borrow::Borrow;
use std::collections::HashSet;
use std::sync::atomic::AtomicUsize;
use std::sync::Arc;

/// The role every Resource Directory member has, trusted by the management account.
pub const DEFAULT_ROLE_NAME: &str = "ResourceDirectoryAccountAccessRole";
/// The RoleSessionName of the sessions the read opens, as members' ActionTrail logs show it.
pub const SESSION_NAME: &str = "actiontrail-organization-read";

/// Which accounts to read, and what to keep of their keys.
#[derive(Clone, Debug, PartialEq)]
pub struct OrgSelection {
    /// Only these members (each must be listed); `None` is every member.
    pub account_ids: Option<Vec<String>>,
    /// Members left out.
    pub exclude_account_ids: Vec<String>,
    /// Whether the caller's own account (the management account) is read too.
    pub include_management_account: bool,
    /// The role assumed in each member.
    pub role_name: String,
    /// Only these keys, wherever they are (each must be found in an account read).
    pub access_key_ids: Option<Vec<AccessKeyId>>,
    /// The filters and the gate, applied to every account's keys.
    pub filters: Selection,
}

/// One key of the organisation, with its account.
#[derive(Clone, Debug, PartialEq)]
pub struct OrgKey {
    /// The account it belongs to.
    pub account_id: String,
    /// That account's display name in the directory.
    pub account_name: Option<String>,
    /// The key and its last use.
    pub key: FleetKey,
}

impl Borrow<FleetKey> for OrgKey {
    fn borrow(&self) -> &FleetKey {
        &self.key
    }
}

/// One account as read.
#[derive(Clone, Debug, PartialEq)]
pub struct AccountRead {
    /// Its id.
    pub account_id: String,
    /// Its display name.
    pub display_name: Option<String>,
    /// Whether it is the caller's own (management) account.
    pub management: bool,
    /// RAM users listed.
    pub users: usize,
    /// Keys selected in it (before the filters).
    pub selected: usize,
    /// Keys the filters kept.
    pub keys: usize,
}

/// What the read found.
#[derive(Clone, Debug, PartialEq)]
pub struct Organization {
    /// `organization`, or `accounts:<ids>`, with `-<excluded ids>` when some were excluded.
    pub id: String,
    /// The caller's (management) account.
    pub management_account_id: String,
    /// The accounts read, in the directory's order (or the order of `account_ids`).
    pub accounts: Vec<AccountRead>,
    /// The keys the filters kept.
    pub keys: Vec<OrgKey>,
    /// The keys selected that the filters did not keep (the gate looks at them too).
    pub others: Vec<OrgKey>,
    /// The request id of each ListAccounts page.
    pub list_accounts_request_ids: Vec<String>,
    /// When the read ran, epoch milliseconds.
    pub now: EpochMs,
    /// A warning for each `exclude_account_ids` entry that names no account of the
    /// directory.
    pub warnings: Vec<Diagnostic>,
}

fn at(name: &str, index: usize) -> AttributePath {
    AttributePath::root(name).index(i64::try_from(index).unwrap_or(i64::MAX))
}

fn named(a: &DirectoryAccount) -> String {
    match &a.display_name {
        Some(n) if !n.is_empty() => format!("account {} ({n})", a.account_id),
        _ => format!("account {}", a.account_id),
    }
}

/// `d`, said of `account`, and that the read stopped there.
fn in_account(d: Diagnostic, account: &DirectoryAccount) -> Diagnostic {
    let who = named(account);
    Diagnostic {
        summary: format!("Cannot read {who}: {}", d.summary),
        detail: format!(
            "{}\n\nThe organisation read stops here rather than present part of the organisation as the whole. To leave {who} out, add \"{}\" to exclude_account_ids.",
            d.detail, account.account_id
        ),
        ..d
    }
}

/// The accounts to read, in order: the members listed (or named), less the exclusions;
/// the caller's own account only when asked.
fn chosen<'a>(
    listed: &'a [DirectoryAccount],
    me: &'a DirectoryAccount,
    sel: &OrgSelection,
) -> Result<Vec<&'a DirectoryAccount>, Diagnostic> {
    let mut out: Vec<&DirectoryAccount> = match &sel.account_ids {
        Some(ids) => ids
            .iter()
            .enumerate()
            .map(|(i, id)| {
                if *id == me.account_id {
                    return Ok(listed.iter().find(|a| a.account_id == *id).unwrap_or(me));
                }
                listed.iter().find(|a| a.account_id == *id).ok_or_else(|| {
                    Diagnostic::error(
                        "Not a member of the Resource Directory",
                        format!(
                            "ResourceManager ListAccounts does not list account {id} among the {} members of the caller's Resource Directory. Check account_ids.",
                            listed.len()
                        ),
                    )
                    .at(at("account_ids", i))
                })
            })
            .collect::<Result<_, _>>()?,
        None => {
            let mut all: Vec<&DirectoryAccount> = listed
                .iter()
                .filter(|a| a.account_id != me.account_id)
                .collect();
            if sel.include_management_account {
                let listed_me = listed.iter().find(|a| a.account_id == me.account_id);
                all.insert(0, listed_me.unwrap_or(me));
            }
            all
        }
    };
    out.retain(|a| !sel.exclude_account_ids.contains(&a.account_id));
    Ok(out)
}

/// A warning at each `exclude_account_ids` entry that is no account of the directory (nor
/// the caller's own): it excludes nothing, and if it is a typo the account meant to be
/// left out is read.
fn unmatched_exclusions(
    listed: &[DirectoryAccount],
    me: &DirectoryAccount,
    sel: &OrgSelection,
) -> Vec<Diagnostic> {
    let known = |id: &String| *id == me.account_id || listed.iter().any(|a| a.account_id == *id);
    sel.exclude_account_ids
        .iter()
        .enumerate()
        .filter(|(_, id)| !known(id))
        .map(|(i, id)| {
            Diagnostic::warning(
                "Excluded account not in the Resource Directory",
                format!(
                    "exclude_account_ids names account {id}, which matches no account of the caller's Resource Directory (ResourceManager ListAccounts lists {} members; the caller's own account is {}), so it excludes nothing. If it is a typo, the account meant to be left out is read: check exclude_account_ids.",
                    listed.len(),
                    me.account_id
                ),
            )
            .at(at("exclude_account_ids", i))
        })
        .collect()
}

/// Reads one account: the caller's own with its own credentials, a member through its role.
async fn read_account(
    client: &Client,
    account: &DirectoryAccount,
    management: bool,
    sel: &OrgSelection,
    keys: Arc<AtomicUsize>,
) -> Result<Fleet, Diagnostic> {
    let fleet = if management {
        fleet::read_counting(client, &sel.filters, Some(keys)).await
    } else {
        let arn = format!("acs:ram::{}:role/{}", account.account_id, sel.role_name);
        let role = AssumeRoleConfig {
            role_arn: arn.clone(),
            session_name: Some(SESSION_NAME.to_owned()),
            ..AssumeRoleConfig::default()
        };
        let member = client
            .assuming(role)
            .map_err(|e| About::Role(&arn).diagnostic("AssumeRole", &e, client.max_retries()))
            .map_err(|d| in_account(d, account))?;
        member
            .diagnosed("AssumeRole", About::Role(&arn), member.sign_in())
            .await
            .map_err(|d| in_account(d, account))?;
        fleet::read_counting(&member, &sel.filters, Some(keys)).await
    };
    let fleet = fleet.map_err(|d| in_account(d, account))?;
    match elsewhere(&fleet, &account.account_id) {
        Some(d) => Err(in_account(d, account)),
        None => Ok(fleet),
    }
}

/// A key of `fleet`, read as account `account_id`'s, that ActionTrail places in another
/// account: a role that led into the wrong account, or answers that cannot be joined.
/// Reported under the account read, the key would be audited, and gated, as the wrong
/// account's.
fn elsewhere(fleet: &Fleet, account_id: &str) -> Option<Diagnostic> {
    let key = fleet.selected.iter().find(|k| {
        k.owner_account
            .as_deref()
            .is_some_and(|owner| owner.trim() != account_id)
    })?;
    let owner = key.owner_account.as_deref().unwrap_or_default().trim();
    let owner = if get_caller_identity::is_account_id(owner) {
        format!("account {owner}")
    } else {
        "an AccountId that is not an account id".to_owned()
    };
    Some(Diagnostic::error(
        "ActionTrail places a key in another account",
        format!(
            "ActionTrail says AccessKey {} (request id {}) belongs to {owner}, but it was read as account {account_id}'s: the role assumed may lead into another account than its ARN names, or the answers are not about one account. The keys cannot be attributed, so the read stops.",
            key.access_key_id, key.request_id
        ),
    ))
}

/// Reads every chosen account and joins their keys; any account that fails fails the read.
pub async fn read(client: &Client, sel: &OrgSelection) -> Result<Organization, Diagnostic> {
    let who = client
        .diagnosed(
            get_caller_identity::ACTION,
            About::Caller,
            client.caller_identity(),
        )
        .await?;
    let listing = client
        .diagnosed(
            list_accounts::ACTION,
            About::Directory,
            client.list_directory_accounts(),
        )
        .await?;
    let me = DirectoryAccount {
        account_id: who.account_id.clone(),
        display_name: None,
        kind: None,
        status: None,
    };
    let accounts = chosen(&listing.accounts, &me, sel)?;
    let warnings = unmatched_exclusions(&listing.accounts, &me, sel);
    let keys = Arc::new(AtomicUsize::new(0));
    let fleets = try_join_all(accounts.iter().map(|a| {
        let management = a.account_id == who.account_id;
        read_account(client, a, management, sel, keys.clone())
    }))
    .await?;
    let mut org = Organization {
        id: id_of(sel),
        management_account_id: who.account_id.clone(),
        accounts: Vec::with_capacity(accounts.len()),
        keys: Vec::new(),
        others: Vec::new(),
        list_accounts_request_ids: listing.request_ids,
        now: fleets.first().map_or_else(EpochMs::now, |f| f.now),
        warnings,
    };
    for (a, fleet) in accounts.into_iter().zip(fleets) {
        let named = |k: &FleetKey| {
            sel.access_key_ids
                .as_ref()
                .is_none_or(|ids| ids.iter().any(|id| *id == *k.access_key_id))
        };
        // Each selected key once: those the filters kept go to `keys`, the rest to
        // `others`, so a 10,000-key read does not hold every key twice.
        let kept: HashSet<String> = fleet.keys.into_iter().map(|k| k.access_key_id).collect();
        let (mut keys, mut others) = (0, 0);
        for key in fleet.selected.into_iter().filter(named) {
            let into = if kept.contains(&key.access_key_id) {
                keys += 1;
                &mut org.keys
            } else {
                others += 1;
                &mut org.others
            };
            into.push(OrgKey {
                account_id: a.account_id.clone(),
                account_name: a.display_name.clone(),
                key,
            });
        }
        org.accounts.push(AccountRead {
            account_id: a.account_id.clone(),
            display_name: a.display_name.clone(),
            management: a.account_id == who.account_id,
            users: fleet.users,
            selected: keys + others,
            keys,
        });
    }
    if let Some(ids) = &sel.access_key_ids {
        missing(ids, &org)?;
    }
    Ok(org)
}

/// Every key `access_key_ids` names must be a key of an account read: one that is not was
/// deleted, is in an account left out, or is no RAM user's, and a gate that did not see it
/// must not pass it.
fn missing(ids: &[AccessKeyId], org: &Organization) -> Result<(), Diagnostic> {
    for (i, id) in ids.iter().enumerate() {
        if !org.selected().any(|k| *id == *k.key.access_key_id) {
            return Err(Diagnostic::error(
                "AccessKey not found in the organisation",
                format!(
                    "{id} is not a RAM user's AccessKey in any of the {} accounts read. It may have been deleted, belong to an account excluded or outside the Resource Directory (include_management_account reads the management account), or be a root account's or an STS key. Check access_key_ids.",
                    org.accounts.len()
                ),
            )
            .at(at("access_key_ids", i)));
        }
    }
    Ok(())
}

impl Organization {
    /// Every selected key, before the filters: the kept ones, then the others.
    pub fn selected(&self) -> impl Iterator<Item = &OrgKey> {
        self.keys.iter().chain(&self.others)
    }
}

fn id_of(sel: &OrgSelection) -> String {
    let mut id = match &sel.account_ids {
        Some(ids) => format!("accounts:{}", ids.join(",")),
        None if sel.include_management_account => "organization".to_owned(),
        None => "members".to_owned(),
    };
    if !sel.exclude_account_ids.is_empty() {
        id.push_str(&format!("-{}", sel.exclude_account_ids.join(",")));
    }
    if let Some(keys) = &sel.access_key_ids {
        id.push_str(&format!("/keys:{}", fleet::joined_ids(keys)));
    }
    id
}

/// The gate across accounts: one error listing every selected key used within the window,
/// each with its RAM user and account.
pub fn gate(org: &Organization, window: std::time::Duration) -> Option<Diagnostic> {
    fleet_gate::gate_over(
        org.selected().map(|k| {
            let account = match &k.account_name {
                Some(n) if !n.is_empty() => format!("{} {n}", k.account_id),
                _ => k.account_id.clone(),
            };
            (
                &k.key,
                format!("RAM user {}, account {account}", k.key.user_name),
            )
        }),
        org.keys.len() + org.others.len(),
        window,
        org.now,
    )
}

#[cfg(test)]
#[path = "organization_tests.rs"]
mod tests;
