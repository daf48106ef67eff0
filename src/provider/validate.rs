//! The provider block, read once per phase: [`parse`] reads each argument through its
//! declaration in [`crate::provider::schema`] (which reports what is wrong at its path),
//! makes the checks across arguments, and hands on what the block says, typed.

use crate::actiontrail::{CredentialsConfig, Protocol, SignatureAlgorithm};
use crate::alibaba::endpoint::TransportPolicy;
use crate::framework::args::{self, Arg};
use crate::model::{AttributePath, Diagnostic, Value};
use crate::provider::endpoints::Endpoint;
use crate::provider::schema;
use crate::provider::{assume_role, endpoints, oidc};
use std::time::Duration;

/// An error at the top-level argument `name`.
fn invalid(name: &str, detail: impl Into<String>) -> Diagnostic {
    args::invalid(name, &AttributePath::root(name), detail)
}

/// The provider block, parsed: each argument known and valid, or `None`. What concerns
/// credentials is read straight into the credentials chain's own configuration.
#[derive(Clone, Default, PartialEq)]
pub struct ProviderConfig {
    /// `region`.
    pub region: Option<String>,
    /// `endpoint`, as written, with the protocol its URL names, if it names one.
    pub endpoint: Option<Endpoint>,
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
    let d = &mut diags;
    let endpoint = endpoints::ENDPOINT.get(config, d);
    let protocol = schema::PROTOCOL.get(config, d);
    let address = |e: Endpoint| e.0;
    let mut out = ProviderConfig {
        region: schema::REGION.get(config, d),
        endpoint: endpoint.clone(),
        protocol,
        signature: schema::SIGNATURE_ALGORITHM.get(config, d),
        max_retries: schema::MAX_RETRIES.get(config, d),
        timeout: schema::TIMEOUT.get(config, d),
        ram_endpoint: endpoints::RAM_ENDPOINT.get(config, d).map(address),
        max_concurrency: schema::MAX_CONCURRENCY.get(config, d),
        resourcemanager_endpoint: endpoints::RESOURCEMANAGER_ENDPOINT
            .get(config, d)
            .map(address),
        max_requests_per_second: schema::MAX_REQUESTS_PER_SECOND.get(config, d),
        credentials: CredentialsConfig {
            access_key: schema::ACCESS_KEY.get(config, d),
            secret_key: schema::SECRET_KEY.get(config, d),
            security_token: schema::SECURITY_TOKEN.get(config, d),
            profile: schema::PROFILE.get(config, d),
            shared_credentials_file: schema::SHARED_CREDENTIALS_FILE.get(config, d),
            credentials_file: schema::CREDENTIALS_FILE.get(config, d),
            ecs_role_name: schema::ECS_ROLE_NAME.get(config, d),
            ecs_metadata_endpoint: endpoints::ECS_METADATA_ENDPOINT.get(config, d).map(address),
            sts_endpoint: endpoints::STS_ENDPOINT.get(config, d).map(address),
            credentials_uri: schema::CREDENTIALS_URI.get(config, d),
            transport: TransportPolicy {
                insecure_http: schema::INSECURE_HTTP.get(config, d).unwrap_or(false),
            },
            ..CredentialsConfig::default()
        },
    };

    // A half-configured static key is a mistake, not a request to look elsewhere. Only a
    // value counts as set (an empty one is refused above, and counts), and only a null as
    // missing: an unknown may be either.
    let (access_key, secret_key) = (
        schema::ACCESS_KEY.set(config),
        schema::SECRET_KEY.set(config),
    );
    if access_key.is_known_set() && secret_key == Arg::Absent {
        diags.push(invalid("access_key", "access_key is set but secret_key is not: set both (for example from variables), or neither to use the environment, a profile, an ECS role or assume_role."));
    }
    if secret_key.is_known_set() && access_key == Arg::Absent {
        diags.push(invalid(
            "secret_key",
            "secret_key is set but access_key is not: set both, or neither.",
        ));
    }
    if schema::SECURITY_TOKEN.set(config).is_known_set()
        && (access_key == Arg::Absent || secret_key == Arg::Absent)
    {
        diags.push(invalid("security_token", "security_token belongs to temporary credentials: set access_key and secret_key with it (the STS AccessKey ID and secret)."));
    }
    if let (Some((_, Some(scheme))), Some(p)) = (&endpoint, protocol) {
        if *scheme != p {
            let written = config.get("protocol").and_then(Value::as_str).unwrap_or("");
            diags.push(invalid(
                "protocol",
                format!(
                    "protocol {written:?} contradicts the scheme of endpoint; drop one of them."
                ),
            ));
        }
    }
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

/// Checks the provider block. Unknown values pass and do not count as set.
pub fn validate(config: &Value) -> Vec<Diagnostic> {
    parse(config).1
}

#[cfg(test)]
#[path = "validate_tests.rs"]
mod tests;
