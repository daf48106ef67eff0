//! `actiontrail_organization_accesskeys`: every AccessKey of the caller's Resource
//! Directory in one read, each with its account and its last use, filtered, with the fleet
//! gate across accounts. The read itself is [`crate::data_sources::organization`].

use crate::actiontrail::Client;
use crate::data_sources::accesskeys::{self, key_fields, ACCESS_KEY_IDS};
use crate::data_sources::key::{AccessKeyId, NOT_AN_ACCESS_KEY_ID};
use crate::data_sources::organization::{
    self, AccountRead, OrgKey, OrgSelection, Organization, DEFAULT_ROLE_NAME,
};
use crate::data_sources::uses;
use crate::framework::args::{self, Argument, Reads};
use crate::framework::attribute::{Field, Fields};
use crate::framework::data_source::DataSource;
use crate::model::{AttributePath, Diagnostic, Type, Value};

/// The data source.
pub struct OrganizationAccessKeys;

const ACCOUNT_IDS: &str = "account_ids";
const EXCLUDE_ACCOUNT_IDS: &str = "exclude_account_ids";
const INCLUDE_MANAGEMENT_ACCOUNT: &str = "include_management_account";
const ROLE_NAME: &str = "role_name";

/// `account_ids`: only these members.
const ACCOUNTS: Argument<Vec<String>> = Argument::new(
    ACCOUNT_IDS,
    "Only these accounts (each must be a member ListAccounts lists; the caller's own account may be named). Default: every member.",
    Reads::TextList(|items, at| accesskeys::names(items, at, "read every member", account, NOT_AN_ACCOUNT)),
);

/// `exclude_account_ids`: leave these members out.
const EXCLUDED: Argument<Vec<String>> = Argument::new(
    EXCLUDE_ACCOUNT_IDS,
    "Leave these accounts out: the explicit way to read an organisation without an account that cannot be read.",
    Reads::TextList(|items, at| accesskeys::names(items, at, "exclude no account", account, NOT_AN_ACCOUNT)),
);

/// `include_management_account`.
const INCLUDE_MANAGEMENT: Argument<bool> = Argument::new(
    INCLUDE_MANAGEMENT_ACCOUNT,
    "Also read the caller's own account (the management account), with the provider's own credentials. Default: false.",
    Reads::Flag(|b, _| Some(b)),
);

/// `role_name`: a RAM role name.
const ROLE: Argument<String> = Argument::new(
    ROLE_NAME,
    "The role assumed in each member. Default: `ResourceDirectoryAccountAccessRole`.",
    Reads::Text(|s, at| {
        if args::is_name(s, 64, b"._-") {
            Some(s.to_owned())
        } else {
            at.invalid(format!(
                "{s:?} is not a RAM role name (1 to 64 letters, digits or . _ -)."
            ))
        }
    }),
);

/// `access_key_ids`: only these keys, wherever they are.
const KEYS: Argument<Vec<AccessKeyId>> = Argument::new(
    ACCESS_KEY_IDS,
    "Only these keys, wherever they are in the accounts read: the set a rotation retires, for the gate. Each must be found (a key not found fails the read, naming it); every account is still read to find them.",
    Reads::TextList(|items, at| {
        accesskeys::names(
            items,
            at,
            "select every key of the accounts read",
            AccessKeyId::parse,
            NOT_AN_ACCESS_KEY_ID,
        )
    }),
);

/// What an account id that is none is not.
const NOT_AN_ACCOUNT: &str = "is not an account id (digits)";

/// An account id: 1 to 32 digits.
fn account(s: &str) -> Option<String> {
    crate::actiontrail::get_caller_identity::is_account_id(s).then(|| s.to_owned())
}

fn org_key_fields() -> Fields<OrgKey> {
    Fields::new()
        .with(Field::text(
            "account_id",
            "the account the key belongs to",
            |k: &OrgKey| &k.account_id,
        ))
        .with(Field::opt_text(
            "account_name",
            "that account's display name in the Resource Directory; null when it has none",
            |k: &OrgKey| &k.account_name,
        ))
        .and(key_fields::<OrgKey>())
}

fn account_fields() -> Fields<AccountRead> {
    Fields::new()
        .with(Field::text("account_id", "the account's id", |a: &AccountRead| &a.account_id))
        .with(Field::opt_text("display_name", "its display name in the Resource Directory", |a| &a.display_name))
        .with(Field::computed("management", Type::Bool, "whether it is the caller's own account (the management account), read with the provider's own credentials", |a: &AccountRead| Value::Bool(a.management)))
        .with(Field::count("user_count", "RAM users listed in it", |a| a.users))
        .with(Field::count("selected_count", "its keys selected, before the filters", |a| a.selected))
        .with(Field::count("key_count", "its keys the filters kept", |a| a.keys))
}

#[async_trait::async_trait]
impl DataSource for OrganizationAccessKeys {
    type Client = Client;
    type Config = OrgSelection;
    type Answer = Organization;

    const TYPE_NAME: &'static str = "actiontrail_organization_accesskeys";
    const DESCRIPTION: &'static str = "Every AccessKey of the caller's Resource Directory in one read: the members (ResourceManager ListAccounts, every page), each read through a role assumed in it (STS AssumeRole into `acs:ram::<member>:role/<role_name>`) as `actiontrail_accesskeys` reads one account, each key joined with its account and its last use; filtered by status and idleness, with a fleet gate across accounts. An account that cannot be read (role missing or not trusted, access denied, throttled past the retries) fails the read naming the account: a partial organisation is never presented as the whole, and leaving an account out is the explicit `exclude_account_ids`.";
    const GUIDE: &'static str = "## Permissions and calls\n\nThe provider's credentials must be the management account's (a RAM user or role in it, not the root identity, which cannot assume roles), or a delegated administrator's. They need `resourcemanager:ListAccounts` and `sts:AssumeRole` on each member's role. The read calls STS `GetCallerIdentity` once (to know which listed account is the caller's own), ResourceManager `ListAccounts` (every page of 100), then in each member STS `AssumeRole` once and, with the role's credentials, RAM `ListUsers`, `ListAccessKeys` per user and ActionTrail `GetAccessKeyLastUsedInfo` per key: the role needs `ram:ListUsers`, `ram:ListAccessKeys` and `actiontrail:GetAccessKeyLastUsedInfo`.\n\n## The members' role\n\nEvery member of a Resource Directory has `ResourceDirectoryAccountAccessRole`, trusted by the management account; it is the default. It often carries AdministratorAccess: for an audit, create a read-only role of your own in each member (trusting the management account, granting the three actions above) and name it in `role_name`.\n\n## Pacing\n\nEvery account is read at once, each member with its own role and so its own quota. The provider paces itself per API and account at the rate Alibaba's flow control allows (learned from `Throttling.User` answers), up to `max_concurrency` exchanges in flight and, when set, `max_requests_per_second`.\n\n## What fails closed\n\nA member that is not listed, whose role is missing or does not trust the caller, or whose reads are denied or throttled past the retries, fails the read with an error naming the account and how to leave it out. Paging of `ListAccounts` that contradicts itself (a page other than the one asked for, a total that changes, a page cut short, an account listed twice) is an error, never a shorter directory. One read holds at most 10,000 members, 20,000 keys in any one account and 100,000 keys over all of them; past a cap the read fails naming it, so a hostile directory or RAM cannot grow it without bound.\n";

    fn fields() -> Fields<Organization> {
        Fields::new()
            .with(ACCOUNTS.field())
            .with(EXCLUDED.field())
            .with(INCLUDE_MANAGEMENT.field())
            .with(ROLE.field())
            .with(KEYS.field())
            .and(accesskeys::filter_arguments("The fleet gate across accounts: fail the read, listing every selected key used within this long, with its account, user, service, IP and time."))
            .with(Field::text("id", "What was read: `members`, `organization` (the members and the management account) or `accounts:<ids>`, followed by `-<ids>` when accounts were excluded and `/keys:<ids>` when keys were named.", |o: &Organization| &o.id))
            .with(Field::text("management_account_id", "The caller's own account, as STS GetCallerIdentity says.", |o: &Organization| &o.management_account_id))
            .with(Field::list("accounts", "The accounts read, in the directory's order (or the order of `account_ids`)", account_fields(), |o: &Organization| o.accounts.as_slice()))
            .with(Field::list("keys", "The keys the filters kept, account by account, in RAM's order of users and keys", org_key_fields(), |o: &Organization| o.keys.as_slice()))
            .with(accesskeys::matching_access_key_ids(|o: &Organization| &o.keys))
            .with(Field::count("account_count", "How many accounts were read.", |o| o.accounts.len()))
            .and(accesskeys::kept_counts(|o: &Organization| &o.keys))
            .with(Field::count("selected_count", "How many keys were selected, over every account, before the filters.", |o| o.keys.len() + o.others.len()))
            .with(Field::count("user_count", "How many RAM users were listed, over every account.", |o| o.accounts.iter().map(|a| a.users).sum()))
            .with(uses::freshness_note())
            .with(Field::computed("list_accounts_request_ids", Type::list(Type::String), "Request IDs of the ListAccounts pages.", |o: &Organization| {
                Value::List(o.list_accounts_request_ids.iter().map(Value::string).collect())
            }))
    }

    fn parse(config: &Value, diags: &mut Vec<Diagnostic>) -> Option<OrgSelection> {
        let account_ids = ACCOUNTS.optional(config, diags);
        let excluded = EXCLUDED.optional(config, diags);
        if let (Some(Some(ids)), Some(Some(ex))) = (&account_ids, &excluded) {
            for (i, id) in ex.iter().enumerate() {
                if ids.contains(id) {
                    let at = AttributePath::root(EXCLUDE_ACCOUNT_IDS)
                        .index(i64::try_from(i).unwrap_or(i64::MAX));
                    diags.push(args::invalid(EXCLUDE_ACCOUNT_IDS, &at, format!("account {id} is both named in account_ids and excluded; remove it from one of them.")));
                }
            }
        }
        let include = INCLUDE_MANAGEMENT.optional(config, diags);
        let role_name = ROLE.optional(config, diags);
        let access_key_ids = KEYS.optional(config, diags);
        let filters = accesskeys::filters(config, diags);
        if crate::model::diag::has_errors(diags) {
            return None;
        }
        Some(OrgSelection {
            account_ids: account_ids?,
            exclude_account_ids: excluded?.unwrap_or_default(),
            include_management_account: include?.unwrap_or(false),
            role_name: role_name?.unwrap_or_else(|| DEFAULT_ROLE_NAME.to_owned()),
            access_key_ids: access_key_ids?,
            filters: filters?,
        })
    }

    async fn read(client: &Client, sel: &OrgSelection) -> Result<Organization, Diagnostic> {
        tracing::debug!(accounts = ?sel.account_ids, excluded = ?sel.exclude_account_ids, "reading {}", Self::TYPE_NAME);
        organization::read(client, sel).await
    }

    fn check(sel: &OrgSelection, org: &Organization) -> Vec<Diagnostic> {
        let gate = sel
            .filters
            .fail_if_any_used_within
            .and_then(|w| organization::gate(org, w));
        org.warnings.iter().cloned().chain(gate).collect()
    }
}
