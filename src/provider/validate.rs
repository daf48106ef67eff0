//! The provider block's static checks, made once per phase: [`parse`] reports every bad
//! argument at its path and hands on what the block says, typed.

use crate::actiontrail::{CredentialsConfig, Protocol, SignatureAlgorithm};
use crate::alibaba::endpoint::TransportPolicy;
use crate::alibaba::secret::Secret;
use crate::framework::args::{self, Arg};
use crate::model::{AttributePath, Diagnostic, Value};
use crate::provider::bounds::whole_number_within;
use crate::provider::{assume_role, endpoints, oidc};
use crate::usage::duration;
use std::path::PathBuf;
use std::time::Duration;

/// The most retries accepted: beyond that a plan would hang for minutes on an outage.
pub const MAX_RETRIES: i64 = 20;
/// The most API calls in flight accepted: beyond it, throttling costs more than it saves.
pub const MAX_CONCURRENCY: i64 = 100;
/// The highest `max_requests_per_second` accepted: far above any API quota, so a value
/// past it is a typo, not a plan.
pub const MAX_REQUESTS_PER_SECOND: f64 = 10_000.0;

/// An error at the top-level argument `name`.
fn invalid(name: &str, detail: impl Into<String>) -> Diagnostic {
    args::invalid(name, &root(name), detail)
}

fn root(name: &str) -> AttributePath {
    AttributePath::root(name)
}

/// Whether `region` looks like a region id: `cn-hangzhou`, `ap-southeast-1`, `us-west-1`.
pub fn valid_region(region: &str) -> bool {
    let Some((area, rest)) = region.split_once('-') else {
        return false;
    };
    area.len() >= 2
        && area.bytes().all(|b| b.is_ascii_lowercase())
        && !rest.is_empty()
        && rest
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn parse_protocol(text: &str) -> Option<Protocol> {
    match text.to_ascii_uppercase().as_str() {
        "HTTPS" => Some(Protocol::Https),
        "HTTP" => Some(Protocol::Http),
        _ => None,
    }
}

fn parse_signing(text: &str) -> Option<SignatureAlgorithm> {
    match text.to_ascii_uppercase().as_str() {
        "HMAC-SHA1" => Some(SignatureAlgorithm::HmacSha1),
        "ACS3-HMAC-SHA256" => Some(SignatureAlgorithm::Acs3HmacSha256),
        _ => None,
    }
}

/// The provider block, parsed: each argument known and valid, or `None`. What concerns
/// credentials is read straight into the credentials chain's own configuration.
#[derive(Clone, Default, PartialEq)]
pub struct ProviderConfig {
    /// `region`.
    pub region: Option<String>,
    /// `endpoint`, as written, with the protocol its URL names, if it names one.
    pub endpoint: Option<(String, Option<Protocol>)>,
    /// `protocol`.
    pub protocol: Option<Protocol>,
    /// `signature_algorithm`.
    pub signature: Option<SignatureAlgorithm>,
    /// `max_retries`.
    pub max_retries: Option<u32>,
    /// `timeout`.
    pub timeout: Option<Duration>,
    /// `ram_endpoint`.
    pub ram_endpoint: Option<String>,
    /// `max_concurrency`.
    pub max_concurrency: Option<usize>,
    /// `resourcemanager_endpoint`.
    pub resourcemanager_endpoint: Option<String>,
    /// `max_requests_per_second`.
    pub max_requests_per_second: Option<f64>,
    /// The static key, profile and files, the ECS role, the STS endpoint, both role
    /// blocks (`assume_role` when its `role_arn` is known, `assume_role_with_oidc` when
    /// both its ARNs are), `credentials_uri` and `insecure_http`.
    pub credentials: CredentialsConfig,
}

/// Checks the provider block, once: the diagnostics, each at its argument, and what the
/// block says. Unknown values pass and do not count as set.
pub fn parse(config: &Value) -> (ProviderConfig, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let mut s = |name: &str| args::string_collecting(config, name, root(name), &mut diags);
    let access_key = s("access_key");
    let secret_key = s("secret_key");
    let security_token = s("security_token");
    let region = s("region");
    let endpoint = s("endpoint");
    let protocol = s("protocol");
    let signing = s("signature_algorithm");
    let timeout = s("timeout");
    let others = [
        ("profile", s("profile")),
        ("shared_credentials_file", s("shared_credentials_file")),
        ("credentials_file", s("credentials_file")),
        ("ecs_role_name", s("ecs_role_name")),
    ];
    let metadata = s("ecs_metadata_endpoint");
    let sts = s("sts_endpoint");
    let ram = s("ram_endpoint");
    let resourcemanager = s("resourcemanager_endpoint");
    let credentials_uri = s("credentials_uri");
    let owned = |a: Arg<&str>| a.known().map(str::to_owned);
    // Secrets become `Secret`s, and so known to the scrubber, as soon as they are read.
    let secret = |a: Arg<&str>| a.known().map(Secret::new);
    let path = |a: Arg<&str>| a.known().map(PathBuf::from);
    let mut out = ProviderConfig {
        ram_endpoint: owned(ram),
        resourcemanager_endpoint: owned(resourcemanager),
        credentials: CredentialsConfig {
            access_key: owned(access_key),
            secret_key: secret(secret_key),
            security_token: secret(security_token),
            profile: owned(others[0].1),
            shared_credentials_file: path(others[1].1),
            credentials_file: path(others[2].1),
            ecs_role_name: owned(others[3].1),
            ecs_metadata_endpoint: owned(metadata),
            sts_endpoint: owned(sts),
            credentials_uri: secret(credentials_uri),
            transport: TransportPolicy {
                insecure_http: matches!(config.get("insecure_http"), Some(Value::Bool(true))),
            },
            ..CredentialsConfig::default()
        },
        ..ProviderConfig::default()
    };
    if let Arg::Known(uri) = credentials_uri {
        oidc::check_credentials_uri(uri, &mut diags);
    }

    for (name, value) in [
        ("access_key", access_key),
        ("secret_key", secret_key),
        ("security_token", security_token),
    ] {
        if value.known().is_some_and(|v| v.trim().is_empty()) {
            diags.push(invalid(
                name,
                format!("{name} is empty; remove it to take credentials from elsewhere."),
            ));
        }
    }
    for (name, value) in others {
        if value.known().is_some_and(|v| v.trim().is_empty()) {
            diags.push(invalid(
                name,
                format!("{name} is empty; remove it or name something."),
            ));
        }
    }
    // A half-configured static key is a mistake, not a request to look elsewhere. Only a
    // known value counts as set, and only a null as missing: an unknown may be either.
    if access_key.is_known_set() && secret_key == Arg::Absent {
        diags.push(invalid("access_key", "access_key is set but secret_key is not: set both (for example from variables), or neither to use the environment, a profile, an ECS role or assume_role."));
    }
    if secret_key.is_known_set() && access_key == Arg::Absent {
        diags.push(invalid(
            "secret_key",
            "secret_key is set but access_key is not: set both, or neither.",
        ));
    }
    if security_token.is_known_set() && (access_key == Arg::Absent || secret_key == Arg::Absent) {
        diags.push(invalid("security_token", "security_token belongs to temporary credentials: set access_key and secret_key with it (the STS AccessKey ID and secret)."));
    }
    if let Arg::Known(r) = region {
        if valid_region(r) {
            out.region = Some(r.to_owned());
        } else {
            diags.push(invalid("region", format!("region {r:?} is not a region ID: write one such as \"cn-hangzhou\" or \"ap-southeast-1\" (lower case letters, digits and dashes).")));
        }
    }
    let mut endpoint_scheme = None;
    for (name, value) in [
        ("endpoint", endpoint),
        ("ecs_metadata_endpoint", metadata),
        ("sts_endpoint", sts),
        ("ram_endpoint", ram),
        ("resourcemanager_endpoint", resourcemanager),
    ] {
        if let Arg::Known(e) = value {
            match endpoints::parse_endpoint(e) {
                Ok(scheme) if name == "endpoint" => {
                    endpoint_scheme = scheme;
                    out.endpoint = Some((e.to_owned(), scheme));
                }
                Ok(_) => {}
                Err(why) => diags.push(invalid(name, format!("{name} {why}."))),
            }
        }
    }
    if let Arg::Known(p) = protocol {
        match parse_protocol(p) {
            None => diags.push(invalid(
                "protocol",
                format!("protocol {p:?} is neither \"HTTPS\" nor \"HTTP\"."),
            )),
            Some(scheme) => {
                out.protocol = Some(scheme);
                if endpoint_scheme.is_some_and(|e| e != scheme) {
                    diags.push(invalid(
                        "protocol",
                        format!(
                            "protocol {p:?} contradicts the scheme of endpoint; drop one of them."
                        ),
                    ));
                }
            }
        }
    }
    if let Arg::Known(a) = signing {
        out.signature = parse_signing(a);
        if out.signature.is_none() {
            diags.push(invalid(
                "signature_algorithm",
                format!(
                    "signature_algorithm {a:?} is neither \"HMAC-SHA1\" nor \"ACS3-HMAC-SHA256\"."
                ),
            ));
        }
    }
    if let Arg::Known(t) = timeout {
        match duration::parse_timeout(t) {
            Ok(t) => out.timeout = Some(t),
            Err(e) => diags.push(invalid("timeout", format!("timeout {e}."))),
        }
    }
    out.max_retries = whole_number_within(
        config,
        "max_retries",
        &root("max_retries"),
        0..=MAX_RETRIES,
        "",
        &mut diags,
    );
    out.max_concurrency = whole_number_within(
        config,
        "max_concurrency",
        &root("max_concurrency"),
        1..=MAX_CONCURRENCY,
        "",
        &mut diags,
    );
    out.max_requests_per_second = max_requests_per_second(config, &mut diags);
    if let Arg::Known(block) = args::block(config, "assume_role") {
        out.credentials.assume_role = assume_role::parse(block, &mut diags);
    }
    if let Arg::Known(block) = args::block(config, "assume_role_with_oidc") {
        out.credentials.assume_role_with_oidc = oidc::parse(block, &mut diags);
    }
    if let Arg::Known(block) = args::block(config, "endpoints") {
        let e = endpoints::parse(config, block, &mut diags);
        out.endpoint = out.endpoint.or(e.actiontrail);
        out.credentials.sts_endpoint = out.credentials.sts_endpoint.or(e.sts);
        out.ram_endpoint = out.ram_endpoint.or(e.ram);
        out.resourcemanager_endpoint = out.resourcemanager_endpoint.or(e.resourcemanager);
    }
    (out, diags)
}

/// `max_requests_per_second`: a number of calls a second, more than zero (fractions
/// allowed: `0.5` is a call every two seconds), at most [`MAX_REQUESTS_PER_SECOND`].
fn max_requests_per_second(config: &Value, diags: &mut Vec<Diagnostic>) -> Option<f64> {
    const NAME: &str = "max_requests_per_second";
    let path = root(NAME);
    let value = match config.get(NAME) {
        None | Some(Value::Null) | Some(Value::Unknown) => return None,
        Some(v) => v,
    };
    let Some(n) = value.as_number().and_then(|n| n.as_f64()) else {
        diags.push(args::invalid(
            NAME,
            &path,
            format!("{NAME} must be a number of calls a second, such as 50."),
        ));
        return None;
    };
    if !(n > 0.0 && n <= MAX_REQUESTS_PER_SECOND) {
        diags.push(args::invalid(
            NAME,
            &path,
            format!("{NAME} must be more than 0 and at most {MAX_REQUESTS_PER_SECOND}, not {n}: it is the most calls a second to each API for each account; remove it to be paced by the API's own flow control alone."),
        ));
        return None;
    }
    Some(n)
}

/// Checks the provider block. Unknown values pass and do not count as set.
pub fn validate(config: &Value) -> Vec<Diagnostic> {
    parse(config).1
}

#[cfg(test)]
#[path = "validate_tests.rs"]
mod tests;
