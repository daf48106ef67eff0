//! The provider's configuration resolved once: the provider block, parsed once, with the
//! environment filling in what the block leaves out and the client's defaults the rest,
//! straight into the client's configuration ([`ClientConfig`]), with no copy between.

use crate::actiontrail::{
    ClientConfig, CredentialsConfig, DEFAULT_MAX_RETRIES, DEFAULT_REGION, DEFAULT_TIMEOUT,
};
use crate::model::{Diagnostic, Value};
use crate::provider::endpoints::parse_endpoint;
use crate::provider::schema::valid_region;
use crate::provider::validate::{self, ProviderConfig};

/// Environment variables naming the region, in the order they are consulted.
pub const REGION_ENV: [&str; 2] = ["ALIBABA_CLOUD_REGION", "ALICLOUD_REGION"];
/// The environment variable naming the endpoint.
pub const ENDPOINT_ENV: &str = "ACTIONTRAIL_ENDPOINT";
/// `off` turns the learned pacing off: throttled calls are then only retried with backoff.
pub const PACING_ENV: &str = "ACTIONTRAIL_PACING";
/// The environment variable naming the RAM endpoint.
pub const RAM_ENDPOINT_ENV: &str = "ACTIONTRAIL_RAM_ENDPOINT";
/// The environment variable naming the ResourceManager endpoint.
pub const RESOURCEMANAGER_ENDPOINT_ENV: &str = "ALIBABA_CLOUD_RESOURCEMANAGER_ENDPOINT";

/// Reads a wholly known provider block, falling back to the environment (`env`) for
/// region and endpoint. Fails with the same diagnostics as [`validate::validate`], or
/// with one about an environment variable.
/// The transport policy is checked on top, by [`crate::provider::transport::checked`].
pub fn from_config(
    config: &Value,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<ClientConfig, Vec<Diagnostic>> {
    let (block, diags) = validate::parse(config);
    if crate::model::diag::has_errors(&diags) {
        return Err(diags);
    }
    resolve(block, env)
}

/// The settings of a checked block: the environment fills in region and endpoint.
pub fn resolve(
    block: ProviderConfig,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<ClientConfig, Vec<Diagnostic>> {
    let mut errors = Vec::new();
    let region = match block.region {
        Some(r) => r,
        None => match REGION_ENV
            .iter()
            .find_map(|name| env(name).filter(|v| !v.is_empty()).map(|v| (name, v)))
        {
            Some((_, r)) if valid_region(&r) => r,
            Some((name, r)) => {
                errors.push(Diagnostic::error(
                    "Invalid region in the environment",
                    format!("{name}={r:?} is not a region ID such as \"cn-hangzhou\"."),
                ));
                DEFAULT_REGION.to_owned()
            }
            None => DEFAULT_REGION.to_owned(),
        },
    };
    let mut protocol = block.protocol.unwrap_or_default();
    let endpoint = match block.endpoint {
        Some((e, named)) => {
            protocol = named.unwrap_or(protocol);
            Some(e)
        }
        None => match env(ENDPOINT_ENV).filter(|v| !v.trim().is_empty()) {
            Some(e) => {
                match parse_endpoint(&e) {
                    Ok(named) => protocol = named.unwrap_or(protocol),
                    Err(why) => errors.push(Diagnostic::error(
                        "Invalid endpoint in the environment",
                        format!("{ENDPOINT_ENV} {why}."),
                    )),
                }
                Some(e)
            }
            None => None,
        },
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(ClientConfig {
        region,
        endpoint: endpoint.map(|e| e.trim().trim_end_matches('/').to_owned()),
        protocol,
        signature: block.signature.unwrap_or_default(),
        max_retries: block.max_retries.unwrap_or(DEFAULT_MAX_RETRIES),
        timeout: block.timeout.unwrap_or(DEFAULT_TIMEOUT),
        credentials: CredentialsConfig {
            ecs_metadata_endpoint: block
                .credentials
                .ecs_metadata_endpoint
                .map(|e| e.trim_end_matches('/').to_owned()),
            sts_endpoint: block
                .credentials
                .sts_endpoint
                .map(|e| e.trim_end_matches('/').to_owned()),
            ..block.credentials
        },
        ram_endpoint: block
            .ram_endpoint
            .or_else(|| env(RAM_ENDPOINT_ENV).filter(|v| !v.trim().is_empty()))
            .map(|e| e.trim().trim_end_matches('/').to_owned()),
        max_concurrency: block
            .max_concurrency
            .unwrap_or(crate::actiontrail::DEFAULT_MAX_CONCURRENCY),
        resourcemanager_endpoint: block
            .resourcemanager_endpoint
            .or_else(|| env(RESOURCEMANAGER_ENDPOINT_ENV).filter(|v| !v.trim().is_empty()))
            .map(|e| e.trim().trim_end_matches('/').to_owned()),
        max_requests_per_second: block.max_requests_per_second,
        // Only the exact word turns it off: pacing is what users want, and the switch
        // exists to measure what it buys.
        learned_pacing: env(PACING_ENV).as_deref() != Some("off"),
    })
}

#[cfg(test)]
mod tests {
    use super::super::tests::block;
    use super::*;
    use crate::actiontrail::{Protocol, SignatureAlgorithm};

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn settings_default_to_hangzhou_https_sha1_five_retries_thirty_seconds() {
        let s = from_config(&block(&[]), &no_env).unwrap();
        assert_eq!(s.region, DEFAULT_REGION);
        assert_eq!(s.endpoint, None);
        assert_eq!(s.protocol, Protocol::Https);
        assert_eq!(s.signature, SignatureAlgorithm::HmacSha1);
        assert_eq!(s.max_retries, DEFAULT_MAX_RETRIES);
        assert_eq!(s.timeout, DEFAULT_TIMEOUT);
        assert_eq!(s.credentials.assume_role, None);
        assert!(!s.credentials.transport.insecure_http);
    }

    #[test]
    fn the_environment_supplies_region_and_an_http_endpoint() {
        let env = |name: &str| match name {
            "ALICLOUD_REGION" => Some("cn-beijing".to_owned()),
            "ACTIONTRAIL_ENDPOINT" => Some("http://127.0.0.1:4000/".to_owned()),
            _ => None,
        };
        let s = from_config(&block(&[]), &env).unwrap();
        assert_eq!(s.region, "cn-beijing");
        assert_eq!(s.endpoint.as_deref(), Some("http://127.0.0.1:4000"));
        assert_eq!(s.protocol, Protocol::Http);
        // The block wins over the environment.
        let s = from_config(&block(&[("region", Value::string("eu-central-1"))]), &env).unwrap();
        assert_eq!(s.region, "eu-central-1");
    }

    #[test]
    fn a_bad_region_in_the_environment_is_an_error_naming_the_variable() {
        let env = |name: &str| (name == "ALIBABA_CLOUD_REGION").then(|| "nowhere".to_owned());
        let errs = from_config(&block(&[]), &env).unwrap_err();
        assert!(errs[0].detail.contains("ALIBABA_CLOUD_REGION"));
    }

    #[test]
    fn only_actiontrail_pacing_off_turns_the_learned_pacing_off() {
        assert!(from_config(&block(&[]), &no_env).unwrap().learned_pacing);
        for (value, learned) in [("off", false), ("on", true), ("OFF ", true), ("", true)] {
            let env = |name: &str| (name == PACING_ENV).then(|| value.to_owned());
            assert_eq!(
                from_config(&block(&[]), &env).unwrap().learned_pacing,
                learned,
                "{value:?}"
            );
        }
    }

    #[test]
    fn resourcemanager_endpoint_comes_from_the_block_then_the_environment() {
        let env = |name: &str| {
            (name == RESOURCEMANAGER_ENDPOINT_ENV).then(|| "http://127.0.0.1:4001/".to_owned())
        };
        let s = from_config(&block(&[]), &env).unwrap();
        assert_eq!(
            s.resourcemanager_endpoint.as_deref(),
            Some("http://127.0.0.1:4001")
        );
        let s = from_config(
            &block(&[(
                "resourcemanager_endpoint",
                Value::string("resourcemanager.example.com"),
            )]),
            &env,
        )
        .unwrap();
        assert_eq!(
            s.resourcemanager_endpoint.as_deref(),
            Some("resourcemanager.example.com")
        );
        assert_eq!(
            from_config(&block(&[]), &no_env)
                .unwrap()
                .resourcemanager_endpoint,
            None
        );
    }

    #[test]
    fn max_requests_per_second_reaches_the_client_and_is_unset_by_default() {
        assert_eq!(
            from_config(&block(&[]), &no_env)
                .unwrap()
                .max_requests_per_second,
            None
        );
        let s = from_config(
            &block(&[(
                "max_requests_per_second",
                Value::Number(crate::model::Number::Float(2.5)),
            )]),
            &no_env,
        )
        .unwrap();
        assert_eq!(s.max_requests_per_second, Some(2.5));
    }

    #[test]
    fn debug_output_hides_secrets() {
        let s = from_config(
            &block(&[
                ("access_key", Value::string("LTAI5tKEY")),
                ("secret_key", Value::string("hunter2-secret")),
            ]),
            &no_env,
        )
        .unwrap();
        let text = format!("{s:?}");
        assert!(
            !text.contains("hunter2-secret") && !text.contains("LTAI5tKEY"),
            "{text}"
        );
    }
}
