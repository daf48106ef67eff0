//! The paginated data sources (IPs, resources, events): what they share is written here
//! once, the service, page size and item cap, what a listing reports beside its items,
//! and the parse and read of [`DataSource`], which every [`UsageListing`] gets as it is.

use crate::actiontrail::diagnostic::About;
use crate::actiontrail::Use;
use crate::actiontrail::{Client, Error, Listing, PageOptions};
use crate::data_sources::key;
use crate::data_sources::key::AccessKeyId;
use crate::data_sources::uses;
use crate::framework::args::{self, Argument, Reads};
use crate::framework::attribute::{Field, Fields};
use crate::framework::data_source::DataSource;
use crate::model::{Diagnostic, Type, Value};
use crate::usage::Used;

/// The largest page ActionTrail serves; also the default, so that a listing costs the
/// fewest calls.
pub const MAX_PAGE_SIZE: i64 = 100;

/// The `service_name` argument's name.
pub const SERVICE_NAME: &str = "service_name";
/// The `page_size` argument's name.
pub const PAGE_SIZE: &str = "page_size";
/// The `max_items` argument's name.
pub const MAX_ITEMS: &str = "max_items";

/// A listing data source's configuration, checked.
#[derive(Clone, Debug, PartialEq)]
pub struct Query {
    /// The key.
    pub key: AccessKeyId,
    /// The service, by code name.
    pub service: String,
    /// Page size and item cap.
    pub page: PageOptions,
}

/// A listing with its items worked out: what a listing data source's state is built from.
#[derive(Clone, Debug, PartialEq)]
pub struct Listed<T> {
    /// The key.
    pub key: AccessKeyId,
    /// The service.
    pub service: String,
    /// The items, in the API's order.
    pub items: Vec<Used<T>>,
    /// Whether `max_items` stopped the listing before its end.
    pub truncated: bool,
    /// The request id of each page.
    pub request_ids: Vec<String>,
}

impl<T: Use> Listed<T> {
    /// `list`, as read for `query`.
    pub fn new(query: &Query, list: Listing<T>) -> Listed<T> {
        Listed {
            key: query.key.clone(),
            service: query.service.clone(),
            items: list.items.into_iter().map(Used::new).collect(),
            truncated: list.truncated,
            request_ids: list.request_ids,
        }
    }
}

/// How a listing data source names its entries: the list and its description, each
/// entry's fields, and the count and its description.
pub struct Entries<T> {
    /// The list attribute, e.g. `ips`.
    pub list: &'static str,
    /// Its description.
    pub about: &'static str,
    /// The fields of each entry.
    pub item: Fields<Used<T>>,
    /// The count attribute, e.g. `ip_count`.
    pub count: &'static str,
    /// Its description.
    pub counted: &'static str,
}

/// Every field of a listing of `what` (`IPs`, `resources`): the key and the listing
/// arguments, `id`, the `entries` and their count, the data source's `own` fields, then
/// the freshness note, `truncated`, `most_recent_used_at` and `request_ids`.
pub fn fields<T: Use + 'static>(
    what: &str,
    entries: Entries<T>,
    own: impl IntoIterator<Item = Field<Listed<T>>>,
) -> Fields<Listed<T>> {
    Fields::new()
        .with(key::ACCESS_KEY.field())
        .with(SERVICE.field_described(format!("The service whose {what} to list, by code name as `actiontrail_accesskey_last_used_products` reports it (e.g. `Ecs`, `Oss`).")))
        .with(PAGE.field())
        .with(MAX.field_described(format!("Stop after this many {what} (at least 1); `truncated` then tells whether more exist. Default: all.")))
        .with(Field::computed("id", Type::String, "`<access_key_id>:<service_name>`.", |l: &Listed<T>| {
            Value::string(format!("{}:{}", l.key, l.service))
        }))
        .with(Field::list(
            entries.list,
            entries.about,
            entries.item,
            |l: &Listed<T>| &l.items,
        ))
        .with(uses::count(
            entries.count,
            entries.counted,
            |l: &Listed<T>| &l.items,
        ))
        .and(own)
        .with(uses::freshness_note())
        .with(Field::computed(
            "truncated",
            Type::Bool,
            format!("Whether more {what} exist than were read, because of max_items."),
            |l: &Listed<T>| Value::Bool(l.truncated),
        ))
        .with(uses::most_recent_used_at(
            format!("The latest use among the {what} read, RFC 3339 UTC; null when there are none."),
            |l: &Listed<T>| &l.items,
        ))
        .with(Field::computed(
            "request_ids",
            Type::list(Type::String),
            "Request IDs of the API calls made, one per page.",
            |l: &Listed<T>| Value::List(l.request_ids.iter().map(Value::string).collect()),
        ))
}

/// A data source listing one GetAccessKeyLastUsed* operation's entries for a key and a
/// service, every page. Only its names, its attributes and its call are its own: its
/// arguments, their checks and its read are the same for all, so each is a
/// [`DataSource`] through this trait alone.
#[async_trait::async_trait]
pub trait UsageListing: Send + Sync + 'static {
    /// The operation's entry, e.g. [`crate::actiontrail::IpUsage`].
    type Item: Use + Send + Sync + 'static;

    /// The type name users write after `data`.
    const TYPE_NAME: &'static str;
    /// One paragraph about the data source.
    const DESCRIPTION: &'static str;
    /// The operation, named in a failed read's diagnostic.
    const ACTION: &'static str;

    /// Every attribute: [`fields`] with its entries and its own.
    fn attributes() -> Fields<Listed<Self::Item>>;

    /// Every page of the operation for `q`.
    async fn list(client: &Client, q: &Query) -> Result<Listing<Self::Item>, Error>;
}

#[async_trait::async_trait]
impl<L: UsageListing> DataSource for L {
    type Client = Client;
    type Config = Query;
    type Answer = Listed<L::Item>;

    const TYPE_NAME: &'static str = <L as UsageListing>::TYPE_NAME;
    const DESCRIPTION: &'static str = <L as UsageListing>::DESCRIPTION;

    fn fields() -> Fields<Listed<L::Item>> {
        L::attributes()
    }

    fn parse(config: &Value, diags: &mut Vec<Diagnostic>) -> Option<Query> {
        parse(config, diags)
    }

    /// The listing, whose failure becomes a diagnostic about the key.
    async fn read(client: &Client, q: &Query) -> Result<Listed<L::Item>, Diagnostic> {
        tracing::debug!(access_key_id = %q.key, service_name = %q.service, "reading {}", <L as UsageListing>::TYPE_NAME);
        let list = client
            .diagnosed(L::ACTION, About::Key(q.key.as_str()), L::list(client, q))
            .await?;
        Ok(Listed::new(q, list))
    }
}

/// The state the listing data source `D` gives for `list`, read for `key` and `service`
/// (for the data sources' tests).
#[cfg(test)]
pub(crate) fn state_of<D, T>(config: &Value, key: &str, service: &str, list: &Listing<T>) -> Value
where
    D: crate::framework::DataSource<Answer = Listed<T>>,
    T: Use + Clone,
{
    let q = Query {
        key: AccessKeyId::listed(key),
        service: service.to_owned(),
        page: PageOptions::default(),
    };
    crate::framework::data_source::Entry::<D>::new().state(config, &Listed::new(&q, list.clone()))
}

/// `service_name`: a service's code name, as GetAccessKeyLastUsedProducts lists it (its
/// description names what the listing lists, so each listing gives its own).
const SERVICE: Argument<String> = Argument::new(SERVICE_NAME, "", Reads::Text(|s, at| {
    if args::is_name(s, 64, b"-_.") {
        Some(s.to_owned())
    } else {
        at.invalid(format!("service_name {s:?} is not a service code name: use one such as \"Ecs\" or \"Oss\", as actiontrail_accesskey_last_used_products lists them."))
    }
})).required();

/// `page_size`: items per call, 1 to [`MAX_PAGE_SIZE`].
const PAGE: Argument<u32> = Argument::new(
    PAGE_SIZE,
    "Items per API call, 1 to 100; default 100 (fewest calls).",
    Reads::Whole(|n, at| match u32::try_from(n) {
        Ok(size) if (1..=MAX_PAGE_SIZE).contains(&n) => Some(size),
        _ => at.invalid(format!(
            "page_size must be between 1 and {MAX_PAGE_SIZE}, not {n}."
        )),
    }),
);

/// `max_items`: at most this many items (its description names what is listed).
const MAX: Argument<usize> = Argument::new(
    MAX_ITEMS,
    "",
    Reads::Whole(|n, at| match usize::try_from(n) {
        Ok(max) if n >= 1 => Some(max),
        _ => at.invalid(format!(
            "max_items must be at least 1, not {n}; remove it to read everything."
        )),
    }),
);

/// Checks the key, `service_name`, `page_size` and `max_items`; the query, when every
/// one is known and valid.
pub fn parse(config: &Value, diags: &mut Vec<Diagnostic>) -> Option<Query> {
    let key = key::ACCESS_KEY.get(config, diags);
    let service = SERVICE.get(config, diags);
    let page_size = PAGE.or(config, diags, MAX_PAGE_SIZE as u32);
    let max_items = MAX.optional(config, diags);
    Some(Query {
        key: key?,
        service: service?,
        page: PageOptions {
            page_size: Some(page_size?),
            max_items: max_items?,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::AttributePath;

    fn config(set: &[(&str, Value)]) -> Value {
        let mut m: std::collections::BTreeMap<String, Value> =
            [key::ACCESS_KEY_ID, SERVICE_NAME, PAGE_SIZE, MAX_ITEMS]
                .iter()
                .map(|n| ((*n).to_owned(), Value::Null))
                .collect();
        m.insert(
            key::ACCESS_KEY_ID.into(),
            Value::string("LTAI5tRecentUse000000001"),
        );
        for (k, v) in set {
            m.insert((*k).into(), v.clone());
        }
        Value::Object(m)
    }

    fn paths(c: &Value) -> Vec<Option<AttributePath>> {
        let mut diags = Vec::new();
        parse(c, &mut diags);
        diags.into_iter().map(|d| d.attribute).collect()
    }

    #[test]
    fn page_size_is_one_to_a_hundred_and_max_items_at_least_one() {
        let ecs = ("service_name", Value::string("Ecs"));
        // The arguments set, and where the one diagnostic lands (none: valid).
        type Case<'a> = (&'a [(&'a str, Value)], Option<&'a str>);
        let cases: [Case<'_>; 5] = [
            (
                &[ecs.clone(), ("page_size", Value::int(500))],
                Some("page_size"),
            ),
            (
                &[ecs.clone(), ("page_size", Value::int(0))],
                Some("page_size"),
            ),
            (
                &[ecs.clone(), ("max_items", Value::int(0))],
                Some("max_items"),
            ),
            (
                &[
                    ("service_name", Value::string("")),
                    ("page_size", Value::int(100)),
                    ("max_items", Value::int(1)),
                ],
                Some("service_name"),
            ),
            (
                &[
                    ecs.clone(),
                    ("page_size", Value::int(100)),
                    ("max_items", Value::int(50)),
                ],
                None,
            ),
        ];
        for (set, at) in cases {
            let want: Vec<_> = at
                .map(|a| Some(AttributePath::root(a)))
                .into_iter()
                .collect();
            assert_eq!(paths(&config(set)), want, "{set:?}");
        }
    }

    #[test]
    fn unknowns_pass() {
        assert!(paths(&config(&[
            ("service_name", Value::Unknown),
            ("page_size", Value::Unknown),
            ("max_items", Value::Unknown)
        ]))
        .is_empty());
    }

    #[test]
    fn paging_defaults_to_the_largest_page_and_no_cap() {
        let of = |c: &Value| {
            let q = parse(c, &mut Vec::new()).expect("a known, valid query");
            (q.service, q.page)
        };
        let (service, opts) = of(&config(&[("service_name", Value::string("Oss"))]));
        assert_eq!(service, "Oss");
        assert_eq!(opts.page_size, Some(100));
        assert_eq!(opts.max_items, None);
        let (_, opts) = of(&config(&[
            ("service_name", Value::string("Oss")),
            ("page_size", Value::int(30)),
            ("max_items", Value::int(75)),
        ]));
        assert_eq!((opts.page_size, opts.max_items), (Some(30), Some(75)));
    }
}
