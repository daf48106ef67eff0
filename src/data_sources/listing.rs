//! The arguments and attributes the two paginated data sources (IPs, resources) share:
//! the service, page size and item cap, and what a listing reports beside its items.

use super::args::{self, Arg};
use super::usage::{self, FRESHNESS_NOTE};
use crate::actiontrail::{Listing, PageOptions};
use crate::model::{Attribute, AttributePath, Diagnostic, Type, Value};

/// The largest page ActionTrail serves; also the default, so that a listing costs the
/// fewest calls.
pub const MAX_PAGE_SIZE: i64 = 100;

/// `service_name`, `page_size` and `max_items`.
pub fn arguments(what: &str) -> Vec<Attribute> {
    vec![
        Attribute::required("service_name", Type::String, &format!("The service whose {what} to list, by code name as `actiontrail_accesskey_last_used_products` reports it (e.g. `Ecs`, `Oss`).")),
        Attribute::optional("page_size", Type::Number, "Items per API call, 1 to 100; default 100 (fewest calls)."),
        Attribute::optional("max_items", Type::Number, &format!("Stop after this many {what} (at least 1); `truncated` then tells whether more exist. Default: all.")),
    ]
}

/// `truncated`, `request_ids` and `most_recent_used_at`.
pub fn attributes(what: &str) -> Vec<Attribute> {
    vec![
        Attribute::computed(
            "truncated",
            Type::Bool,
            &format!("Whether more {what} exist than were read, because of max_items."),
        ),
        Attribute::computed(
            "most_recent_used_at",
            Type::String,
            &format!(
                "The latest use among the {what} read, RFC 3339 UTC; null when there are none."
            ),
        ),
        Attribute::computed(
            "request_ids",
            Type::list(Type::String),
            "Request IDs of the API calls made, one per page.",
        ),
    ]
}

/// Checks `service_name`, `page_size` and `max_items`, when known.
pub fn validate(config: &Value, diags: &mut Vec<Diagnostic>) {
    let path = AttributePath::root("service_name");
    match args::string(config, "service_name", &path) {
        Ok(Arg::Known(s))
            if s.is_empty()
                || s.len() > 64
                || !s
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)) =>
        {
            diags.push(args::invalid("service_name", &path, format!("service_name {s:?} is not a service code name: use one such as \"Ecs\" or \"Oss\", as actiontrail_accesskey_last_used_products lists them.")));
        }
        Ok(_) => {}
        Err(d) => diags.push(d),
    }
    let path = AttributePath::root("page_size");
    match args::whole_number(config, "page_size", &path) {
        Ok(Arg::Known(n)) if !(1..=MAX_PAGE_SIZE).contains(&n) => {
            diags.push(args::invalid(
                "page_size",
                &path,
                format!("page_size must be between 1 and {MAX_PAGE_SIZE}, not {n}."),
            ));
        }
        Ok(_) => {}
        Err(d) => diags.push(d),
    }
    let path = AttributePath::root("max_items");
    match args::whole_number(config, "max_items", &path) {
        Ok(Arg::Known(n)) if n < 1 => {
            diags.push(args::invalid(
                "max_items",
                &path,
                format!("max_items must be at least 1, not {n}; remove it to read everything."),
            ));
        }
        Ok(_) => {}
        Err(d) => diags.push(d),
    }
}

/// The service and paging of a wholly known, valid configuration.
pub fn of(config: &Value) -> (String, PageOptions) {
    let number = |name: &str| {
        config
            .get(name)
            .and_then(Value::as_number)
            .and_then(crate::model::Number::as_i64)
    };
    let service = config
        .get("service_name")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let page_size = number("page_size")
        .and_then(|n| u32::try_from(n).ok())
        .unwrap_or(MAX_PAGE_SIZE as u32);
    let max_items = number("max_items").and_then(|n| usize::try_from(n).ok());
    (
        service,
        PageOptions {
            page_size: Some(page_size),
            max_items,
        },
    )
}

/// What every listing's state shares: its arguments as configured, its `id`, the
/// freshness note and the values of [`attributes`]. `used` reads an item's
/// UsedTimestamp.
pub fn values<T>(
    config: &Value,
    key: &str,
    service: &str,
    list: &Listing<T>,
    used: impl Fn(&T) -> Option<i64>,
) -> Vec<(&'static str, Value)> {
    let arg = |name: &str| config.get(name).cloned().unwrap_or(Value::Null);
    vec![
        ("access_key_id", arg("access_key_id")),
        ("service_name", arg("service_name")),
        ("page_size", arg("page_size")),
        ("max_items", arg("max_items")),
        ("id", Value::string(format!("{key}:{service}"))),
        ("data_freshness_note", Value::string(FRESHNESS_NOTE)),
        ("truncated", Value::Bool(list.truncated)),
        (
            "most_recent_used_at",
            usage::most_recent(list.items.iter().map(used)),
        ),
        (
            "request_ids",
            Value::List(list.request_ids.iter().map(Value::string).collect()),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(set: &[(&str, Value)]) -> Value {
        let mut m: std::collections::BTreeMap<String, Value> =
            ["access_key_id", "service_name", "page_size", "max_items"]
                .iter()
                .map(|n| ((*n).to_owned(), Value::Null))
                .collect();
        for (k, v) in set {
            m.insert((*k).into(), v.clone());
        }
        Value::Object(m)
    }

    fn paths(c: &Value) -> Vec<Option<AttributePath>> {
        let mut diags = Vec::new();
        validate(c, &mut diags);
        diags.into_iter().map(|d| d.attribute).collect()
    }

    #[test]
    fn page_size_is_one_to_a_hundred_and_max_items_at_least_one() {
        assert_eq!(
            paths(&config(&[
                ("service_name", Value::string("Ecs")),
                ("page_size", Value::int(500))
            ])),
            vec![Some(AttributePath::root("page_size"))]
        );
        assert_eq!(
            paths(&config(&[
                ("service_name", Value::string("Ecs")),
                ("page_size", Value::int(0))
            ])),
            vec![Some(AttributePath::root("page_size"))]
        );
        assert_eq!(
            paths(&config(&[
                ("service_name", Value::string("Ecs")),
                ("max_items", Value::int(0))
            ])),
            vec![Some(AttributePath::root("max_items"))]
        );
        assert_eq!(
            paths(&config(&[
                ("service_name", Value::string("")),
                ("page_size", Value::int(100)),
                ("max_items", Value::int(1))
            ])),
            vec![Some(AttributePath::root("service_name"))]
        );
        assert!(paths(&config(&[
            ("service_name", Value::string("Ecs")),
            ("page_size", Value::int(100)),
            ("max_items", Value::int(50))
        ]))
        .is_empty());
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
