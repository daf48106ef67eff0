//! The client: what it holds (endpoints, credentials, the bound on calls in flight, the
//! pacer, the answers kept), how it is made from the provider's configuration and derived
//! for other credentials, and what it tells about itself. It knows no operation: each
//! operation's file (`last_used_info.rs`, `list_users.rs`, ...) adds its method, its answer
//! type and its checks, and calls [`Client::call`] (or [`Client::call_on`] with its
//! operation, on another [`Service`]), which `exchange.rs` answers; the pacer is in
//! `pacing.rs`.

use super::error::Error;
use super::pacing::Pacer;
use super::retry::Backoff;
pub(super) use super::service::Service;
use super::ClientConfig;
use crate::alibaba::credentials::CredentialsProvider;
use crate::alibaba::endpoint::Endpoint;
use crate::alibaba::http::{user_agent, SharedHttp};
use crate::alibaba::signature::SignatureAlgorithm;
use futures::future::{BoxFuture, Shared};
use std::any::Any;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// A validated answer, already decoded into its operation's type.
pub(super) type Answer = Arc<dyn Any + Send + Sync>;

pub(super) type Pending = Shared<BoxFuture<'static, Result<Answer, Error>>>;

/// The answers kept, and the calls in flight that identical calls join.
#[derive(Default)]
pub(super) struct Answers {
    pub(super) done: HashMap<String, Answer>,
    pub(super) in_flight: HashMap<String, Pending>,
}

pub(super) struct Inner {
    pub(super) endpoint: Endpoint,
    pub(super) ram_endpoint: Endpoint,
    pub(super) resourcemanager_endpoint: Endpoint,
    /// STS, as the credentials chain resolves it, or why the transport policy refuses it:
    /// refused only when called, as the chain does, so an STS endpoint nothing calls is
    /// not an error.
    pub(super) sts_endpoint: Result<Endpoint, String>,
    /// Bounds the HTTP exchanges in flight, whoever asks (a fleet read fans out to many),
    /// shared with the clients derived for other credentials.
    pub(super) permits: Arc<tokio::sync::Semaphore>,
    /// How many permits `permits` was made with: `max_concurrency`.
    concurrency: usize,
    /// The learned rates, per credentials, endpoint and Action; shared likewise.
    pub(super) pacer: Arc<Pacer>,
    pub(super) signature: SignatureAlgorithm,
    pub(super) max_retries: u32,
    pub(super) timeout: Duration,
    pub(super) http: SharedHttp,
    pub(super) credentials: CredentialsProvider,
    pub(super) answers: Mutex<Answers>,
    /// Whether answers are kept for the rest of the plan. A client derived for a member
    /// account ([`Client::with_credentials`]) serves one read, which asks each question
    /// once: keeping its 10,000 answers until the plan ends would only hold memory.
    pub(super) keeps_answers: bool,
    pub(super) api_calls: Arc<std::sync::atomic::AtomicU64>,
}

impl Inner {
    /// Where calls to `service` go.
    pub(super) fn endpoint_of(&self, service: Service) -> Result<&Endpoint, Error> {
        match service {
            Service::ActionTrail => Ok(&self.endpoint),
            Service::Ram => Ok(&self.ram_endpoint),
            Service::ResourceManager => Ok(&self.resourcemanager_endpoint),
            Service::Sts => self
                .sts_endpoint
                .as_ref()
                .map_err(|why| Error::Config(why.clone())),
        }
    }
}

/// The ActionTrail client. Cheap to clone; clones share the connection pool, the
/// credentials and the answer cache.
#[derive(Clone)]
pub struct Client {
    pub(super) inner: Arc<Inner>,
    pub(super) backoff: Backoff,
    pub(super) stop: CancellationToken,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("endpoint", &self.inner.endpoint.base_url)
            .field("credentials", &self.inner.credentials.origin())
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Validates `config` and picks the credentials source (environment and files only).
    /// No network and no TLS set-up happen until the first request.
    pub fn new(config: ClientConfig) -> Result<Client, Error> {
        let endpoint = match config.endpoint.as_deref().filter(|e| !e.trim().is_empty()) {
            Some(e) => Endpoint::parse(e, config.protocol),
            None => Endpoint::regional("actiontrail", &config.region, config.protocol),
        }
        .map_err(Error::Config)?;
        let ram_endpoint = Service::ram_endpoint(&config)?;
        let resourcemanager_endpoint = Service::resourcemanager_endpoint(&config)?;
        // The one transport policy, again where the endpoints are built.
        let transport = config.credentials.transport;
        transport
            .admit(&endpoint, "endpoint")
            .map_err(Error::Config)?;
        transport
            .admit(&ram_endpoint, "ram_endpoint")
            .map_err(Error::Config)?;
        transport
            .admit(&resourcemanager_endpoint, "resourcemanager_endpoint")
            .map_err(Error::Config)?;
        let sts_endpoint = Service::sts_endpoint(&config)
            .map(|(e, named_by)| transport.admit(&e, named_by).map(|()| e))?;
        if let Some(n) = config.max_requests_per_second {
            if !(n.is_finite() && n > 0.0) {
                return Err(Error::Config(format!(
                    "max_requests_per_second must be more than zero, not {n}"
                )));
            }
        }
        if config.max_concurrency == 0 {
            return Err(Error::Config("max_concurrency must be at least 1".into()));
        }
        if config.timeout.is_zero() {
            return Err(Error::Config("timeout must be more than zero".into()));
        }
        let http = SharedHttp::with_connect_timeout(&user_agent(), config.timeout.mul_f64(0.9));
        let credentials = CredentialsProvider::from_config_with_timeout(
            &config.credentials,
            http.clone(),
            config.timeout,
        )?;
        tracing::debug!(
            endpoint = %endpoint.base_url,
            credentials = %credentials.origin(),
            "ActionTrail client configured"
        );
        Ok(Client {
            inner: Arc::new(Inner {
                endpoint,
                ram_endpoint,
                resourcemanager_endpoint,
                sts_endpoint,
                permits: Arc::new(tokio::sync::Semaphore::new(config.max_concurrency)),
                concurrency: config.max_concurrency,
                pacer: Arc::new(if config.learned_pacing {
                    Pacer::new(config.max_requests_per_second)
                } else {
                    Pacer::unlearning(config.max_requests_per_second)
                }),
                signature: config.signature,
                max_retries: config.max_retries,
                timeout: config.timeout,
                http,
                credentials,
                answers: Mutex::new(Answers::default()),
                keeps_answers: true,
                api_calls: Arc::new(std::sync::atomic::AtomicU64::new(0)),
            }),
            backoff: Backoff::default(),
            stop: CancellationToken::new(),
        })
    }

    /// A client that signs with `credentials` (a member account's role, say) and shares
    /// this one's endpoints, connection pool, `max_concurrency` bound, pacer and call count:
    /// the other credentials are another identity, so their calls get rates of their own,
    /// as Alibaba's quotas are per account. It keeps no answers: it serves one read, which
    /// asks each question once (identical calls in flight are still joined).
    pub fn with_credentials(&self, credentials: CredentialsProvider) -> Client {
        let inner = &self.inner;
        Client {
            inner: Arc::new(Inner {
                endpoint: inner.endpoint.clone(),
                ram_endpoint: inner.ram_endpoint.clone(),
                resourcemanager_endpoint: inner.resourcemanager_endpoint.clone(),
                sts_endpoint: inner.sts_endpoint.clone(),
                permits: inner.permits.clone(),
                concurrency: inner.concurrency,
                pacer: inner.pacer.clone(),
                signature: inner.signature,
                max_retries: inner.max_retries,
                timeout: inner.timeout,
                http: inner.http.clone(),
                credentials,
                answers: Mutex::new(Answers::default()),
                keeps_answers: false,
                api_calls: inner.api_calls.clone(),
            }),
            backoff: self.backoff,
            stop: self.stop.clone(),
        }
    }

    /// A client for another account's role: [`Client::with_credentials`] with what STS
    /// AssumeRole gives this client's credentials for `role`. Nothing is fetched until the
    /// first call.
    pub fn assuming(&self, role: super::AssumeRoleConfig) -> Result<Client, Error> {
        Ok(self.with_credentials(self.inner.credentials.assuming(role)?))
    }

    /// The credentials this client signs with (their identity keys caches and rates).
    pub fn credentials(&self) -> &CredentialsProvider {
        &self.inner.credentials
    }

    /// This handle, its calls (and their retries) cancelled when `stop` is: Terraform's
    /// StopProvider (Ctrl-C) must not wait out a throttled plan's backoff.
    pub fn cancelled_by(mut self, stop: CancellationToken) -> Client {
        self.stop = stop;
        self
    }

    /// This handle with another backoff (tests use milliseconds).
    pub fn with_backoff(mut self, base: Duration, cap: Duration) -> Client {
        self.backoff = Backoff { base, cap };
        self
    }

    /// The endpoint's base URL.
    pub fn endpoint(&self) -> &str {
        &self.inner.endpoint.base_url
    }

    /// The RAM endpoint's base URL.
    pub fn ram_endpoint(&self) -> &str {
        &self.inner.ram_endpoint.base_url
    }

    /// The ResourceManager endpoint's base URL.
    pub fn resourcemanager_endpoint(&self) -> &str {
        &self.inner.resourcemanager_endpoint.base_url
    }

    /// The STS endpoint's base URL, or why the transport policy refuses it.
    pub fn sts_endpoint(&self) -> Result<&str, Error> {
        self.inner
            .endpoint_of(Service::Sts)
            .map(|e| e.base_url.as_str())
    }

    /// Where the credentials come from (never a secret).
    pub fn credentials_origin(&self) -> &str {
        self.inner.credentials.origin()
    }

    /// The most HTTP exchanges in flight at once (`max_concurrency`), shared with the
    /// clients derived from this one.
    pub fn max_concurrency(&self) -> usize {
        self.inner.concurrency
    }

    /// Retries after the first try, as configured (error hints quote it).
    pub fn max_retries(&self) -> u32 {
        self.inner.max_retries
    }

    /// HTTP exchanges made with the API so far, retries included (not STS or metadata).
    pub fn api_calls(&self) -> u64 {
        self.inner
            .api_calls
            .load(std::sync::atomic::Ordering::Relaxed)
    }
}

#[cfg(test)]
#[path = "client_tests.rs"]
mod tests;
