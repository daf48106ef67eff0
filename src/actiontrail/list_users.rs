//! RAM ListUsers (2015-05-01, `ram.aliyuncs.com`): the account's users, every page through
//! `Marker`, for a fleet audit. Same signing, retries, caching and concurrency bound as
//! ActionTrail. Answers are read strictly, as the official SDK (`alibabacloud-ram20150501`
//! 1.3.0) shapes them: a missing list, flag or name is an error, never a default.

use super::client::{Client, Service};
use super::service::Operation;
use super::error::Error;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};

/// ListUsers' largest page.
pub const MAX_USERS_PER_PAGE: u32 = 1000;
/// The most ListUsers pages one listing follows: 10 full pages hold the largest account
/// RAM allows; more is a hostile or broken endpoint handing out fresh Markers.
pub const MAX_USER_PAGES: u32 = 100;
/// The most users one listing holds. RAM's quota for users in one account is 1,000 by
/// default and can be raised to a few thousand; ten thousand is far past any real account.
pub const MAX_USERS: usize = 10_000;
/// The most bytes of ListUsers answers one listing reads, over every page: a full page of
/// 1,000 users is about 300 KiB, so this is some 200 full pages' worth.
pub const MAX_USER_LISTING_BYTES: usize = 64 * 1024 * 1024;
/// The longest user name RAM creates (CreateUser: 1 to 64 characters).
pub const MAX_USER_NAME_CHARS: usize = 64;

/// A RAM user (ListUsers).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RamUser {
    /// The user's name, unique in the account.
    pub user_name: String,
    /// The user's id.
    pub user_id: Option<String>,
    /// Display name.
    pub display_name: Option<String>,
}

/// Every user of the account, with the request id of each page.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct UserListing {
    /// The users, in RAM's order.
    pub users: Vec<RamUser>,
    /// One request id per page.
    pub request_ids: Vec<String>,
}

#[derive(Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct UsersWrap {
    pub(super) user: Vec<RamUser>,
}

#[derive(Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ListUsersPage {
    request_id: String,
    is_truncated: bool,
    marker: Option<String>,
    pub(super) users: UsersWrap,
    /// The answer's size, counted against [`MAX_USER_LISTING_BYTES`].
    #[serde(skip)]
    bytes: usize,
}

/// A ListUsers page, strictly decoded, with its size.
pub(super) fn list_users_page(
    body: &str,
    _: &BTreeMap<String, String>,
) -> Result<super::client::Answer, super::answer::Reason> {
    super::exchange::erase(
        super::answer::object::<ListUsersPage>(body).map(|mut page| {
            page.bytes = body.len();
            page
        }),
    )
}

/// What is wrong with `name` as a RAM user's name that ListAccessKeys will be asked about,
/// if anything: empty, RAM would list the caller's own keys under it; longer than RAM
/// allows, it names no user.
pub(crate) fn user_name_fault(name: &str) -> Option<String> {
    if name.trim().is_empty() {
        Some("an empty UserName".to_owned())
    } else if name.chars().count() > MAX_USER_NAME_CHARS {
        Some(format!(
            "a UserName longer than the {MAX_USER_NAME_CHARS} characters RAM allows"
        ))
    } else {
        None
    }
}

pub(crate) fn untrusted(operation: &str, request_id: &str, reason: impl Into<String>) -> Error {
    Error::Untrusted {
        operation: operation.to_owned(),
        request_id: request_id.to_owned(),
        reason: reason.into(),
    }
}

pub(super) fn require_request_id(operation: &str, id: &str) -> Result<(), Error> {
    if id.trim().is_empty() {
        return Err(untrusted(operation, "", "RequestId is empty"));
    }
    Ok(())
}

/// The operation.
pub const ACTION: &str = "ListUsers";

/// The operation, as a policy grants it: `ram:ListUsers`.
pub(crate) const OPERATION: Operation = Operation::new(Service::Ram, ACTION);

/// A ListUsers listing in progress: every page's answer goes through [`UserPaging::take`],
/// which refuses contradictory paging (`IsTruncated` false with a `Marker`, true without
/// one, a `Marker` again, a page longer than asked), a user name that is empty, too long
/// or listed twice, and a listing past [`MAX_USER_PAGES`],
/// [`MAX_USERS`] or [`MAX_USER_LISTING_BYTES`]: a fleet is never read from a listing cut
/// short, and a hostile endpoint cannot grow it without bound.
#[derive(Default)]
pub(super) struct UserPaging {
    pub(super) out: UserListing,
    seen: HashSet<String>,
    names: HashSet<String>,
    bytes: usize,
}

impl UserPaging {
    fn over(&self, reason: String) -> Error {
        Error::Pagination {
            operation: ACTION.to_owned(),
            pages: u32::try_from(self.out.request_ids.len()).unwrap_or(u32::MAX),
            reason,
        }
    }

    /// Whether one more page may be asked for.
    pub(super) fn may_ask(&self) -> Result<(), Error> {
        if self.out.request_ids.len() >= MAX_USER_PAGES as usize {
            return Err(self.over(format!(
                "more than the cap of {MAX_USER_PAGES} pages (MAX_USER_PAGES) without an end"
            )));
        }
        Ok(())
    }

    /// Takes one page; the Marker to ask with next, or `None` when the listing is complete.
    pub(super) fn take(&mut self, page: ListUsersPage) -> Result<Option<String>, Error> {
        require_request_id(ACTION, &page.request_id)?;
        self.bytes = self.bytes.saturating_add(page.bytes);
        if self.bytes > MAX_USER_LISTING_BYTES {
            return Err(self.over(format!(
                "its answers add up to more than the cap of {} (MAX_USER_LISTING_BYTES)",
                crate::alibaba::decode::human_bytes(MAX_USER_LISTING_BYTES)
            )));
        }
        if page.users.user.len() > MAX_USERS_PER_PAGE as usize {
            return Err(untrusted(
                ACTION,
                &page.request_id,
                format!(
                    "a page lists more users than the {MAX_USERS_PER_PAGE} asked for (MaxItems)"
                ),
            ));
        }
        if self.out.users.len() + page.users.user.len() > MAX_USERS {
            return Err(self.over(format!(
                "it lists more than the cap of {MAX_USERS} users (MAX_USERS)"
            )));
        }
        for user in &page.users.user {
            // Each name is asked of ListAccessKeys next: without one, RAM would list the
            // caller's own keys under it; twice, the same keys would be read twice.
            let name = &user.user_name;
            let wrong = if let Some(fault) = user_name_fault(name) {
                Some(format!("a user has {fault}"))
            } else if !self.names.insert(name.clone()) {
                Some(format!("user {name:?} is listed twice"))
            } else {
                None
            };
            if let Some(reason) = wrong {
                return Err(untrusted(ACTION, &page.request_id, reason));
            }
        }
        let next = page.marker.filter(|m| !m.is_empty());
        self.out.users.extend(page.users.user);
        self.out.request_ids.push(page.request_id.clone());
        if !page.is_truncated {
            if next.is_some() {
                return Err(untrusted(
                    ACTION,
                    &page.request_id,
                    "IsTruncated is false but a Marker came with it: the listing contradicts itself, and ending it there could leave users unchecked",
                ));
            }
            return Ok(None);
        }
        let next = next.ok_or_else(|| {
            untrusted(
                ACTION,
                &page.request_id,
                "IsTruncated is true but no Marker came with it",
            )
        })?;
        if !self.seen.insert(next.clone()) {
            return Err(
                self.over("a Marker came back a second time: the listing would loop".to_owned())
            );
        }
        Ok(Some(next))
    }
}

impl Client {
    /// RAM ListUsers, every page (1,000 users each, following `Marker`), through
    /// `UserPaging`: contradictory paging and a listing past its caps are errors.
    pub async fn list_ram_users(&self) -> Result<UserListing, Error> {
        let mut paging = UserPaging::default();
        let mut marker: Option<String> = None;
        loop {
            paging.may_ask()?;
            let mut params =
                BTreeMap::from([("MaxItems".to_owned(), MAX_USERS_PER_PAGE.to_string())]);
            if let Some(m) = marker.take() {
                params.insert("Marker".to_owned(), m);
            }
            let page: ListUsersPage = self
                .call_on(OPERATION, params, list_users_page)
                .await?;
            match paging.take(page)? {
                Some(next) => marker = Some(next),
                None => return Ok(paging.out),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn users(names: &[&str]) -> ListUsersPage {
        let users: Vec<String> = names
            .iter()
            .map(|n| format!(r#"{{"UserName":"{n}"}}"#))
            .collect();
        serde_json::from_str(&format!(
            r#"{{"RequestId":"R","IsTruncated":false,"Users":{{"User":[{}]}}}}"#,
            users.join(",")
        ))
        .unwrap()
    }

    #[test]
    fn a_user_name_that_ram_would_not_list_is_refused() {
        let mut paging = UserPaging::default();
        assert_eq!(paging.take(users(&["alice", "bob"])).unwrap(), None);
        let long = "a".repeat(MAX_USER_NAME_CHARS + 1);
        for (names, says) in [
            (vec!["alice", " "], "empty UserName"),
            (vec!["alice", "alice"], "\"alice\" is listed twice"),
            (vec![long.as_str()], "longer than the 64 characters"),
        ] {
            let e = UserPaging::default().take(users(&names)).unwrap_err();
            assert!(e.to_string().contains(says), "{names:?}: {e}");
        }
    }

    #[test]
    fn list_users_needs_its_flag_and_list() {
        let ok: ListUsersPage = serde_json::from_str(
            r#"{"RequestId":"R","IsTruncated":false,"Users":{"User":[{"UserName":"a","UserId":"1"}]}}"#,
        )
        .unwrap();
        assert_eq!(ok.users.user[0].user_name, "a");
        for bad in [
            r#"{"RequestId":"R","Users":{"User":[]}}"#,
            r#"{"RequestId":"R","IsTruncated":false}"#,
            r#"{"RequestId":"R","IsTruncated":false,"Users":{}}"#,
            r#"{"IsTruncated":false,"Users":{"User":[]}}"#,
            r#"{"RequestId":"R","IsTruncated":false,"Users":{"User":[{"UserId":"1"}]}}"#,
        ] {
            assert!(serde_json::from_str::<ListUsersPage>(bad).is_err(), "{bad}");
        }
    }
}
