//! What every usage record of the four GetAccessKeyLastUsed* listings and Info shares: a
//! time, how ActionTrail recorded the use, the raw event (`Detail`) and that event parsed.
//! Each operation's own record type is declared in its operation's file by
//! `usage_record!`, which adds these shared members and implements [`Use`] (and, for a list
//! entry, [`Entry`]), so a new operation adds no line here.
//!
//! Nothing defaults: a field the API reference and the official SDK's models mark required
//! must be present, and every field present must have its type, or decoding fails. A
//! missing field must never read as "never used".

use super::answer::Reason;
use crate::alibaba::decode::{self, Signs, UsedTimestamp};
use serde::{Deserialize, Serialize};

/// How ActionTrail learned of the use: `Internal`, `ManagementEvent` or `DataEvent`.
pub type Source = String;

/// A record of use, as every operation returns one: when, how and the raw event.
pub trait Use {
    /// When, as the strict decoder concluded it (the most recent plausible sign of use);
    /// `None` for never.
    fn used_timestamp(&self) -> Option<UsedTimestamp>;
    /// Source: Internal, ManagementEvent or DataEvent.
    fn source(&self) -> Option<&str>;
    /// Detail, the raw ActionTrail event.
    fn detail(&self) -> Option<&str>;
}

/// One entry of a listing (a product, an IP, a resource, an event): named, and itself a
/// sign of use.
pub(crate) trait Entry: Use {
    /// Whose time a reason names: `a product's `, `an IP's `.
    const WHOSE: &'static str;
    /// The reason when its name is empty: `an entry has an empty Ip`.
    const UNNAMED: &'static str;
    /// Its name, which must not be empty.
    fn name(&self) -> &str;
    /// Keeps the last use the decoder concluded.
    fn set_used_timestamp(&mut self, last: Option<UsedTimestamp>);
}

/// Checks every entry of a listing page as of `now`: each is named, and its time becomes
/// the most recent plausible sign of use among its own.
pub(crate) fn check_entries<E: Entry>(
    entries: &mut [E],
    now: decode::EpochMs,
) -> Result<(), Reason> {
    for e in entries {
        if e.name().trim().is_empty() {
            return Err(E::UNNAMED.into());
        }
        let last = decode::last_use(
            E::WHOSE,
            Signs {
                used_timestamp: e.used_timestamp().map(UsedTimestamp::ms),
                service_name: None,
                source: e.source(),
                detail: e.detail(),
                listed: true,
            },
            now,
        )?;
        e.set_used_timestamp(last);
    }
    Ok(())
}

/// Declares a usage record: the operation's own members first, then the `UsedTimestamp`,
/// `Source` and `Detail` members every record has (optional, as the API reference marks
/// them); and implements [`Use`] for it and, given its name member and reasons, [`Entry`]
/// too. Each operation's file invokes it for its own record type.
macro_rules! usage_record {
    (
        $(#[doc = $doc:literal])*
        pub struct $record:ident {
            $($(#[doc = $own_doc:literal])* pub $own:ident: $own_ty:ty,)*
        }
        $(name: $name:ident, whose: $whose:literal, unnamed: $unnamed:literal)?
    ) => {
        $(#[doc = $doc])*
        #[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "PascalCase")]
        pub struct $record {
            $($(#[doc = $own_doc])* pub $own: $own_ty,)*
            /// When this use last happened, epoch milliseconds; absent when never.
            pub used_timestamp: Option<$crate::alibaba::decode::UsedTimestamp>,
            /// How the use was recorded.
            pub source: Option<$crate::actiontrail::record::Source>,
            /// The ActionTrail event, as a JSON string.
            pub detail: Option<String>,
        }

        impl $crate::actiontrail::Use for $record {
            fn used_timestamp(&self) -> Option<$crate::alibaba::decode::UsedTimestamp> {
                self.used_timestamp
            }
            fn source(&self) -> Option<&str> {
                self.source.as_deref()
            }
            fn detail(&self) -> Option<&str> {
                self.detail.as_deref()
            }
        }

        $(impl $crate::actiontrail::record::Entry for $record {
            const WHOSE: &'static str = $whose;
            const UNNAMED: &'static str = $unnamed;
            fn name(&self) -> &str {
                &self.$name
            }
            fn set_used_timestamp(&mut self, last: Option<$crate::alibaba::decode::UsedTimestamp>) {
                self.used_timestamp = last;
            }
        })?
    };
}
pub(crate) use usage_record;

/// One `NextToken` listing operation of the GetAccessKeyLastUsed* family (Ips, Resources,
/// Events), the same but for its entries: its wire page (`RequestId`, `NextToken` and the
/// list under the operation's own name, all required), the page's decoding with every
/// entry checked ([`check_entries`]), and the [`Client`](super::Client) method that
/// follows the pages. Each operation's file invokes it beside its record type and `ACTION`.
macro_rules! usage_listing {
    (
        $(#[doc = $doc:literal])*
        fn $method:ident -> $page:ident { $items:ident: Vec<$item:ty> }
    ) => {
        /// The wire shape of one page of the operation.
        #[derive(Clone, Debug, PartialEq, serde::Deserialize)]
        #[serde(rename_all = "PascalCase")]
        pub struct $page {
            /// The request id.
            pub request_id: String,
            /// Token for the next page; empty or absent on the last one.
            pub next_token: Option<String>,
            /// This page's entries.
            pub $items: Vec<$item>,
            /// The answer's size, counted against the listing's cap.
            #[serde(skip)]
            pub bytes: usize,
        }

        impl From<$page> for $crate::actiontrail::pagination::Page<$item> {
            fn from(page: $page) -> Self {
                $crate::actiontrail::pagination::Page {
                    request_id: page.request_id,
                    next_token: page.next_token,
                    items: page.$items,
                    bytes: page.bytes,
                }
            }
        }

        /// One page of the operation.
        pub fn decode(body: &str) -> Result<$page, $crate::actiontrail::answer::Reason> {
            decode_at(body, $crate::alibaba::decode::EpochMs::now())
        }

        /// [`decode()`] as of `now`: every entry named, its time the most recent
        /// plausible sign of use among its own.
        pub fn decode_at(
            body: &str,
            now: $crate::alibaba::decode::EpochMs,
        ) -> Result<$page, $crate::actiontrail::answer::Reason> {
            let mut page: $page = $crate::actiontrail::answer::object(body)?;
            $crate::actiontrail::record::check_entries(&mut page.$items, now)?;
            page.bytes = body.len();
            Ok(page)
        }

        impl $crate::actiontrail::Client {
            $(#[doc = $doc])*
            pub async fn $method(
                &self,
                access_key_id: &(impl AsRef<str> + ?Sized),
                service_name: &str,
                options: $crate::actiontrail::PageOptions,
            ) -> Result<$crate::actiontrail::Listing<$item>, $crate::actiontrail::Error> {
                self.list_usage::<$page, _>(ACTION, access_key_id, service_name, options, |body, _| {
                    $crate::actiontrail::exchange::erase(decode(body))
                })
                .await
            }
        }
    };
}
pub(crate) use usage_listing;

/// The identity in an ActionTrail event.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct UserIdentity {
    /// `root-account`, `ram-user`, `assumed-role`...
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// User name.
    pub user_name: Option<String>,
    /// Account id.
    pub account_id: Option<String>,
    /// Principal id.
    pub principal_id: Option<String>,
    /// The AccessKey used.
    pub access_key_id: Option<String>,
}

/// An ActionTrail event, parsed from `Detail`. Unknown fields are ignored.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Event {
    /// Event id.
    pub event_id: Option<String>,
    /// The API action, e.g. `DescribeInstances`.
    pub event_name: Option<String>,
    /// The endpoint called.
    pub event_source: Option<String>,
    /// When, as ActionTrail wrote it.
    pub event_time: Option<String>,
    /// `ApiCall`, `ConsoleSignin`...
    pub event_type: Option<String>,
    /// The caller's IP.
    pub source_ip_address: Option<String>,
    /// The region.
    pub acs_region: Option<String>,
    /// The service.
    pub service_name: Option<String>,
    /// The API request id.
    pub request_id: Option<String>,
    /// The API version.
    pub api_version: Option<String>,
    /// Whether the event is global.
    pub is_global: Option<bool>,
    /// Who called.
    pub user_identity: Option<UserIdentity>,
}

impl Event {
    /// Parses a `Detail` string; `None` when it is absent or not a JSON object.
    pub fn parse(detail: Option<&str>) -> Option<Event> {
        serde_json::from_str(detail?).ok()
    }
}
