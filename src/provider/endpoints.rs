//! The `endpoints` block, as the alicloud provider spells it: `actiontrail`, `sts`, `ram`
//! and `resourcemanager`, beside the single `endpoint`, `sts_endpoint`, `ram_endpoint` and
//! `resourcemanager_endpoint` arguments (setting both ways for one service is an error,
//! not a silent choice).

use crate::actiontrail::Protocol;
use crate::framework::args::{self, Arg};
use crate::model::{Attribute, AttributePath, Block, Diagnostic, Value};

/// An endpoint as written: `host`, `host:port`, or an `http(s)://` URL with no path.
/// Returns the scheme the URL names, if it names one.
pub fn parse_endpoint(text: &str) -> Result<Option<Protocol>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("is empty".to_owned());
    }
    let (scheme, url_text) = match text.split_once("://") {
        Some(("http", _)) => (Some(Protocol::Http), text.to_owned()),
        Some(("https", _)) => (Some(Protocol::Https), text.to_owned()),
        Some((other, _)) => {
            return Err(format!(
                "has scheme {other:?}; only http:// and https:// are possible"
            ))
        }
        None => (None, format!("https://{text}")),
    };
    let url = reqwest::Url::parse(&url_text)
        .map_err(|e| format!("{text:?} is not a host, host:port or URL: {e}"))?;
    if url.host_str().is_none_or(str::is_empty) {
        return Err(format!("{text:?} names no host"));
    }
    if url.path() != "/"
        || url.query().is_some()
        || url.fragment().is_some()
        || !url.username().is_empty()
    {
        return Err(format!(
            "{text:?} has a path, query or user; give only scheme, host and port"
        ));
    }
    Ok(scheme)
}

/// The services whose endpoint the block sets, and the single argument each mirrors.
pub const SERVICES: [(&str, &str); 4] = [
    ("actiontrail", "endpoint"),
    ("sts", "sts_endpoint"),
    ("ram", "ram_endpoint"),
    ("resourcemanager", "resourcemanager_endpoint"),
];

/// The block's schema.
pub fn block() -> Block {
    Block::of(
        vec![
            Attribute::optional("actiontrail", crate::model::Type::String, "ActionTrail endpoint, as `endpoint` (which it may not be set with)."),
            Attribute::optional("sts", crate::model::Type::String, "STS endpoint for assume_role and assume_role_with_oidc, as `sts_endpoint` (which it may not be set with)."),
            Attribute::optional("ram", crate::model::Type::String, "RAM endpoint for `actiontrail_accesskeys`, as `ram_endpoint` (which it may not be set with)."),
            Attribute::optional("resourcemanager", crate::model::Type::String, "ResourceManager endpoint for a Resource Directory's accounts, as `resourcemanager_endpoint` (which it may not be set with)."),
        ],
        "Endpoints by service, as the alicloud provider names them.",
    )
}

/// What the block sets: the ActionTrail endpoint with the scheme it names, and STS.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Endpoints {
    /// `actiontrail`.
    pub actiontrail: Option<(String, Option<Protocol>)>,
    /// `sts`.
    pub sts: Option<String>,
    /// `ram`.
    pub ram: Option<String>,
    /// `resourcemanager`.
    pub resourcemanager: Option<String>,
}

/// Checks the block against the provider block `config` it sits in.
pub fn parse(config: &Value, block: &Value, diags: &mut Vec<Diagnostic>) -> Endpoints {
    let mut out = Endpoints::default();
    for (service, single) in SERVICES {
        let path = AttributePath::root("endpoints").attr(service);
        let Arg::Known(e) = args::string_collecting(block, service, path.clone(), diags) else {
            continue;
        };
        if args::string(config, single, &AttributePath::root(single))
            .is_ok_and(|a| a != Arg::Absent)
        {
            diags.push(args::invalid(
                service,
                &path,
                format!(
                    "endpoints.{service} and {single} both set the {service} endpoint; keep one."
                ),
            ));
            continue;
        }
        match parse_endpoint(e) {
            Ok(scheme) if service == "actiontrail" => {
                out.actiontrail = Some((e.to_owned(), scheme))
            }
            Ok(_) if service == "sts" => out.sts = Some(e.to_owned()),
            Ok(_) if service == "ram" => out.ram = Some(e.to_owned()),
            Ok(_) => out.resourcemanager = Some(e.to_owned()),
            Err(why) => diags.push(args::invalid(
                service,
                &path,
                format!("endpoints.{service} {why}."),
            )),
        }
    }
    out
}
