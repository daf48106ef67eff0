//! The credentials chain: where an AccessKey comes from, and how temporary credentials
//! (STS tokens from AssumeRole, ECS RAM roles) are fetched, cached and refreshed.
//!
//! Order, first complete source wins: the provider's `access_key`/`secret_key` (and an
//! explicit `ecs_role_name`, `assume_role_with_oidc` or `credentials_uri`, arguments as
//! deliberate as a key); an AccessKey in the environment; an OIDC token named by the
//! environment; the aliyun CLI profile file; the INI file; the ECS metadata service when
//! `ALIBABA_CLOUD_ECS_METADATA` names a role; `ALIBABA_CLOUD_CREDENTIALS_URI`. The
//! metadata service is never probed unasked: off-cloud, 100.100.100.200 does not refuse,
//! it hangs. Then, when `assume_role` (or `ALICLOUD_ASSUME_ROLE_ARN` /
//! `ALIBABA_CLOUD_ROLE_ARN`) is set, the credentials found call STS AssumeRole.
//!
//! Layering: `found` (what a source yields) is used by `files` (the two files) and
//! `resolve` (the order); `chain` turns the result into a refreshing provider over `sts`,
//! `oidc`, `ecs` and `uri`, which do the network calls.

mod answer;
mod chain;
mod ecs;
mod external;
mod files;
mod found;
mod oidc;
mod resolve;
#[cfg(test)]
mod sources_tests;
mod sts;
#[cfg(test)]
mod tests;
mod uri;

pub use crate::alibaba::access_key::Credentials;
pub use crate::alibaba::endpoint::TransportPolicy;
pub use crate::alibaba::secret::Secret;
pub use chain::{CredentialsProvider, STS_ENDPOINT_ENV};

use std::collections::BTreeMap;
use std::path::PathBuf;

/// Where to look for credentials. `Default` looks in the usual places.
#[derive(Clone, Default, PartialEq)]
pub struct CredentialsConfig {
    /// AccessKey id given as a provider argument.
    pub access_key: Option<String>,
    /// AccessKey secret given as a provider argument.
    pub secret_key: Option<Secret>,
    /// STS security token given as a provider argument.
    pub security_token: Option<Secret>,
    /// Profile name in the aliyun CLI file and the INI file.
    pub profile: Option<String>,
    /// The aliyun CLI profile file (default `~/.aliyun/config.json`).
    pub shared_credentials_file: Option<PathBuf>,
    /// The INI credentials file (default `~/.alibabacloud/credentials`).
    pub credentials_file: Option<PathBuf>,
    /// The ECS RAM role to read from the metadata service.
    pub ecs_role_name: Option<String>,
    /// The metadata service (default `http://100.100.100.200`).
    pub ecs_metadata_endpoint: Option<String>,
    /// The STS endpoint (default `https://sts.aliyuncs.com`).
    pub sts_endpoint: Option<String>,
    /// Assume this role with the credentials found.
    pub assume_role: Option<AssumeRoleConfig>,
    /// Exchange an OIDC token for a role's credentials (STS AssumeRoleWithOIDC).
    pub assume_role_with_oidc: Option<OidcConfig>,
    /// A local endpoint that hands out temporary credentials as JSON. Its query may hold
    /// the broker's secret, so the whole URI is one.
    pub credentials_uri: Option<Secret>,
    /// Whether plain HTTP to a host other than loopback is allowed (`insecure_http`).
    pub transport: TransportPolicy,
    /// The environment to read; `None` reads the process environment, `Some` reads only
    /// this map (and `$HOME` from it), which keeps tests hermetic.
    pub env: Option<BTreeMap<String, String>>,
    /// The home directory; `None` uses `$HOME` from the environment above.
    pub home: Option<PathBuf>,
}

impl std::fmt::Debug for CredentialsConfig {
    // Every secret argument is a `Secret`; only the environment map, which holds whatever
    // the environment holds, is shown by its names alone.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CredentialsConfig")
            .field("access_key", &self.access_key)
            .field("secret_key", &self.secret_key)
            .field("security_token", &self.security_token)
            .field("profile", &self.profile)
            .field("shared_credentials_file", &self.shared_credentials_file)
            .field("credentials_file", &self.credentials_file)
            .field("ecs_role_name", &self.ecs_role_name)
            .field("ecs_metadata_endpoint", &self.ecs_metadata_endpoint)
            .field("sts_endpoint", &self.sts_endpoint)
            .field("assume_role", &self.assume_role)
            .field("assume_role_with_oidc", &self.assume_role_with_oidc)
            .field("credentials_uri", &self.credentials_uri)
            .field("transport", &self.transport)
            .field(
                "env",
                &self.env.as_ref().map(|m| m.keys().collect::<Vec<_>>()),
            )
            .field("home", &self.home)
            .finish()
    }
}

/// STS AssumeRole parameters.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AssumeRoleConfig {
    /// `acs:ram::<account>:role/<name>`.
    pub role_arn: String,
    /// RoleSessionName (default `terraform`).
    pub session_name: Option<String>,
    /// A policy further restricting the session, as JSON.
    pub policy: Option<String>,
    /// DurationSeconds, 900 to 43200 (default 3600).
    pub session_expiration: Option<u32>,
    /// ExternalId, when the role's trust policy asks for one.
    pub external_id: Option<String>,
}

/// STS AssumeRoleWithOIDC parameters: an OIDC token (GitHub Actions, ACK RRSA) buys a
/// role's temporary credentials without any AccessKey.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OidcConfig {
    /// The role to assume, `acs:ram::<account>:role/<name>`.
    pub role_arn: String,
    /// The OIDC identity provider registered in RAM, `acs:ram::<account>:oidc-provider/<name>`.
    pub oidc_provider_arn: String,
    /// The token itself: a bearer credential, whoever holds it can assume the role.
    pub oidc_token: Option<Secret>,
    /// A file holding the token, read again at every refresh (RRSA rotates it).
    pub oidc_token_file: Option<PathBuf>,
    /// RoleSessionName (default `terraform`).
    pub role_session_name: Option<String>,
    /// DurationSeconds, 900 up to the role's maximum (default 3600).
    pub session_expiration: Option<u32>,
    /// A policy further restricting the session, as JSON.
    pub policy: Option<String>,
}

/// Why no credentials could be had.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CredentialsError {
    /// No source had complete credentials; lists every place looked.
    #[error("no Alibaba Cloud credentials found; looked in: {}", looked.join("; "))]
    NotFound {
        /// Each place, with what was missing there.
        looked: Vec<String>,
    },
    /// A source exists but is unusable (malformed file, unsupported mode, missing field).
    #[error("{source_name}: {reason}")]
    Invalid {
        /// The source (file path and profile, environment, argument).
        source_name: String,
        /// What is wrong.
        reason: String,
    },
    /// STS refused AssumeRoleWithOIDC (the token, its provider or the role's trust).
    #[error("STS AssumeRoleWithOIDC for {role_arn} failed: {error}")]
    AssumeRoleWithOidc {
        /// The role asked for.
        role_arn: String,
        /// The service's answer.
        error: Box<super::rpc::ServiceError>,
    },
    /// STS refused AssumeRole.
    #[error("STS AssumeRole for {role_arn} failed: {error}")]
    AssumeRole {
        /// The role asked for.
        role_arn: String,
        /// The service's answer.
        error: Box<super::rpc::ServiceError>,
    },
    /// The metadata service answered, but not with credentials.
    #[error("the ECS metadata service gave no credentials for role {role}: {reason}")]
    Metadata {
        /// The role asked for.
        role: String,
        /// What it said.
        reason: String,
    },
    /// An endpoint of the chain (STS, metadata) could not be reached or answered garbage.
    #[error("{endpoint}: {detail}")]
    Http {
        /// Which endpoint.
        endpoint: String,
        /// What happened.
        detail: String,
        /// Whether trying again may help (timeouts, connect errors, 5xx).
        retryable: bool,
    },
}

impl CredentialsError {
    /// Whether trying again may help.
    pub fn is_retryable(&self) -> bool {
        match self {
            CredentialsError::Http { retryable, .. } => *retryable,
            CredentialsError::AssumeRole { error, .. }
            | CredentialsError::AssumeRoleWithOidc { error, .. } => error.is_retryable(),
            _ => false,
        }
    }
}
