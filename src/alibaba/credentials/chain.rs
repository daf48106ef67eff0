//! The cached, refreshing provider over the source the chain resolved to.

use super::found::{Env, Found};
use super::resolve::resolve;
use super::{ecs, external, oidc, sts, uri, AssumeRoleConfig, Credentials, CredentialsConfig};
use super::{CredentialsError, OidcConfig};
use crate::alibaba::endpoint::{Endpoint, Protocol, TransportPolicy};
use crate::alibaba::http::SharedHttp;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// Temporary credentials are replaced this long before they expire, so a request signed
/// with them never arrives after expiry.
pub(super) const REFRESH_MARGIN: Duration = Duration::from_secs(5 * 60);

/// The metadata service every ECS instance reaches, over plain HTTP.
const DEFAULT_METADATA_ENDPOINT: &str = "http://100.100.100.200";
/// The global STS endpoint.
const DEFAULT_STS_ENDPOINT: &str = "https://sts.aliyuncs.com";
/// Names the STS endpoint when no `sts_endpoint` does, so a configuration from the
/// environment alone can reach a regional, VPC or emulated STS.
pub const STS_ENDPOINT_ENV: &str = "ALIBABA_CLOUD_STS_ENDPOINT";
/// Time limit for each STS and metadata request.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// The metadata service is a link-local hop that answers in milliseconds; off-cloud it
/// never answers, and a long limit times every retry would stall the plan for minutes.
const METADATA_TIMEOUT: Duration = Duration::from_secs(5);

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
    Oidc {
        oidc: OidcConfig,
        endpoint: Endpoint,
    },
    Uri(reqwest::Url),
    External(Vec<String>),
}

struct Inner {
    source: Source,
    origin: String,
    identity: String,
    http: SharedHttp,
    timeout: Duration,
    /// The STS endpoint this chain was configured with, for roles assumed on top of it
    /// ([`CredentialsProvider::assuming`]); an error when the transport policy refuses it.
    sts: Result<Endpoint, CredentialsError>,
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

/// What building a provider from a [`Found`] needs besides it.
struct Builder<'a> {
    http: &'a SharedHttp,
    timeout: Duration,
    metadata: Endpoint,
    sts: Endpoint,
    /// The argument or variable that named `sts`, for a refusal.
    sts_named_by: &'static str,
    transport: TransportPolicy,
}

impl Builder<'_> {
    fn make(&self, source: Source, origin: String, identity: String) -> CredentialsProvider {
        CredentialsProvider {
            inner: Arc::new(Inner {
                source,
                origin,
                identity,
                http: self.http.clone(),
                timeout: self.timeout,
                sts: self.sts(),
                cache: tokio::sync::Mutex::new(None),
            }),
        }
    }

    /// The STS endpoint, once the transport policy admits it: only a source that calls STS
    /// asks, so an STS endpoint nothing uses is not refused.
    fn sts(&self) -> Result<Endpoint, CredentialsError> {
        self.transport
            .admit(&self.sts, self.sts_named_by)
            .map_err(|reason| CredentialsError::Invalid {
                source_name: self.sts_named_by.into(),
                reason,
            })?;
        Ok(self.sts.clone())
    }

    fn build(&self, found: Found, origin: String) -> Result<CredentialsProvider, CredentialsError> {
        Ok(match found {
            Found::Key(c) => {
                let identity = format!("key:{}", c.access_key_id);
                self.make(Source::Static(c), origin, identity)
            }
            Found::EcsRamRole { role } => {
                self.transport
                    .admit_metadata(&self.metadata, "ecs_metadata_endpoint")
                    .map_err(|reason| CredentialsError::Invalid {
                        source_name: "ecs_metadata_endpoint".into(),
                        reason,
                    })?;
                let identity = format!("ecs:{}", role.as_deref().unwrap_or("*"));
                let source = Source::Ecs {
                    role,
                    endpoint: self.metadata.clone(),
                };
                self.make(source, origin, identity)
            }
            Found::RamRoleArn { base, role } => {
                let base = self.build(*base, origin.clone())?;
                let identity = format!("{}>role:{}", base.identity(), role.role_arn);
                let source = Source::AssumeRole {
                    base,
                    role,
                    endpoint: self.sts()?,
                };
                self.make(source, origin, identity)
            }
            Found::Oidc(oidc) => {
                let identity = format!("oidc:{}>role:{}", oidc.oidc_provider_arn, oidc.role_arn);
                let source = Source::Oidc {
                    oidc,
                    endpoint: self.sts()?,
                };
                self.make(source, origin, identity)
            }
            Found::External(command) => {
                let identity = external::identity(&command);
                self.make(
                    Source::External(external::words(&command)),
                    origin,
                    identity,
                )
            }
            Found::Uri(text, named_by) => {
                let url = uri::parse(text.expose(), &named_by, self.transport)?;
                // The identity keys caches and may be logged: never the query.
                let identity = format!("uri:{}", uri::shown(text.expose()));
                self.make(Source::Uri(url), origin, identity)
            }
        })
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
        let (sts, sts_named_by) = Self::sts_endpoint(config)?;
        let builder = Builder {
            http: &http,
            timeout,
            sts_named_by,
            transport: config.transport,
            metadata: endpoint_of(
                config.ecs_metadata_endpoint.as_deref(),
                DEFAULT_METADATA_ENDPOINT,
                // A bare host is called over plain HTTP, the only protocol the metadata
                // service speaks; the transport policy then refuses it anywhere but the
                // service's own address and loopback unless insecure_http is set.
                Protocol::Http,
                "ecs_metadata_endpoint",
            )?,
            sts,
        };
        builder.build(found, origin)
    }

    /// The STS endpoint `config` names (`sts_endpoint`, else `ALIBABA_CLOUD_STS_ENDPOINT`,
    /// else `sts.aliyuncs.com`), with the argument or variable that named it. Not yet
    /// admitted by the transport policy: whoever calls it does that.
    pub fn sts_endpoint(
        config: &CredentialsConfig,
    ) -> Result<(Endpoint, &'static str), CredentialsError> {
        let env = Env(&config.env);
        match &config.sts_endpoint {
            Some(e) => Ok((
                endpoint_of(
                    Some(e),
                    DEFAULT_STS_ENDPOINT,
                    Protocol::Https,
                    "sts_endpoint",
                )?,
                "sts_endpoint",
            )),
            None => {
                let named = env.get(STS_ENDPOINT_ENV);
                let endpoint = endpoint_of(
                    named.as_deref(),
                    DEFAULT_STS_ENDPOINT,
                    Protocol::Https,
                    STS_ENDPOINT_ENV,
                )?;
                let by = if named.is_some() {
                    STS_ENDPOINT_ENV
                } else {
                    "sts_endpoint"
                };
                Ok((endpoint, by))
            }
        }
    }

    /// Credentials for `role`, assumed through STS AssumeRole with these credentials as the
    /// caller, at the STS endpoint this chain was configured with: how the organisation read
    /// reaches each member account. Nothing is fetched until the first request.
    pub fn assuming(
        &self,
        role: AssumeRoleConfig,
    ) -> Result<CredentialsProvider, CredentialsError> {
        let endpoint = self.inner.sts.clone()?;
        let identity = format!("{}>role:{}", self.identity(), role.role_arn);
        let origin = format!("{}, then STS AssumeRole {}", self.origin(), role.role_arn);
        Ok(CredentialsProvider {
            inner: Arc::new(Inner {
                source: Source::AssumeRole {
                    base: self.clone(),
                    role,
                    endpoint: endpoint.clone(),
                },
                origin,
                identity,
                http: self.inner.http.clone(),
                timeout: self.inner.timeout,
                sts: Ok(endpoint),
                cache: tokio::sync::Mutex::new(None),
            }),
        })
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
            Source::Oidc { oidc, endpoint } => {
                oidc::assume_role_with_oidc(http, endpoint, oidc, inner.timeout).await?
            }
            Source::Uri(url) => uri::fetch(http, url, inner.timeout).await?,
            Source::External(command) => external::run(command, inner.timeout).await?,
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
