//! Where to call: the provider block's endpoint arguments (`endpoint`, `sts_endpoint`,
//! `ram_endpoint`, `resourcemanager_endpoint`, `ecs_metadata_endpoint`) and the `endpoints`
//! block, as the alicloud provider spells it: `actiontrail`, `sts`, `ram` and
//! `resourcemanager` (setting both ways for one service is an error, not a silent choice).

use crate::actiontrail::Protocol;
use crate::framework::args::{self, Arg, Argument, At, Reads};
use crate::model::{AttributePath, Block, Diagnostic, Value};

/// An endpoint as written, with the protocol its URL names, if it names one.
pub type Endpoint = (String, Option<Protocol>);

/// An endpoint as written: `host`, `host:port`, or an `http(s)://` URL with no path.
/// Returns the scheme the URL names, if it names one.
pub fn parse_endpoint(text: &str) -> Result<Option<Protocol>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("is empty".to_owned());
    }
    // Errors quote the endpoint without its user info (`ops:pw@host`), which may be a
    // password.
    let shown = crate::alibaba::redact::redact(text);
    let (scheme, url_text) = match text.split_once("://") {
        Some(("http", _)) => (Some(Protocol::Http), text.to_owned()),
        Some(("https", _)) => (Some(Protocol::Https), text.to_owned()),
        Some(_) => {
            let other = shown.split_once("://").map_or("", |(s, _)| s);
            return Err(format!(
                "has scheme {other:?}; only http:// and https:// are possible"
            ));
        }
        None => (None, format!("https://{text}")),
    };
    let url = reqwest::Url::parse(&url_text)
        .map_err(|e| format!("{shown:?} is not a host, host:port or URL: {e}"))?;
    if url.host_str().is_none_or(str::is_empty) {
        return Err(format!("{shown:?} names no host"));
    }
    if url.path() != "/"
        || url.query().is_some()
        || url.fragment().is_some()
        || !url.username().is_empty()
    {
        return Err(format!(
            "{shown:?} has a path, query or user; give only scheme, host and port"
        ));
    }
    Ok(scheme)
}

/// `endpoint`.
pub const ENDPOINT: Argument<Endpoint> = endpoint_argument(
    "endpoint",
    "ActionTrail endpoint to call instead of `actiontrail.<region>.aliyuncs.com`: a host, `host:port` or URL (`http://` implies protocol HTTP). Also `ACTIONTRAIL_ENDPOINT`.",
);
/// `ecs_metadata_endpoint`.
pub const ECS_METADATA_ENDPOINT: Argument<Endpoint> = endpoint_argument(
    "ecs_metadata_endpoint",
    "Instance metadata service to ask for the ECS role's credentials instead of `http://100.100.100.200`. A bare host is called over plain HTTP, the only protocol the metadata service speaks; plain HTTP is allowed to `100.100.100.200` and loopback, elsewhere only with `insecure_http` (write `https://` for a service behind TLS).",
);
/// `sts_endpoint`.
pub const STS_ENDPOINT: Argument<Endpoint> = endpoint_argument(
    "sts_endpoint",
    "STS endpoint assume_role and assume_role_with_oidc call instead of `sts.aliyuncs.com`. Also `ALIBABA_CLOUD_STS_ENDPOINT`.",
);
/// `ram_endpoint`.
pub const RAM_ENDPOINT: Argument<Endpoint> = endpoint_argument(
    "ram_endpoint",
    "RAM endpoint `actiontrail_accesskeys` lists users and keys at (ListUsers, ListAccessKeys) instead of `ram.aliyuncs.com`. Also `ACTIONTRAIL_RAM_ENDPOINT`.",
);
/// `resourcemanager_endpoint`.
pub const RESOURCEMANAGER_ENDPOINT: Argument<Endpoint> = endpoint_argument(
    "resourcemanager_endpoint",
    "ResourceManager endpoint a Resource Directory's accounts are listed at (ListAccounts) instead of `resourcemanager.aliyuncs.com`, which is called over HTTPS whatever `protocol` says. Also `ALIBABA_CLOUD_RESOURCEMANAGER_ENDPOINT`.",
);

/// An endpoint argument, here or in the `endpoints` block: a host, `host:port` or URL.
const fn endpoint_argument(name: &'static str, description: &'static str) -> Argument<Endpoint> {
    Argument::new(name, description, Reads::Text(endpoint))
}

fn endpoint(e: &str, at: &mut At<'_>) -> Option<Endpoint> {
    match parse_endpoint(e) {
        Ok(scheme) => Some((e.to_owned(), scheme)),
        Err(why) => at.invalid(format!("{} {why}.", at.label())),
    }
}

/// `endpoints.actiontrail`.
const ACTIONTRAIL: Argument<Endpoint> = endpoint_argument(
    "actiontrail",
    "ActionTrail endpoint, as `endpoint` (which it may not be set with).",
);
/// `endpoints.sts`.
const STS: Argument<Endpoint> = endpoint_argument(
    "sts",
    "STS endpoint for assume_role and assume_role_with_oidc, as `sts_endpoint` (which it may not be set with).",
);
/// `endpoints.ram`.
const RAM: Argument<Endpoint> = endpoint_argument(
    "ram",
    "RAM endpoint for `actiontrail_accesskeys`, as `ram_endpoint` (which it may not be set with).",
);
/// `endpoints.resourcemanager`.
const RESOURCEMANAGER: Argument<Endpoint> = endpoint_argument(
    "resourcemanager",
    "ResourceManager endpoint for a Resource Directory's accounts, as `resourcemanager_endpoint` (which it may not be set with).",
);

/// The block's schema.
pub fn block() -> Block {
    Block::of(
        vec![
            ACTIONTRAIL.attribute(),
            STS.attribute(),
            RAM.attribute(),
            RESOURCEMANAGER.attribute(),
        ],
        "Endpoints by service, as the alicloud provider names them.",
    )
}

/// What the block sets: the ActionTrail endpoint with the scheme it names, and STS.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Endpoints {
    /// `actiontrail`.
    pub actiontrail: Option<Endpoint>,
    /// `sts`.
    pub sts: Option<String>,
    /// `ram`.
    pub ram: Option<String>,
    /// `resourcemanager`.
    pub resourcemanager: Option<String>,
}

/// Checks the block against the provider block `config` it sits in.
pub fn parse(config: &Value, block: &Value, diags: &mut Vec<Diagnostic>) -> Endpoints {
    let at = AttributePath::root("endpoints");
    // Each service's endpoint, unless the single argument sets it too (known or not).
    let mut read = |service: &Argument<Endpoint>, single: &Argument<Endpoint>| {
        if service.set(block).is_known_set() && single.set(config) != Arg::Absent {
            let (service, single) = (service.name(), single.name());
            diags.push(args::invalid(
                service,
                &at.clone().attr(service),
                format!(
                    "endpoints.{service} and {single} both set the {service} endpoint; keep one."
                ),
            ));
            return None;
        }
        service.get_in(block, &at, diags)
    };
    Endpoints {
        actiontrail: read(&ACTIONTRAIL, &ENDPOINT),
        sts: read(&STS, &STS_ENDPOINT).map(|(e, _)| e),
        ram: read(&RAM, &RAM_ENDPOINT).map(|(e, _)| e),
        resourcemanager: read(&RESOURCEMANAGER, &RESOURCEMANAGER_ENDPOINT).map(|(e, _)| e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_endpoint_with_user_info_is_refused_without_quoting_the_password() {
        for text in [
            "ops:Hunter2pw@host",
            "https://ops:Hunter2pw@host",
            "u:Hunter2pw@sts.internal/x",
            "ftp://u:Hunter2pw@host",
        ] {
            let why = parse_endpoint(text).unwrap_err();
            assert!(!why.contains("Hunter2pw"), "{text}: {why}");
        }
        assert_eq!(
            parse_endpoint("http://127.0.0.1:9"),
            Ok(Some(Protocol::Http))
        );
    }
}
