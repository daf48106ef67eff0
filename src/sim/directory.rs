//! The data set's Resource Directory: the organisation's accounts, which of them is the
//! management account, and the roles each member trusts the management account to assume.
//! ResourceManager `ListAccounts` lists the accounts; STS `AssumeRole` into a member's role
//! checks that trust. The JSON format is documented beside the data set's other fields
//! (`dataset.rs`).

use super::dataset::When;
use serde::{Deserialize, Serialize};

/// A Resource Directory: its id, its management account and every account in it (the
/// management account included, as Alibaba's `ListAccounts` lists it).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResourceDirectory {
    /// `rd-...`.
    pub id: String,
    /// The account that enabled the directory and may list it.
    pub management_account_id: String,
    /// Every account of the directory, in the order `ListAccounts` pages through them.
    pub accounts: Vec<Member>,
}

/// One account of a Resource Directory.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Member {
    /// Sixteen digits.
    pub account_id: String,
    /// The name the directory shows.
    pub display_name: String,
    /// `CloudAccount` (joined by invitation, as the management account) or
    /// `ResourceAccount` (created in the directory).
    #[serde(rename = "type")]
    pub kind: MemberType,
    /// The member's `Status`, e.g. `CreateSuccess`.
    #[serde(default = "default_status")]
    pub status: String,
    /// When it joined.
    pub join_time: When,
    /// The roles in this account that the management account may assume.
    #[serde(default)]
    pub roles: Vec<String>,
}

/// A member's `Type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum MemberType {
    /// An account that existed before it joined.
    CloudAccount,
    /// An account created inside the directory.
    ResourceAccount,
}

impl MemberType {
    /// As `ListAccounts` writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            MemberType::CloudAccount => "CloudAccount",
            MemberType::ResourceAccount => "ResourceAccount",
        }
    }

    /// How it joined (`JoinMethod`): invited, or created in the directory.
    pub fn join_method(self) -> &'static str {
        match self {
            MemberType::CloudAccount => "invited",
            MemberType::ResourceAccount => "created",
        }
    }
}

fn default_status() -> String {
    "CreateSuccess".into()
}

/// The role Resource Directory creates in every member it creates, trusted by the
/// management account.
pub const ACCESS_ROLE: &str = "ResourceDirectoryAccountAccessRole";

/// The statuses Alibaba documents for a member.
const STATUSES: &[&str] = &[
    "CreateSuccess",
    "PromoteVerifying",
    "PromoteFailed",
    "PromoteExpired",
    "PromoteCancelled",
    "PromoteSuccess",
    "InviteSuccess",
];

fn is_account_id(s: &str) -> bool {
    s.len() == 16 && s.bytes().all(|b| b.is_ascii_digit())
}

impl ResourceDirectory {
    /// Whether the directory is one Alibaba could hold: an `rd-` id, account ids of 16
    /// digits, each listed once, the management account among them, documented statuses
    /// and role names RAM accepts. The error names what is wrong.
    pub fn check(&self) -> Result<(), String> {
        if !self.id.starts_with("rd-") || self.id.len() < 4 {
            return Err(format!(
                "resource_directory.id {:?} is not an rd- id",
                self.id
            ));
        }
        if !is_account_id(&self.management_account_id) {
            return Err(format!(
                "resource_directory.management_account_id {:?} is not 16 digits",
                self.management_account_id
            ));
        }
        let mut seen = std::collections::HashSet::new();
        for (i, m) in self.accounts.iter().enumerate() {
            let at = format!("resource_directory.accounts[{i}]");
            if !is_account_id(&m.account_id) {
                return Err(format!(
                    "{at}.account_id {:?} is not 16 digits",
                    m.account_id
                ));
            }
            if !seen.insert(m.account_id.as_str()) {
                return Err(format!("{at}: account {} is listed twice", m.account_id));
            }
            if !STATUSES.contains(&m.status.as_str()) {
                return Err(format!(
                    "{at}.status {:?} is not one of {STATUSES:?}",
                    m.status
                ));
            }
            if m.display_name.trim().is_empty() {
                return Err(format!("{at}.display_name is empty"));
            }
            for role in &m.roles {
                let ok = (1..=64).contains(&role.len())
                    && role
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
                if !ok {
                    return Err(format!("{at}.roles: {role:?} is not a RAM role name"));
                }
            }
        }
        if !seen.contains(self.management_account_id.as_str()) {
            return Err(format!(
                "resource_directory.accounts must list the management account {}",
                self.management_account_id
            ));
        }
        Ok(())
    }

    /// The member `account`, when the directory holds it.
    pub fn member(&self, account: &str) -> Option<&Member> {
        self.accounts.iter().find(|m| m.account_id == account)
    }

    /// The folder every member sits in: the directory's root folder, named after its id.
    pub fn root_folder(&self) -> String {
        format!("r-{}", self.id.trim_start_matches("rd-"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::dataset::DataSet;

    fn with(accounts: &str) -> String {
        format!(
            r#"{{"resource_directory":{{"id":"rd-Ab12","management_account_id":"1000000000000001","accounts":[{accounts}]}}}}"#
        )
    }

    const MANAGEMENT: &str = r#"{"account_id":"1000000000000001","display_name":"root","type":"CloudAccount","join_time":"now-300days"}"#;

    #[test]
    fn a_directory_parses_round_trips_and_is_checked() {
        let member = r#"{"account_id":"1000000000000002","display_name":"prod","type":"ResourceAccount","status":"CreateSuccess","join_time":"now-300days","roles":["ResourceDirectoryAccountAccessRole"]}"#;
        let data = DataSet::from_json(&with(&format!("{MANAGEMENT},{member}"))).unwrap();
        let rd = data.resource_directory.as_ref().unwrap();
        assert_eq!(rd.accounts.len(), 2);
        assert_eq!(rd.member("1000000000000002").unwrap().roles, [ACCESS_ROLE]);
        assert_eq!(DataSet::from_json(&data.to_json()).unwrap(), data);

        let refused = |accounts: &str| DataSet::from_json(&with(accounts)).unwrap_err();
        assert!(refused(member).to_string().contains("management account"));
        assert!(refused(&format!("{MANAGEMENT},{MANAGEMENT}"))
            .to_string()
            .contains("twice"));
        // A member edited one way at a time, and what the refusal names.
        for (from, to, named) in [
            ("1000000000000002", "12", "16 digits"),
            ("CreateSuccess", "Happy", "status"),
            ("\"roles\"", "\"colour\":1,\"roles\"", "colour"),
            ("ResourceDirectoryAccountAccessRole", "no role/here", "role"),
        ] {
            let bad = member.replace(from, to);
            assert_ne!(bad, member);
            let why = refused(&format!("{MANAGEMENT},{bad}")).to_string();
            assert!(why.contains(named), "{from} -> {to}: {why}");
        }
    }
}
