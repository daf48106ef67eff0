//! ResourceManager ListAccounts (2020-03-31, `resourcemanager.aliyuncs.com`): the members of
//! the caller's Resource Directory, every page, for the organisation read. Callable by the
//! management account (or a delegated administrator). Read strictly, as the official SDK
//! (`alibabacloud-resourcemanager20200331`) shapes it: a missing list, id or count is an
//! error, and so is paging that contradicts itself; a directory is never read cut short.

use super::client::{Client, Service};
use super::service::Operation;
use super::error::Error;
use super::list_users::{require_request_id, untrusted};
use serde::Deserialize;
use std::collections::{BTreeMap, HashSet};

/// The operation.
pub const ACTION: &str = "ListAccounts";

/// The operation, as a policy grants it: `resourcemanager:ListAccounts`.
pub(crate) const OPERATION: Operation = Operation::new(Service::ResourceManager, ACTION);
/// ListAccounts' largest page.
pub const MAX_ACCOUNTS_PER_PAGE: u32 = 100;
/// The most members one listing holds. A Resource Directory holds a few thousand members at
/// most (its quota); more is a hostile or broken endpoint, and the read fails naming this.
pub const MAX_ACCOUNTS: usize = 10_000;

/// One member of the directory.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DirectoryAccount {
    /// The member's account id.
    pub account_id: String,
    /// Its display name.
    pub display_name: Option<String>,
    /// `CloudAccount` or `ResourceAccount`.
    #[serde(rename = "Type")]
    pub kind: Option<String>,
    /// Its state in the directory, e.g. `CreateSuccess`.
    pub status: Option<String>,
}

/// Every member, in the directory's order, with the request id of each page.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AccountListing {
    /// The members.
    pub accounts: Vec<DirectoryAccount>,
    /// One request id per page.
    pub request_ids: Vec<String>,
}

#[derive(Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AccountsWrap {
    account: Vec<DirectoryAccount>,
}

#[derive(Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListAccountsPage {
    request_id: String,
    page_number: u64,
    page_size: u64,
    total_count: u64,
    accounts: AccountsWrap,
}

/// A listing in progress: each page must be the one asked for, the total must not change,
/// and the listing ends exactly at the total.
#[derive(Default)]
struct AccountPaging {
    out: AccountListing,
    seen: HashSet<String>,
    total: Option<u64>,
}

impl AccountPaging {
    /// Takes page `number`; whether another page is needed.
    fn take(&mut self, number: u64, page: ListAccountsPage) -> Result<bool, Error> {
        require_request_id(ACTION, &page.request_id)?;
        let id = page.request_id.clone();
        let bad = |reason: String| untrusted(ACTION, &id, reason);
        if page.page_number != number {
            return Err(bad(format!(
                "page {number} was asked for and page {} answered",
                page.page_number
            )));
        }
        if page.page_size != u64::from(MAX_ACCOUNTS_PER_PAGE) {
            return Err(bad(format!(
                "PageSize {MAX_ACCOUNTS_PER_PAGE} was asked for and {} answered",
                page.page_size
            )));
        }
        if page.accounts.account.len() > MAX_ACCOUNTS_PER_PAGE as usize {
            return Err(bad(format!(
                "a page lists more than the {MAX_ACCOUNTS_PER_PAGE} accounts asked for"
            )));
        }
        match self.total {
            None if page.total_count > MAX_ACCOUNTS as u64 => {
                return Err(Error::Pagination {
                    operation: ACTION.to_owned(),
                    pages: 1,
                    reason: format!(
                        "TotalCount {} is past the cap of {MAX_ACCOUNTS} members (MAX_ACCOUNTS)",
                        page.total_count
                    ),
                })
            }
            None => self.total = Some(page.total_count),
            Some(t) if t != page.total_count => {
                return Err(bad(format!(
                    "TotalCount changed from {t} to {} between pages: the directory cannot be read as one",
                    page.total_count
                )))
            }
            Some(_) => {}
        }
        let total = self.total.unwrap_or(0);
        if page.accounts.account.is_empty() && (self.out.accounts.len() as u64) < total {
            return Err(bad(format!(
                "page {number} is empty after {} of the {total} accounts TotalCount promises: the listing is cut short",
                self.out.accounts.len()
            )));
        }
        for a in page.accounts.account {
            // Each id is compared with exclude_account_ids and written into a role ARN:
            // anything but the digits of an account id could match no exclusion or name
            // another role.
            if a.account_id.trim().is_empty() {
                return Err(bad("an account has an empty AccountId".to_owned()));
            }
            if !super::get_caller_identity::is_account_id(&a.account_id) {
                return Err(bad(
                    "an AccountId is not an account id (1 to 32 digits)".to_owned(),
                ));
            }
            if !self.seen.insert(a.account_id.clone()) {
                return Err(bad(format!("account {} is listed twice", a.account_id)));
            }
            self.out.accounts.push(a);
        }
        self.out.request_ids.push(page.request_id);
        let have = self.out.accounts.len() as u64;
        if have > total {
            return Err(bad(format!(
                "{have} accounts listed, more than the TotalCount of {total}"
            )));
        }
        Ok(have < total)
    }
}

impl Client {
    /// ResourceManager ListAccounts, every page, checked by `AccountPaging`.
    pub async fn list_directory_accounts(&self) -> Result<AccountListing, Error> {
        let mut paging = AccountPaging::default();
        let mut number = 1u64;
        loop {
            let params = BTreeMap::from([
                ("PageNumber".to_owned(), number.to_string()),
                ("PageSize".to_owned(), MAX_ACCOUNTS_PER_PAGE.to_string()),
            ]);
            let page: ListAccountsPage = self
                .call_strict(OPERATION, params)
                .await?;
            if !paging.take(number, page)? {
                return Ok(paging.out);
            }
            number += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(number: u64, total: u64, ids: &[&str]) -> ListAccountsPage {
        let accounts: Vec<String> = ids
            .iter()
            .map(|id| format!(r#"{{"AccountId":"{id}","DisplayName":"n{id}","Type":"ResourceAccount","Status":"CreateSuccess"}}"#))
            .collect();
        serde_json::from_str(&format!(
            r#"{{"RequestId":"R{number}","PageNumber":{number},"PageSize":100,"TotalCount":{total},"Accounts":{{"Account":[{}]}}}}"#,
            accounts.join(",")
        ))
        .unwrap()
    }

    #[test]
    fn a_listing_ends_exactly_at_its_total() {
        let mut p = AccountPaging::default();
        assert!(p.take(1, page(1, 3, &["1", "2"])).unwrap());
        assert!(!p.take(2, page(2, 3, &["3"])).unwrap());
        assert_eq!(p.out.accounts.len(), 3);
        assert_eq!(p.out.request_ids, ["R1", "R2"]);
    }

    #[test]
    fn contradictory_paging_is_refused() {
        let refused = |pages: Vec<(u64, ListAccountsPage)>| {
            let mut p = AccountPaging::default();
            for (n, page) in pages {
                if let Err(e) = p.take(n, page) {
                    return e.to_string();
                }
            }
            panic!("accepted");
        };
        assert!(refused(vec![(1, page(1, 3, &["1"])), (2, page(2, 3, &[]))]).contains("cut short"));
        assert!(refused(vec![(1, page(2, 3, &["1"]))]).contains("page 1 was asked for"));
        assert!(
            refused(vec![(1, page(1, 3, &["1"])), (2, page(2, 4, &["2"]))])
                .contains("TotalCount changed")
        );
        assert!(refused(vec![(1, page(1, 3, &["1", "1"]))]).contains("listed twice"));
        assert!(refused(vec![(1, page(1, 1, &["1", "2"]))]).contains("more than the TotalCount"));
        assert!(refused(vec![(1, page(1, 20_000, &["1"]))]).contains("MAX_ACCOUNTS"));
        for not_an_id in ["123 ", "1:role/Other", "12a", &"1".repeat(33)] {
            assert!(
                refused(vec![(1, page(1, 1, &[not_an_id]))]).contains("not an account id"),
                "{not_an_id:?}"
            );
        }
    }

    #[test]
    fn a_page_needs_its_counts_and_list() {
        for bad in [
            r#"{"RequestId":"R","PageNumber":1,"PageSize":100,"Accounts":{"Account":[]}}"#,
            r#"{"RequestId":"R","PageNumber":1,"PageSize":100,"TotalCount":0}"#,
            r#"{"RequestId":"R","PageNumber":1,"PageSize":100,"TotalCount":0,"Accounts":{}}"#,
            r#"{"RequestId":"R","PageNumber":1,"PageSize":100,"TotalCount":1,"Accounts":{"Account":[{"DisplayName":"x"}]}}"#,
        ] {
            assert!(
                serde_json::from_str::<ListAccountsPage>(bad).is_err(),
                "{bad}"
            );
        }
    }
}
