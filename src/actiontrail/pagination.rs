//! Following NextToken: at the largest page size, to an optional item cap, and never in
//! a loop.

use super::client::Client;
use super::exchange::Decoder;
use super::Error;
use std::collections::BTreeMap;
use std::collections::HashSet;
use std::future::Future;

/// The API's largest page.
pub const MAX_PAGE_SIZE: u32 = 100;
/// A listing this long is a server bug, not data: stop instead of looping forever.
pub const MAX_PAGES: u32 = 10_000;
/// The most answer bytes one listing may take, all pages together: as RAM's user listing
/// (`list_users::MAX_USER_LISTING_BYTES`), so that a hostile endpoint handing out fresh
/// tokens and full pages cannot grow a listing without bound before [`MAX_PAGES`].
pub const MAX_LISTING_BYTES: usize = 64 * 1024 * 1024;

/// How much of a listing to fetch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageOptions {
    /// Items per page, 1 to 100 (default 100: fewest requests).
    pub page_size: Option<u32>,
    /// Stop after this many items (default: all).
    pub max_items: Option<usize>,
}

impl Default for PageOptions {
    fn default() -> PageOptions {
        PageOptions {
            page_size: Some(MAX_PAGE_SIZE),
            max_items: None,
        }
    }
}

impl PageOptions {
    /// The page size sent: the requested one clamped to 1..=100.
    pub fn effective_page_size(&self) -> u32 {
        self.page_size
            .unwrap_or(MAX_PAGE_SIZE)
            .clamp(1, MAX_PAGE_SIZE)
    }
}

/// A listing gathered across pages.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Listing<T> {
    /// The items, in the order the API returned them.
    pub items: Vec<T>,
    /// Pages fetched.
    pub pages: u32,
    /// True when `max_items` stopped the listing before its end.
    pub truncated: bool,
    /// The request id of each page.
    pub request_ids: Vec<String>,
}

/// One page as the operation returned it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Page<T> {
    pub request_id: String,
    pub next_token: Option<String>,
    pub items: Vec<T>,
    /// The size of the answer it came in.
    pub bytes: usize,
}

/// Fetches pages with `fetch(next_token, page_size)` until the token is empty, the cap is
/// reached, or something is wrong: a repeated token, a page longer than asked, too many
/// pages, or more than [`MAX_LISTING_BYTES`] of answers.
pub(crate) async fn paginate<T, F, Fut>(
    operation: &str,
    options: PageOptions,
    mut fetch: F,
) -> Result<Listing<T>, Error>
where
    F: FnMut(Option<String>, u32) -> Fut,
    Fut: Future<Output = Result<Page<T>, Error>>,
{
    let page_size = options.effective_page_size();
    let mut listing = Listing {
        items: Vec::new(),
        pages: 0,
        truncated: false,
        request_ids: Vec::new(),
    };
    if options.max_items == Some(0) {
        listing.truncated = true;
        return Ok(listing);
    }
    let mut seen = HashSet::new();
    let mut token: Option<String> = None;
    let mut bytes = 0usize;
    let refused = |pages: u32, reason: String| Error::Pagination {
        operation: operation.to_owned(),
        pages,
        reason,
    };
    loop {
        if listing.pages >= MAX_PAGES {
            return Err(refused(
                listing.pages,
                format!("more than {MAX_PAGES} pages"),
            ));
        }
        let page = fetch(token.take(), page_size).await?;
        listing.pages += 1;
        if page.items.len() > page_size as usize {
            return Err(refused(
                listing.pages,
                format!(
                    "page {} holds {} entries, more than the PageSize of {page_size} asked",
                    listing.pages,
                    page.items.len()
                ),
            ));
        }
        bytes = bytes.saturating_add(page.bytes);
        if bytes > MAX_LISTING_BYTES {
            return Err(refused(
                listing.pages,
                format!(
                    "its answers pass the cap of {} MiB for one listing (MAX_LISTING_BYTES)",
                    MAX_LISTING_BYTES >> 20
                ),
            ));
        }
        listing.request_ids.push(page.request_id);
        let next = page.next_token.filter(|t| !t.is_empty());
        let mut items = page.items;
        if let Some(cap) = options.max_items {
            let room = cap.saturating_sub(listing.items.len());
            if items.len() > room || (items.len() == room && next.is_some()) {
                items.truncate(room);
                listing.items.extend(items);
                listing.truncated = true;
                return Ok(listing);
            }
        }
        listing.items.extend(items);
        let Some(next) = next else {
            return Ok(listing);
        };
        if !seen.insert(next.clone()) {
            // The token is the API's to choose, so it is named by its size, never quoted.
            return Err(refused(
                listing.pages,
                format!("a NextToken ({} bytes) came back a second time", next.len()),
            ));
        }
        token = Some(next);
    }
}

impl Client {
    /// A paged usage listing (Ips, Resources, Events): `AccessKey`, `ServiceName`,
    /// `PageSize` and `NextToken`, each page an answer of `action` decoded by `decode` as
    /// the wire page `P`, followed to the end or `options.max_items`.
    pub(super) async fn list_usage<P, T>(
        &self,
        action: &'static str,
        access_key_id: &(impl AsRef<str> + ?Sized),
        service_name: &str,
        options: PageOptions,
        decode: Decoder,
    ) -> Result<Listing<T>, Error>
    where
        P: Into<Page<T>> + Clone + Send + Sync + 'static,
    {
        paginate(action, options, |token, size| async move {
            let params = page_params(access_key_id, service_name, token, size);
            let page: P = self.call(action, params, decode).await?;
            Ok(page.into())
        })
        .await
    }
}

fn page_params(
    access_key_id: &(impl AsRef<str> + ?Sized),
    service_name: &str,
    token: Option<String>,
    page_size: u32,
) -> BTreeMap<String, String> {
    let mut p = BTreeMap::from([
        ("AccessKey".to_owned(), access_key_id.as_ref().to_owned()),
        ("ServiceName".to_owned(), service_name.to_owned()),
        ("PageSize".to_owned(), page_size.to_string()),
    ]);
    if let Some(t) = token {
        p.insert("NextToken".to_owned(), t);
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    type Calls = Arc<Mutex<Vec<(Option<String>, u32)>>>;

    /// A fake API: `pages[i]` are the items of page i; tokens are "t1", "t2"...
    fn fake(
        pages: Vec<Vec<u32>>,
        calls: Calls,
    ) -> impl FnMut(Option<String>, u32) -> std::future::Ready<Result<Page<u32>, Error>> {
        move |token, size| {
            calls.lock().unwrap().push((token.clone(), size));
            let i: usize = token
                .as_deref()
                .map(|t| t.trim_start_matches('t').parse().unwrap())
                .unwrap_or(0);
            let next = (i + 1 < pages.len()).then(|| format!("t{}", i + 1));
            std::future::ready(Ok(Page {
                request_id: format!("r{i}"),
                next_token: next,
                items: pages[i].clone(),
                bytes: 1024,
            }))
        }
    }

    fn block<F: Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(f)
    }

    #[test]
    fn follows_next_token_until_empty_at_page_size_100() {
        let calls = Arc::new(Mutex::new(Vec::new()));
        let pages = vec![vec![1, 2], vec![3], vec![4, 5]];
        let l = block(paginate(
            "Op",
            PageOptions::default(),
            fake(pages, calls.clone()),
        ))
        .unwrap();
        assert_eq!(l.items, vec![1, 2, 3, 4, 5]);
        assert_eq!(l.pages, 3);
        assert!(!l.truncated);
        assert_eq!(l.request_ids, vec!["r0", "r1", "r2"]);
        let calls = calls.lock().unwrap();
        assert_eq!(calls[0], (None, 100));
        assert_eq!(calls[2], (Some("t2".into()), 100));
    }

    #[test]
    fn the_cap_truncates_and_stops_fetching() {
        let calls = Arc::new(Mutex::new(Vec::new()));
        let pages = vec![vec![1, 2, 3], vec![4, 5, 6], vec![7]];
        let opts = PageOptions {
            page_size: Some(3),
            max_items: Some(4),
        };
        let l = block(paginate("Op", opts, fake(pages, calls.clone()))).unwrap();
        assert_eq!(l.items, vec![1, 2, 3, 4]);
        assert!(l.truncated);
        assert_eq!(calls.lock().unwrap().len(), 2, "no third page");
    }

    #[test]
    fn a_cap_met_exactly_at_the_last_page_is_not_truncated() {
        let calls = Arc::new(Mutex::new(Vec::new()));
        let opts = PageOptions {
            page_size: None,
            max_items: Some(3),
        };
        let l = block(paginate("Op", opts, fake(vec![vec![1, 2, 3]], calls))).unwrap();
        assert_eq!(l.items.len(), 3);
        assert!(!l.truncated);
        let calls = Arc::new(Mutex::new(Vec::new()));
        let opts = PageOptions {
            page_size: None,
            max_items: Some(3),
        };
        let l = block(paginate(
            "Op",
            opts,
            fake(vec![vec![1, 2, 3], vec![4]], calls),
        ))
        .unwrap();
        assert!(l.truncated, "a next page exists");
    }

    #[test]
    fn an_empty_first_page_is_an_empty_listing() {
        let calls = Arc::new(Mutex::new(Vec::new()));
        let l = block(paginate(
            "Op",
            PageOptions::default(),
            fake(vec![vec![]], calls),
        ))
        .unwrap();
        assert!(l.items.is_empty());
        assert_eq!(l.pages, 1);
        assert!(!l.truncated);
    }

    #[test]
    fn empty_pages_with_a_token_are_followed() {
        let calls = Arc::new(Mutex::new(Vec::new()));
        let pages = vec![vec![], vec![], vec![9]];
        let l = block(paginate("Op", PageOptions::default(), fake(pages, calls))).unwrap();
        assert_eq!(l.items, vec![9]);
        assert_eq!(l.pages, 3);
    }

    #[test]
    fn a_repeated_token_is_an_error_not_a_loop() {
        let mut n = 0;
        let err = block(paginate(
            "GetAccessKeyLastUsedIps",
            PageOptions::default(),
            |_, _| {
                n += 1;
                std::future::ready(Ok(Page {
                    request_id: "r".into(),
                    next_token: Some(if n < 3 { format!("t{n}") } else { "t1".into() }),
                    items: vec![n],
                    bytes: 64,
                }))
            },
        ))
        .unwrap_err();
        match err {
            Error::Pagination { pages, reason, .. } => {
                assert_eq!(pages, 3);
                assert_eq!(reason, "a NextToken (2 bytes) came back a second time");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_page_longer_than_asked_and_a_listing_past_its_bytes_are_errors() {
        let calls = Calls::default();
        let options = PageOptions {
            page_size: Some(3),
            max_items: None,
        };
        let err = block(paginate("Op", options, fake(vec![vec![1, 2, 3, 4]], calls))).unwrap_err();
        assert!(
            err.to_string()
                .contains("page 1 holds 4 entries, more than the PageSize of 3 asked"),
            "{err}"
        );
        // Fresh tokens and pages of 16 MiB: the fifth page passes the 64 MiB cap.
        let mut n = 0u32;
        let err = block(paginate("Op", PageOptions::default(), |_, _| {
            n += 1;
            std::future::ready(Ok(Page {
                request_id: format!("r{n}"),
                next_token: Some(format!("t{n}")),
                items: vec![n],
                bytes: 16 << 20,
            }))
        }))
        .unwrap_err();
        match err {
            Error::Pagination { pages, reason, .. } => {
                assert_eq!(pages, 5);
                assert!(reason.contains("MAX_LISTING_BYTES"), "{reason}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn endless_pages_stop_at_the_page_limit() {
        let mut n = 0u64;
        let err = block(paginate("Op", PageOptions::default(), |_, _| {
            n += 1;
            std::future::ready(Ok(Page::<u8> {
                request_id: String::new(),
                next_token: Some(n.to_string()),
                items: vec![],
                bytes: 64,
            }))
        }))
        .unwrap_err();
        assert!(
            matches!(
                err,
                Error::Pagination {
                    pages: MAX_PAGES,
                    ..
                }
            ),
            "{err:?}"
        );
    }

    #[test]
    fn page_size_is_clamped_to_the_api_range() {
        let p = |s| PageOptions {
            page_size: Some(s),
            max_items: None,
        };
        assert_eq!(p(0).effective_page_size(), 1);
        assert_eq!(p(500).effective_page_size(), 100);
        assert_eq!(p(30).effective_page_size(), 30);
    }
}
