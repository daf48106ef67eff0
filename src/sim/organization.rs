//! A generated Resource Directory for tests and benchmarks: [`DataSet::organization`], and
//! `actiontrail-sim --organization ACCOUNTS:USERS`. The same arguments always give the same
//! data set, so a benchmark's figures compare across runs.

use super::dataset::{service_names, Caller, DataSet, KeyUsage, Product, When};
use super::directory::{Member, MemberType, ResourceDirectory, ACCESS_ROLE};

/// The generated directory's management account.
pub const ORG_MANAGEMENT_ACCOUNT: &str = "1688000000000000";
/// The generated directory's id.
pub const ORG_DIRECTORY_ID: &str = "rd-OrgSim";
/// A RAM user of the management account, which may list the directory and assume its
/// members' access role; it reads the management account's own keys.
pub const ORG_CALLER_ID: &str = "LTAI5tOrgAuditor0000001";
/// Its secret.
pub const ORG_CALLER_SECRET: &str = "org-secret-do-not-use-in-production";
/// A RAM user of the first member, which the directory's trust does not cover.
pub const ORG_MEMBER_CALLER_ID: &str = "LTAI5tOrgMemberUser0001";
/// Its secret.
pub const ORG_MEMBER_CALLER_SECRET: &str = "org-member-secret-do-not-use";

/// How a generated key was used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Usage {
    /// Never: ActionTrail has no record of it.
    Never,
    /// Between 180 and 270 days ago.
    LongAgo,
    /// Within the last week.
    Recently,
}

/// The `n`th member's account id (from 1).
pub fn member_account(n: usize) -> String {
    format!("1688{n:012}")
}

/// The AccessKeyId of user `user` (from 1) of member `n` (from 1).
pub fn member_key(n: usize, user: usize) -> String {
    format!("LTAI5tO{n:04}U{user:06}K000")
}

/// How [`DataSet::organization`] with `seed` used user `user` of member `n`: a third of
/// the keys each way, mixed by a hash of the three.
pub fn usage(seed: u64, n: usize, user: usize) -> Usage {
    match mix(seed, n, user) % 3 {
        0 => Usage::Never,
        1 => Usage::LongAgo,
        _ => Usage::Recently,
    }
}

/// SplitMix64 over the arguments: a stable, well-spread hash without a dependency.
fn mix(seed: u64, n: usize, user: usize) -> u64 {
    let mut z = seed
        .wrapping_add((n as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15))
        .wrapping_add((user as u64).wrapping_mul(0xBF58_476D_1CE4_E5B9));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl DataSet {
    /// A Resource Directory of `accounts` members (plus its management account, listed
    /// first, holding [`ORG_CALLER_ID`] and no keys), each member with
    /// `users_per_account` RAM users of one Active key each, used as [`usage`] says, and
    /// [`ACCESS_ROLE`] trusted by the management account. [`ORG_MEMBER_CALLER_ID`] is a
    /// user of the first member (when there is one).
    pub fn organization(accounts: usize, users_per_account: usize, seed: u64) -> DataSet {
        let mut members = vec![Member {
            account_id: ORG_MANAGEMENT_ACCOUNT.into(),
            display_name: "management".into(),
            kind: MemberType::CloudAccount,
            status: "CreateSuccess".into(),
            join_time: When::ago(400, 0, 0),
            roles: Vec::new(),
        }];
        let mut keys = Vec::with_capacity(accounts.saturating_mul(users_per_account));
        for n in 1..=accounts {
            let account = member_account(n);
            members.push(Member {
                account_id: account.clone(),
                display_name: format!("member-{n:03}"),
                kind: MemberType::ResourceAccount,
                status: "CreateSuccess".into(),
                join_time: When::ago(300, 0, 0),
                roles: vec![ACCESS_ROLE.into()],
            });
            for user in 1..=users_per_account {
                keys.push(key(seed, n, user, &account));
            }
        }
        let mut callers = vec![Caller {
            access_key_id: ORG_CALLER_ID.into(),
            access_key_secret: ORG_CALLER_SECRET.into(),
            account_id: ORG_MANAGEMENT_ACCOUNT.into(),
            user_name: Some("org-auditor".into()),
            readable_accounts: vec![ORG_MANAGEMENT_ACCOUNT.into()],
        }];
        if accounts > 0 {
            callers.push(Caller {
                access_key_id: ORG_MEMBER_CALLER_ID.into(),
                access_key_secret: ORG_MEMBER_CALLER_SECRET.into(),
                account_id: member_account(1),
                user_name: Some("member-admin".into()),
                readable_accounts: vec![member_account(1)],
            });
        }
        DataSet {
            callers,
            keys,
            oidc_providers: Vec::new(),
            resource_directory: Some(ResourceDirectory {
                id: ORG_DIRECTORY_ID.into(),
                management_account_id: ORG_MANAGEMENT_ACCOUNT.into(),
                accounts: members,
            }),
        }
    }
}

fn key(seed: u64, n: usize, user: usize, account: &str) -> KeyUsage {
    let spread = mix(seed, user, n);
    let products = match usage(seed, n, user) {
        Usage::Never => Vec::new(),
        Usage::LongAgo => vec![product(
            When::ago(180 + spread % 90, spread % 24, 0),
            spread,
        )],
        Usage::Recently => vec![product(When::ago(spread % 7, spread % 24, 1), spread)],
    };
    KeyUsage {
        access_key_id: member_key(n, user),
        account_id: account.into(),
        account_type: "ram-user".into(),
        owner_id: None,
        user_name: Some(format!("user-{user:06}")),
        principal_id: None,
        products,
        ips: Default::default(),
        resources: Default::default(),
        events: Default::default(),
        status: None,
        create_date: Some(When::ago(500, 0, 0)),
    }
}

fn product(used_at: When, spread: u64) -> Product {
    let (service, event) = if spread.is_multiple_of(2) {
        ("Ecs", "DescribeInstances")
    } else {
        ("Oss", "GetObject")
    };
    let (cn, en) = service_names(service);
    Product {
        service_name: service.into(),
        service_name_cn: cn,
        service_name_en: en,
        source: "ManagementEvent".into(),
        used_at,
        event_name: Some(event.into()),
        source_ip: Some(format!("198.51.100.{}", spread % 250 + 1)),
        region: Some("cn-hangzhou".into()),
        detail: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_organization_is_deterministic_valid_and_mixed() {
        let org = DataSet::organization(3, 30, 7);
        assert_eq!(org, DataSet::organization(3, 30, 7));
        assert_ne!(org, DataSet::organization(3, 30, 8));
        let again = DataSet::from_json(&org.to_json()).unwrap();
        assert_eq!(again, org);
        let rd = org.resource_directory.as_ref().unwrap();
        assert_eq!(rd.accounts.len(), 4);
        assert_eq!(org.keys.len(), 90);
        let mut ids: Vec<&str> = org.keys.iter().map(|k| k.access_key_id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), 90);
        for u in [Usage::Never, Usage::LongAgo, Usage::Recently] {
            let n = (1..=3)
                .flat_map(|a| (1..=30).map(move |j| (a, j)))
                .filter(|&(a, j)| usage(7, a, j) == u)
                .count();
            assert!((15..=45).contains(&n), "{u:?}: {n} of 90");
        }
    }
}
