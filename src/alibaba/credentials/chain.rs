//! Resolving the chain to one source, and the cached, refreshing provider over it.

use super::{ecs, files, sts, AssumeRoleConfig, Credentials, CredentialsConfig, CredentialsError};
use crate::alibaba::endpoint::{Endpoint, Protocol};
use crate::alibaba::http::SharedHttp;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// Temporary credentials are replaced this long before they expire, so a request signed
/// with them never arrives after expiry.
pub(super) const REFRESH_MARGIN: Duration = Duration::from_secs(5 * 60);

/// The metadata service every ECS instance reaches.
const DEFAULT_METADATA_ENDPOINT: &str = "http://100.100.100.200";
/// The global STS endpoint.
const DEFAULT_STS_ENDPOINT: &str = "https://sts.aliyuncs.com";
/// Time limit for each STS and metadata request.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// The metadata service is a link-local hop that answers in milliseconds; off-cloud it
/// never answers, and a long limit times every retry would stall the plan for minutes.
const METADATA_TIMEOUT: Duration = Duration::from_secs(5);

/// The environment the chain reads: the process's, or a fixed map.
pub(super) struct Env<'a>(pub(super) &'a Option<BTreeMap<String, String>>);

impl Env<'_> {
    /// The non-empty value of `name`.
    pub(super) fn get(&self, name: &str) -> Option<String> {
        match self.0 {
            Some(map) => map.get(name).cloned(),
            None => std::env::var(name).ok(),
        }
        .filter(|v| !v.trim().is_empty())
    }
}

/// What a source yields before any network call.
#[derive(Clone, Debug)]
pub(super) enum Found {
    /// A complete AccessKey (maybe with an STS token).
    Key(Credentials),
    /// An AccessKey to call AssumeRole with.
    RamRoleArn {
        base: Credentials,
        role: AssumeRoleConfig,
    },
    /// An ECS RAM role (`None`: ask the metadata service for the attached role's name).
    EcsRamRole { role: Option<String> },
}

enum Source {
    Static(Credentials),
    Ecs {
        role: Option<String>,
        endpoint: Endpoint,
    },
    AssumeRole {
        base: CredentialsProvider,
        role: AssumeRoleConfig,
        endpoint: Endpoint,
    },
}

struct Inner {
    source: Source,
    origin: String,
    identity: String,
    http: SharedHttp,
    timeout: Duration,
    // Held across a refresh, so concurrent callers wait for one fetch instead of each
    // making their own.
    cache: tokio::sync::Mutex<Option<Credentials>>,
}

/// Credentials from the resolved source, cached and refreshed before they expire.
/// Cloning shares the cache.
#[derive(Clone)]
pub struct CredentialsProvider {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for CredentialsProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CredentialsProvider")
            .field("origin", &self.inner.origin)
            .finish_non_exhaustive()
    }
}

impl CredentialsProvider {
    /// Walks the chain (environment and files only: no network) and picks the source.
    pub fn from_config(
        config: &CredentialsConfig,
        http: SharedHttp,
    ) -> Result<CredentialsProvider, CredentialsError> {
        Self::from_config_with_timeout(config, http, DEFAULT_TIMEOUT)
    }

    /// As [`CredentialsProvider::from_config`], with a time limit for STS and metadata calls.
    pub fn from_config_with_timeout(
        config: &CredentialsConfig,
        http: SharedHttp,
        timeout: Duration,
    ) -> Result<CredentialsProvider, CredentialsError> {
        let env = Env(&config.env);
        let (found, origin) = resolve(config, &env)?;
        let metadata = endpoint_of(
            config.ecs_metadata_endpoint.as_deref(),
            DEFAULT_METADATA_ENDPOINT,
            Protocol::Http,
            "ecs_metadata_endpoint",
        )?;
        let sts_endpoint = endpoint_of(
            config.sts_endpoint.as_deref(),
            DEFAULT_STS_ENDPOINT,
            Protocol::Https,
            "sts_endpoint",
        )?;
        let make = |source: Source, origin: String, identity: String| CredentialsProvider {
            inner: Arc::new(Inner {
                source,
                origin,
                identity,
                http: http.clone(),
                timeout,
                cache: tokio::sync::Mutex::new(None),
            }),
        };
        let mut provider = match found {
            Found::Key(c) => {
                let identity = format!("key:{}", c.access_key_id);
                make(Source::Static(c), origin, identity)
            }
            Found::EcsRamRole { role } => {
                let identity = format!("ecs:{}", role.as_deref().unwrap_or("*"));
                let source = Source::Ecs {
                    role,
                    endpoint: metadata,
                };
                make(source, origin, identity)
            }
            Found::RamRoleArn { base, role } => {
                let base_identity = format!("key:{}", base.access_key_id);
                let base = make(Source::Static(base), origin.clone(), base_identity);
                let identity = format!("{}>role:{}", base.identity(), role.role_arn);
                let source = Source::AssumeRole {
                    base,
                    role,
                    endpoint: sts_endpoint.clone(),
                };
                make(source, origin, identity)
            }
        };
        if let Some(role) = &config.assume_role {
            if role.role_arn.trim().is_empty() {
                return Err(CredentialsError::Invalid {
                    source_name: "assume_role".into(),
                    reason: "role_arn is empty".into(),
                });
            }
            let origin = format!("assume_role {} with {}", role.role_arn, provider.origin());
            let identity = format!("{}>role:{}", provider.identity(), role.role_arn);
            let source = Source::AssumeRole {
                base: provider,
                role: role.clone(),
                endpoint: sts_endpoint,
            };
            provider = make(source, origin, identity);
        }
        Ok(provider)
    }

    /// Where the credentials come from, for logs and messages (never a secret).
    pub fn origin(&self) -> &str {
        &self.inner.origin
    }

    /// A stable name of whose credentials these are (key id, role), never a secret;
    /// callers key caches on it.
    pub fn identity(&self) -> &str {
        &self.inner.identity
    }

    /// Current credentials: static ones at once, temporary ones from the cache unless they
    /// expire within five minutes, in which case one caller fetches new ones.
    pub async fn credentials(&self) -> Result<Credentials, CredentialsError> {
        let inner = &self.inner;
        if let Source::Static(c) = &inner.source {
            return Ok(c.clone());
        }
        let mut cached = inner.cache.lock().await;
        if let Some(c) = cached.as_ref() {
            if is_fresh(c, SystemTime::now()) {
                return Ok(c.clone());
            }
        }
        let http = inner.http.get().map_err(|detail| CredentialsError::Http {
            endpoint: "HTTP client".into(),
            detail,
            retryable: false,
        })?;
        let fresh = match &inner.source {
            Source::Static(c) => c.clone(),
            Source::Ecs { role, endpoint } => {
                let limit = inner.timeout.min(METADATA_TIMEOUT);
                ecs::fetch(http, endpoint, role.as_deref(), limit).await?
            }
            Source::AssumeRole {
                base,
                role,
                endpoint,
            } => {
                let base = Box::pin(base.credentials()).await?;
                sts::assume_role(http, endpoint, &base, role, inner.timeout).await?
            }
        };
        tracing::debug!(
            origin = %inner.origin,
            access_key_id = %fresh.access_key_id,
            expiration = ?fresh.expiration,
            "fetched temporary credentials"
        );
        *cached = Some(fresh.clone());
        Ok(fresh)
    }
}

/// Whether `c` is still usable for at least the refresh margin.
pub(super) fn is_fresh(c: &Credentials, now: SystemTime) -> bool {
    match c.expiration {
        None => true,
        Some(exp) => exp
            .duration_since(now)
            .map(|left| left > REFRESH_MARGIN)
            .unwrap_or(false),
    }
}

fn endpoint_of(
    configured: Option<&str>,
    default: &str,
    protocol: Protocol,
    argument: &str,
) -> Result<Endpoint, CredentialsError> {
    Endpoint::parse(configured.unwrap_or(default), protocol).map_err(|reason| {
        CredentialsError::Invalid {
            source_name: argument.into(),
            reason,
        }
    })
}

fn home_dir(config: &CredentialsConfig, env: &Env<'_>) -> Option<PathBuf> {
    config
        .home
        .clone()
        .or_else(|| env.get("HOME").map(PathBuf::from))
}

fn credentials_from(id: String, secret: String, token: Option<String>) -> Credentials {
    Credentials {
        access_key_id: id,
        access_key_secret: secret,
        security_token: token,
        expiration: None,
    }
}

/// Walks the chain in order; the first complete source wins. Returns it and its origin.
pub(super) fn resolve(
    config: &CredentialsConfig,
    env: &Env<'_>,
) -> Result<(Found, String), CredentialsError> {
    let mut looked = Vec::new();
    let nonempty = |v: &Option<String>| v.clone().filter(|s| !s.trim().is_empty());

    // 1. Provider arguments.
    match (nonempty(&config.access_key), nonempty(&config.secret_key)) {
        (Some(id), Some(secret)) => {
            let c = credentials_from(id, secret, nonempty(&config.security_token));
            return Ok((
                Found::Key(c),
                "the provider's access_key and secret_key".into(),
            ));
        }
        (Some(_), None) => {
            looked.push("provider argument access_key (set, but secret_key is not)".into())
        }
        (None, Some(_)) => {
            looked.push("provider argument secret_key (set, but access_key is not)".into())
        }
        (None, None) => looked.push("provider arguments access_key and secret_key".into()),
    }
    if let Some(role) = nonempty(&config.ecs_role_name) {
        return Ok((
            Found::EcsRamRole {
                role: Some(role.clone()),
            },
            format!("the ECS RAM role {role} (provider argument ecs_role_name)"),
        ));
    }
    looked.push("provider argument ecs_role_name".into());

    // 2. Environment.
    for (id_var, secret_var, token_var) in [
        (
            "ALIBABA_CLOUD_ACCESS_KEY_ID",
            "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
            "ALIBABA_CLOUD_SECURITY_TOKEN",
        ),
        (
            "ALICLOUD_ACCESS_KEY",
            "ALICLOUD_SECRET_KEY",
            "ALICLOUD_SECURITY_TOKEN",
        ),
    ] {
        match (env.get(id_var), env.get(secret_var)) {
            (Some(id), Some(secret)) => {
                let c = credentials_from(id, secret, env.get(token_var));
                return Ok((
                    Found::Key(c),
                    format!("environment variables {id_var} and {secret_var}"),
                ));
            }
            (Some(_), None) => looked.push(format!(
                "environment variable {id_var} (set, but {secret_var} is not)"
            )),
            (None, Some(_)) => looked.push(format!(
                "environment variable {secret_var} (set, but {id_var} is not)"
            )),
            (None, None) => looked.push(format!("environment variables {id_var} and {secret_var}")),
        }
    }

    let profile = nonempty(&config.profile)
        .or_else(|| env.get("ALIBABA_CLOUD_PROFILE"))
        .or_else(|| env.get("ALICLOUD_PROFILE"));
    let home = home_dir(config, env);

    // 3. The aliyun CLI profile file.
    let cli_file = config
        .shared_credentials_file
        .clone()
        .or_else(|| home.as_ref().map(|h| h.join(".aliyun").join("config.json")));
    match &cli_file {
        Some(path) => {
            if let Some((found, origin)) =
                files::aliyun_profile(path, profile.as_deref(), &mut looked)?
            {
                return Ok((found, origin));
            }
        }
        None => looked
            .push("the aliyun CLI profile file ~/.aliyun/config.json (HOME is not set)".into()),
    }

    // 4. The INI credentials file.
    let ini_file = config
        .credentials_file
        .clone()
        .or_else(|| env.get("ALIBABA_CLOUD_CREDENTIALS_FILE").map(PathBuf::from))
        .or_else(|| {
            home.as_ref()
                .map(|h| h.join(".alibabacloud").join("credentials"))
        });
    match &ini_file {
        Some(path) => {
            if let Some((found, origin)) =
                files::ini_profile(path, profile.as_deref(), &mut looked)?
            {
                return Ok((found, origin));
            }
        }
        None => looked.push(
            "the credentials file ~/.alibabacloud/credentials (HOME is not set; see ALIBABA_CLOUD_CREDENTIALS_FILE)".into(),
        ),
    }

    // 5. The ECS metadata service, only when asked for.
    let disabled = env
        .get("ALIBABA_CLOUD_ECS_METADATA_DISABLED")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    match env.get("ALIBABA_CLOUD_ECS_METADATA") {
        Some(role) if !disabled => {
            return Ok((
                Found::EcsRamRole { role: Some(role.clone()) },
                format!("the ECS RAM role {role} (environment variable ALIBABA_CLOUD_ECS_METADATA)"),
            ));
        }
        _ => looked.push(
            "environment variable ALIBABA_CLOUD_ECS_METADATA (the ECS metadata service is not probed unless it or ecs_role_name names a role)".into(),
        ),
    }
    Err(CredentialsError::NotFound { looked })
}

/// `path` for messages.
pub(super) fn shown(path: &Path) -> String {
    path.display().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs_from_now: i64) -> Credentials {
        let now = SystemTime::now();
        let exp = if secs_from_now >= 0 {
            now + Duration::from_secs(secs_from_now.unsigned_abs())
        } else {
            now - Duration::from_secs(secs_from_now.unsigned_abs())
        };
        Credentials {
            access_key_id: "STS.x".into(),
            access_key_secret: "s".into(),
            security_token: Some("t".into()),
            expiration: Some(exp),
        }
    }

    #[test]
    fn credentials_are_refreshed_five_minutes_before_expiry() {
        let now = SystemTime::now();
        assert!(is_fresh(&at(3600), now));
        assert!(!is_fresh(&at(240), now));
        assert!(!is_fresh(&at(-10), now));
        let mut forever = at(0);
        forever.expiration = None;
        assert!(is_fresh(&forever, now));
    }
}
