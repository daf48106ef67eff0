//! The settings a client is built from: the provider block, parsed once, with the
//! environment filling in what the block leaves out, and the client's defaults the rest.

use crate::actiontrail::{
    AssumeRoleConfig, ClientConfig, CredentialsConfig, OidcConfig, Protocol, SignatureAlgorithm,
    DEFAULT_MAX_RETRIES, DEFAULT_REGION, DEFAULT_TIMEOUT,
};
use crate::alibaba::endpoint::TransportPolicy;
use crate::alibaba::secret::Secret;
use crate::model::{Diagnostic, Value};
use crate::provider::endpoints::parse_endpoint;
use crate::provider::validate::{self, valid_region, ProviderConfig};
use std::time::Duration;

/// Environment variables naming the region, in the order they are consulted.
pub const REGION_ENV: [&str; 2] = ["ALIBABA_CLOUD_REGION", "ALICLOUD_REGION"];
/// The environment variable naming the endpoint.
pub const ENDPOINT_ENV: &str = "ACTIONTRAIL_ENDPOINT";
/// The environment variable naming the RAM endpoint.
pub const RAM_ENDPOINT_ENV: &str = "ACTIONTRAIL_RAM_ENDPOINT";

/// Everything the provider block (and the environment) says, checked. Secrets are
/// [`Secret`]s, so `Debug` shows them redacted.
#[derive(Clone, PartialEq, Eq)]
pub struct Settings {
    /// Region.
    pub region: String,
    /// Endpoint override, as written (a trailing `/` removed).
    pub endpoint: Option<String>,
    /// Protocol.
    pub protocol: Protocol,
    /// Signature algorithm.
    pub signature: SignatureAlgorithm,
    /// Retry budget.
    pub max_retries: u32,
    /// Per-call timeout.
    pub timeout: Duration,
    /// Static AccessKey ID.
    pub access_key: Option<String>,
    /// Static secret.
    pub secret_key: Option<Secret>,
    /// STS token.
    pub security_token: Option<Secret>,
    /// aliyun CLI profile.
    pub profile: Option<String>,
    /// aliyun CLI config file.
    pub shared_credentials_file: Option<String>,
    /// INI credentials file.
    pub credentials_file: Option<String>,
    /// ECS RAM role.
    pub ecs_role_name: Option<String>,
    /// Metadata service override.
    pub ecs_metadata_endpoint: Option<String>,
    /// STS endpoint override.
    pub sts_endpoint: Option<String>,
    /// RAM endpoint override.
    pub ram_endpoint: Option<String>,
    /// Calls in flight at once.
    pub max_concurrency: usize,
    /// Role to assume.
    pub assume_role: Option<AssumeRoleConfig>,
    /// OIDC token to exchange for a role's credentials.
    pub assume_role_with_oidc: Option<OidcConfig>,
    /// Local credentials endpoint.
    pub credentials_uri: Option<Secret>,
    /// Plain HTTP allowed to hosts other than loopback (`insecure_http`).
    pub insecure_http: bool,
}

impl std::fmt::Debug for Settings {
    // The configure log line shows the settings: the AccessKey ID, which names the
    // caller, is only said to be set. The secrets show as `<redacted>` by their type.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("region", &self.region)
            .field("endpoint", &self.endpoint)
            .field("protocol", &self.protocol)
            .field("signature", &self.signature)
            .field("max_retries", &self.max_retries)
            .field("timeout", &self.timeout)
            .field("access_key", &self.access_key.as_ref().map(|_| "(set)"))
            .field("secret_key", &self.secret_key)
            .field("security_token", &self.security_token)
            .field("profile", &self.profile)
            .field("assume_role", &self.assume_role)
            .field("ecs_role_name", &self.ecs_role_name)
            .field("assume_role_with_oidc", &self.assume_role_with_oidc)
            .field("credentials_uri", &self.credentials_uri)
            .field("insecure_http", &self.insecure_http)
            .finish_non_exhaustive()
    }
}

impl Settings {
    /// Reads a wholly known provider block, falling back to the environment (`env`) for
    /// region and endpoint. Fails with the same diagnostics as [`validate::validate`], or
    /// with one about an environment variable.
    /// The transport policy is checked on top, by [`crate::provider::transport::checked`].
    pub fn from_config(
        config: &Value,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Settings, Vec<Diagnostic>> {
        let (block, diags) = validate::parse(config);
        if crate::model::diag::has_errors(&diags) {
            return Err(diags);
        }
        Settings::resolve(block, env)
    }

    /// The settings of a checked block: the environment fills in region and endpoint.
    pub fn resolve(
        block: ProviderConfig,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Settings, Vec<Diagnostic>> {
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
        Ok(Settings {
            region,
            endpoint: endpoint.map(|e| e.trim().trim_end_matches('/').to_owned()),
            protocol,
            signature: block.signature.unwrap_or_default(),
            max_retries: block.max_retries.unwrap_or(DEFAULT_MAX_RETRIES),
            timeout: block.timeout.unwrap_or(DEFAULT_TIMEOUT),
            access_key: block.access_key,
            secret_key: block.secret_key,
            security_token: block.security_token,
            profile: block.profile,
            shared_credentials_file: block.shared_credentials_file,
            credentials_file: block.credentials_file,
            ecs_role_name: block.ecs_role_name,
            ecs_metadata_endpoint: block
                .ecs_metadata_endpoint
                .map(|e| e.trim_end_matches('/').to_owned()),
            sts_endpoint: block
                .sts_endpoint
                .map(|e| e.trim_end_matches('/').to_owned()),
            ram_endpoint: block
                .ram_endpoint
                .or_else(|| env(RAM_ENDPOINT_ENV).filter(|v| !v.trim().is_empty()))
                .map(|e| e.trim().trim_end_matches('/').to_owned()),
            max_concurrency: block
                .max_concurrency
                .unwrap_or(crate::actiontrail::DEFAULT_MAX_CONCURRENCY),
            assume_role: block.assume_role,
            assume_role_with_oidc: block.assume_role_with_oidc,
            credentials_uri: block.credentials_uri,
            insecure_http: block.insecure_http,
        })
    }

    /// The client configuration these settings describe.
    pub fn client_config(&self) -> ClientConfig {
        ClientConfig {
            region: self.region.clone(),
            endpoint: self.endpoint.clone(),
            protocol: self.protocol,
            signature: self.signature,
            max_retries: self.max_retries,
            timeout: self.timeout,
            credentials: CredentialsConfig {
                access_key: self.access_key.clone(),
                secret_key: self.secret_key.clone(),
                security_token: self.security_token.clone(),
                profile: self.profile.clone(),
                shared_credentials_file: self
                    .shared_credentials_file
                    .as_ref()
                    .map(std::path::PathBuf::from),
                credentials_file: self.credentials_file.as_ref().map(std::path::PathBuf::from),
                ecs_role_name: self.ecs_role_name.clone(),
                ecs_metadata_endpoint: self.ecs_metadata_endpoint.clone(),
                sts_endpoint: self.sts_endpoint.clone(),
                assume_role: self.assume_role.clone(),
                assume_role_with_oidc: self.assume_role_with_oidc.clone(),
                credentials_uri: self.credentials_uri.clone(),
                transport: TransportPolicy {
                    insecure_http: self.insecure_http,
                },
                ..Default::default()
            },
            ram_endpoint: self.ram_endpoint.clone(),
            max_concurrency: self.max_concurrency,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::block;
    use super::*;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn settings_default_to_hangzhou_https_sha1_five_retries_thirty_seconds() {
        let s = Settings::from_config(&block(&[]), &no_env).unwrap();
        assert_eq!(s.region, DEFAULT_REGION);
        assert_eq!(s.endpoint, None);
        assert_eq!(s.protocol, Protocol::Https);
        assert_eq!(s.signature, SignatureAlgorithm::HmacSha1);
        assert_eq!(s.max_retries, DEFAULT_MAX_RETRIES);
        assert_eq!(s.timeout, DEFAULT_TIMEOUT);
        assert_eq!(s.assume_role, None);
        assert!(!s.insecure_http);
    }

    #[test]
    fn the_environment_supplies_region_and_an_http_endpoint() {
        let env = |name: &str| match name {
            "ALICLOUD_REGION" => Some("cn-beijing".to_owned()),
            "ACTIONTRAIL_ENDPOINT" => Some("http://127.0.0.1:4000/".to_owned()),
            _ => None,
        };
        let s = Settings::from_config(&block(&[]), &env).unwrap();
        assert_eq!(s.region, "cn-beijing");
        assert_eq!(s.endpoint.as_deref(), Some("http://127.0.0.1:4000"));
        assert_eq!(s.protocol, Protocol::Http);
        // The block wins over the environment.
        let s = Settings::from_config(&block(&[("region", Value::string("eu-central-1"))]), &env)
            .unwrap();
        assert_eq!(s.region, "eu-central-1");
    }

    #[test]
    fn a_bad_region_in_the_environment_is_an_error_naming_the_variable() {
        let env = |name: &str| (name == "ALIBABA_CLOUD_REGION").then(|| "nowhere".to_owned());
        let errs = Settings::from_config(&block(&[]), &env).unwrap_err();
        assert!(errs[0].detail.contains("ALIBABA_CLOUD_REGION"));
    }

    #[test]
    fn debug_output_hides_secrets() {
        let s = Settings::from_config(
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
