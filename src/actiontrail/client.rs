//! The client: one signed, retried, coalesced and memoized call per distinct request.

use super::answer;
use super::error::Error;
use super::pagination::{paginate, Listing, Page, PageOptions};
use super::retry::Backoff;
pub(super) use super::service::Service;
use super::types::{
    AccessKeyLastUsedInfo, IpUsage, IpsPage, ProductsPage, ResourceUsage, ResourcesPage,
};
use super::ClientConfig;
use crate::alibaba::credentials::CredentialsProvider;
use crate::alibaba::endpoint::Endpoint;
use crate::alibaba::http::{user_agent, SharedHttp};
use crate::alibaba::redact;
use crate::alibaba::rpc::{nonce, send, sign, RpcRequest, SendFailure, SignatureAlgorithm};
use futures::future::{BoxFuture, FutureExt as _, Shared};
use serde::de::DeserializeOwned;
use std::any::Any;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// A validated answer, already decoded into its operation's type.
pub(super) type Answer = Arc<dyn Any + Send + Sync>;

/// Checks and decodes one operation's answer body, given the request's parameters.
pub(super) type Decoder = fn(&str, &BTreeMap<String, String>) -> Result<Answer, answer::Reason>;

pub(super) fn erase<T: Send + Sync + 'static>(
    r: Result<T, answer::Reason>,
) -> Result<Answer, answer::Reason> {
    r.map(|v| Arc::new(v) as Answer)
}

/// Decodes an answer whose every required field `T` declares: a JSON object with a
/// RequestId, and nothing defaulted.
fn strict<T: DeserializeOwned + Send + Sync + 'static>(
    body: &str,
    _params: &BTreeMap<String, String>,
) -> Result<Answer, answer::Reason> {
    erase(answer::object::<T>(body))
}

type Pending = Shared<BoxFuture<'static, Result<Answer, Error>>>;

#[derive(Default)]
struct Answers {
    done: HashMap<String, Answer>,
    in_flight: HashMap<String, Pending>,
}

struct Inner {
    endpoint: Endpoint,
    ram_endpoint: Endpoint,
    /// Bounds the HTTP exchanges in flight, whoever asks (a fleet read fans out to many).
    permits: tokio::sync::Semaphore,
    signature: SignatureAlgorithm,
    max_retries: u32,
    timeout: Duration,
    http: SharedHttp,
    credentials: CredentialsProvider,
    answers: Mutex<Answers>,
    api_calls: std::sync::atomic::AtomicU64,
}

/// The ActionTrail client. Cheap to clone; clones share the connection pool, the
/// credentials and the answer cache.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
    backoff: Backoff,
    stop: CancellationToken,
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
        // The one transport policy, again where the endpoints are built.
        let transport = config.credentials.transport;
        transport
            .admit(&endpoint, "endpoint")
            .map_err(Error::Config)?;
        transport
            .admit(&ram_endpoint, "ram_endpoint")
            .map_err(Error::Config)?;
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
                permits: tokio::sync::Semaphore::new(config.max_concurrency),
                signature: config.signature,
                max_retries: config.max_retries,
                timeout: config.timeout,
                http,
                credentials,
                answers: Mutex::new(Answers::default()),
                api_calls: std::sync::atomic::AtomicU64::new(0),
            }),
            backoff: Backoff::default(),
            stop: CancellationToken::new(),
        })
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

    /// Where the credentials come from (never a secret).
    pub fn credentials_origin(&self) -> &str {
        self.inner.credentials.origin()
    }

    /// HTTP exchanges made with the API so far, retries included (not STS or metadata).
    pub fn api_calls(&self) -> u64 {
        self.inner
            .api_calls
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// GetAccessKeyLastUsedInfo: when, where and by whom `access_key_id` was last used.
    pub async fn get_access_key_last_used_info(
        &self,
        access_key_id: &str,
    ) -> Result<AccessKeyLastUsedInfo, Error> {
        let params = BTreeMap::from([("AccessKey".to_owned(), access_key_id.to_owned())]);
        self.call("GetAccessKeyLastUsedInfo", params, |body, params| {
            let asked = params.get("AccessKey").map_or("", String::as_str);
            erase(answer::info(body, asked))
        })
        .await
    }

    /// GetAccessKeyLastUsedInfo asked of the API now: an answer this process kept from an
    /// earlier read is dropped first, so a check at apply time sees what ActionTrail says
    /// at that moment (an identical call already in flight is joined: it is as recent).
    pub async fn get_access_key_last_used_info_now(
        &self,
        access_key_id: &str,
    ) -> Result<AccessKeyLastUsedInfo, Error> {
        let params = BTreeMap::from([("AccessKey".to_owned(), access_key_id.to_owned())]);
        let key = cache_key(
            self.inner.credentials.identity(),
            &format!("{}:GetAccessKeyLastUsedInfo", Service::ActionTrail.name()),
            &params,
        );
        self.inner
            .answers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .done
            .remove(&key);
        self.get_access_key_last_used_info(access_key_id).await
    }

    /// GetAccessKeyLastUsedProducts: every service `access_key_id` used.
    pub async fn get_access_key_last_used_products(
        &self,
        access_key_id: &str,
    ) -> Result<ProductsPage, Error> {
        let params = BTreeMap::from([("AccessKey".to_owned(), access_key_id.to_owned())]);
        self.call("GetAccessKeyLastUsedProducts", params, |body, _| {
            erase(answer::products(body))
        })
        .await
    }

    /// GetAccessKeyLastUsedIps across pages: the IPs `access_key_id` called
    /// `service_name` from.
    pub async fn list_access_key_last_used_ips(
        &self,
        access_key_id: &str,
        service_name: &str,
        options: PageOptions,
    ) -> Result<Listing<IpUsage>, Error> {
        let op = "GetAccessKeyLastUsedIps";
        paginate(op, options, |token, size| async move {
            let page: IpsPage = self
                .call(
                    op,
                    page_params(access_key_id, service_name, token, size),
                    |body, _| erase(answer::ips(body)),
                )
                .await?;
            Ok(Page {
                request_id: page.request_id,
                next_token: page.next_token,
                items: page.ips,
            })
        })
        .await
    }

    /// GetAccessKeyLastUsedResources across pages: the resources `access_key_id` acted on
    /// through `service_name`.
    pub async fn list_access_key_last_used_resources(
        &self,
        access_key_id: &str,
        service_name: &str,
        options: PageOptions,
    ) -> Result<Listing<ResourceUsage>, Error> {
        let op = "GetAccessKeyLastUsedResources";
        paginate(op, options, |token, size| async move {
            let page: ResourcesPage = self
                .call(
                    op,
                    page_params(access_key_id, service_name, token, size),
                    |body, _| erase(answer::resources(body)),
                )
                .await?;
            Ok(Page {
                request_id: page.request_id,
                next_token: page.next_token,
                items: page.resources,
            })
        })
        .await
    }

    /// One operation, answered from the cache, from an identical call in flight, or by
    /// the API; validated and decoded by `decode` before anything may cache it.
    pub(super) async fn call<T: Clone + Send + Sync + 'static>(
        &self,
        action: &'static str,
        params: BTreeMap<String, String>,
        decode: Decoder,
    ) -> Result<T, Error> {
        self.call_on(Service::ActionTrail, action, params, decode)
            .await
    }

    /// [`Client::call`] on `service`.
    pub(super) async fn call_on<T: Clone + Send + Sync + 'static>(
        &self,
        service: Service,
        action: &'static str,
        params: BTreeMap<String, String>,
        decode: Decoder,
    ) -> Result<T, Error> {
        let answer = self.answer(service, action, params, decode).await?;
        // The cache key holds the service and action, so an answer is always its
        // action's type.
        answer
            .downcast_ref::<T>()
            .cloned()
            .ok_or_else(|| Error::Config(format!("{action}: cached answer of another type")))
    }

    /// One operation of `service`, decoded strictly as `T`: an answer that lacks a field
    /// `T` requires is [`Error::Untrusted`], naming the field, never a default.
    pub(super) async fn call_strict<T>(
        &self,
        service: Service,
        action: &'static str,
        params: BTreeMap<String, String>,
    ) -> Result<T, Error>
    where
        T: DeserializeOwned + Clone + Send + Sync + 'static,
    {
        let answer = self.answer(service, action, params, strict::<T>).await?;
        answer
            .downcast_ref::<T>()
            .cloned()
            .ok_or_else(|| Error::Config(format!("{action}: cached answer of another type")))
    }

    async fn answer(
        &self,
        service: Service,
        action: &'static str,
        params: BTreeMap<String, String>,
        decode: Decoder,
    ) -> Result<Answer, Error> {
        let key = cache_key(
            self.inner.credentials.identity(),
            &format!("{}:{action}", service.name()),
            &params,
        );
        let pending = {
            let mut answers = self
                .inner
                .answers
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if let Some(done) = answers.done.get(&key) {
                tracing::debug!(operation = action, "answered from the cache");
                return Ok(done.clone());
            }
            match answers.in_flight.get(&key) {
                Some(p) => {
                    tracing::debug!(operation = action, "joined an identical call in flight");
                    p.clone()
                }
                None => {
                    let me = self.clone();
                    let key2 = key.clone();
                    let p = async move {
                        let result = me.call_with_retries(service, action, &params, decode).await;
                        // The future itself settles the bookkeeping, exactly once, however
                        // many callers wait on it.
                        let mut answers = me
                            .inner
                            .answers
                            .lock()
                            .unwrap_or_else(PoisonError::into_inner);
                        answers.in_flight.remove(&key2);
                        match &result {
                            Ok(a) if kept(action) => {
                                answers.done.insert(key2, a.clone());
                            }
                            _ => {}
                        }
                        result
                    }
                    .boxed()
                    .shared();
                    answers.in_flight.insert(key, p.clone());
                    p
                }
            }
        };
        pending.await
    }

    async fn call_with_retries(
        &self,
        service: Service,
        action: &'static str,
        params: &BTreeMap<String, String>,
        decode: Decoder,
    ) -> Result<Answer, Error> {
        let stopped = || Error::Stopped {
            operation: action.to_owned(),
        };
        let mut retry = 0u32;
        loop {
            let started = Instant::now();
            let result = tokio::select! {
                biased;
                () = self.stop.cancelled() => Err(stopped()),
                r = self.attempt(service, action, params, decode) => r,
            };
            let latency_ms = started.elapsed().as_millis();
            match result {
                Ok(answer) => {
                    tracing::debug!(
                        operation = action,
                        attempt = retry + 1,
                        latency_ms,
                        "ActionTrail answered"
                    );
                    return Ok(answer);
                }
                Err(err) => {
                    let retryable = err.is_retryable();
                    if !retryable || retry >= self.inner.max_retries {
                        tracing::debug!(
                            operation = action,
                            attempt = retry + 1,
                            latency_ms,
                            request_id = err.request_id().unwrap_or(""),
                            retryable,
                            error = %err,
                            "ActionTrail call failed; not retrying"
                        );
                        return Err(err);
                    }
                    let delay = self.backoff.delay(retry, err.retry_after());
                    tracing::debug!(
                        operation = action,
                        attempt = retry + 1,
                        latency_ms,
                        request_id = err.request_id().unwrap_or(""),
                        delay_ms = delay.as_millis(),
                        error = %err,
                        "ActionTrail call failed; retrying"
                    );
                    tokio::select! {
                        () = self.stop.cancelled() => return Err(stopped()),
                        () = tokio::time::sleep(delay) => {}
                    }
                    retry += 1;
                }
            }
        }
    }

    async fn attempt(
        &self,
        service: Service,
        action: &'static str,
        params: &BTreeMap<String, String>,
        decode: Decoder,
    ) -> Result<Answer, Error> {
        let inner = &self.inner;
        // Held for the exchange only, not across a retry's backoff. The semaphore is never
        // closed, so acquiring cannot fail.
        let _permit = inner.permits.acquire().await.ok();
        let credentials = inner.credentials.credentials().await?;
        let http = inner.http.get().map_err(Error::Config)?;
        let request = RpcRequest {
            action,
            version: service.version(),
            params,
        };
        let endpoint = match service {
            Service::ActionTrail => &inner.endpoint,
            Service::Ram => &inner.ram_endpoint,
        };
        let signed = sign(
            &request,
            endpoint,
            &credentials,
            inner.signature,
            time::OffsetDateTime::now_utc(),
            &nonce(),
        );
        inner
            .api_calls
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let raw = send(http, &signed, inner.timeout)
            .await
            .map_err(|f| match f {
                SendFailure::TooLarge { http_status, cap } => Error::NotActionTrail {
                    operation: action.to_owned(),
                    endpoint: endpoint.base_url.clone(),
                    http_status,
                    reason: crate::alibaba::decode::over_cap(cap),
                    excerpt: String::new(),
                },
                SendFailure::Timeout {
                    may_have_been_sent,
                    detail,
                } => Error::Timeout {
                    operation: action.to_owned(),
                    endpoint: endpoint.base_url.clone(),
                    timeout: inner.timeout,
                    may_have_been_sent,
                    detail,
                },
                SendFailure::Transport {
                    may_have_been_sent,
                    detail,
                } => Error::Transport {
                    operation: action.to_owned(),
                    endpoint: endpoint.base_url.clone(),
                    may_have_been_sent,
                    detail,
                },
            })?;
        let body = answer::interpret(action, &endpoint.base_url, &raw, &credentials.secrets())?;
        decode(body, params).map_err(|reason| Error::NotActionTrail {
            operation: action.to_owned(),
            endpoint: endpoint.base_url.clone(),
            http_status: raw.status,
            reason,
            excerpt: redact::excerpt(&raw.body, &credentials.secrets()),
        })
    }
}

/// Whether an answer stays in the cache. ListUsers pages do not: the listing built from
/// them holds every user already, and a hostile RAM endpoint's pages would otherwise be held
/// twice, up to the listing's caps. Identical calls in flight are still joined.
fn kept(action: &str) -> bool {
    action != "ListUsers"
}

fn page_params(
    access_key_id: &str,
    service_name: &str,
    token: Option<String>,
    page_size: u32,
) -> BTreeMap<String, String> {
    let mut p = BTreeMap::from([
        ("AccessKey".to_owned(), access_key_id.to_owned()),
        ("ServiceName".to_owned(), service_name.to_owned()),
        ("PageSize".to_owned(), page_size.to_string()),
    ]);
    if let Some(t) = token {
        p.insert("NextToken".to_owned(), t);
    }
    p
}

/// Who asks (credentials identity), what (action) and with which parameters; the
/// parameters are percent-encoded so no value can forge a separator.
fn cache_key(identity: &str, action: &str, params: &BTreeMap<String, String>) -> String {
    let query = crate::alibaba::signature::canonicalized_query(
        params.iter().map(|(k, v)| (k.as_str(), v.as_str())),
    );
    format!("{identity}\n{action}\n{query}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_keys_separate_identities_actions_and_parameters() {
        let p = |v: &str| BTreeMap::from([("AccessKey".to_owned(), v.to_owned())]);
        let a = cache_key("key:A", "Op", &p("x"));
        assert_ne!(a, cache_key("key:B", "Op", &p("x")));
        assert_ne!(a, cache_key("key:A", "Op2", &p("x")));
        assert_ne!(a, cache_key("key:A", "Op", &p("x&ServiceName=y")));
        assert_eq!(a, cache_key("key:A", "Op", &p("x")));
    }

    #[test]
    fn new_makes_no_http_client_and_rejects_bad_endpoints() {
        let cfg = ClientConfig {
            credentials: crate::alibaba::credentials::CredentialsConfig {
                access_key: Some("id".into()),
                secret_key: Some("secret".into()),
                env: Some(BTreeMap::new()),
                ..Default::default()
            },
            ..Default::default()
        };
        let c = Client::new(cfg.clone()).unwrap();
        assert!(
            !c.inner.http.is_built(),
            "TLS set-up waits for the first request"
        );
        assert_eq!(c.endpoint(), "https://actiontrail.cn-hangzhou.aliyuncs.com");
        let mut bad = cfg;
        bad.endpoint = Some("ftp://x".into());
        assert!(matches!(Client::new(bad), Err(Error::Config(_))));
    }

    #[test]
    fn the_client_and_its_futures_can_cross_threads() {
        fn send_sync_clone<T: Send + Sync + Clone + 'static>() {}
        fn send<T: Send>(_: &T) {}
        send_sync_clone::<Client>();
        let cfg = ClientConfig {
            credentials: crate::alibaba::credentials::CredentialsConfig {
                access_key: Some("id".into()),
                secret_key: Some("secret".into()),
                env: Some(BTreeMap::new()),
                ..Default::default()
            },
            ..Default::default()
        };
        let c = Client::new(cfg).unwrap();
        send(&c.get_access_key_last_used_info("k"));
        send(&c.get_access_key_last_used_products("k"));
        send(&c.list_access_key_last_used_ips("k", "Ecs", PageOptions::default()));
        send(&c.list_access_key_last_used_resources("k", "Ecs", PageOptions::default()));
    }

    #[test]
    fn new_fails_with_every_place_looked_when_no_credentials_exist() {
        let cfg = ClientConfig {
            credentials: crate::alibaba::credentials::CredentialsConfig {
                env: Some(BTreeMap::new()),
                ..Default::default()
            },
            ..Default::default()
        };
        let err = Client::new(cfg).unwrap_err();
        assert!(matches!(err, Error::Credentials(_)), "{err:?}");
        let msg = err.to_string();
        assert!(msg.contains("ALIBABA_CLOUD_ACCESS_KEY_ID") && msg.contains("access_key"));
        assert!(!err.is_retryable() && !err.may_have_been_sent());
    }
}
