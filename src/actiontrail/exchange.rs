//! Every call's way to the API and back. [`Client::call`] answers an operation from the
//! answers kept, by joining an identical call in flight, or by asking the API, and
//! validates and decodes what comes back before anything may keep it. Asking goes through
//! one loop ([`Client::paced`]) around one signed exchange ([`Client::exchange`]): each
//! attempt first waits for its slot from the pacer (`pacing.rs`) and tells it how the
//! server took the call; throttled, failed and timed-out attempts are tried again with
//! backoff, up to `max_retries`, and Terraform's StopProvider cuts any wait short. STS's
//! AssumeRole (`Client::sign_in`) goes through the same loop.

use super::answer;
use super::client::{Answer, Client};
use super::error::Error;
use super::pacing::PaceKey;
use super::service::{Operation, Service};
use crate::alibaba::redact;
use crate::alibaba::rpc::{send, SendFailure};
use crate::alibaba::signature::{nonce, sign, RpcRequest};
use futures::future::FutureExt as _;
use serde::de::DeserializeOwned;
use std::collections::BTreeMap;
use std::future::Future;
use std::sync::{Arc, PoisonError};
use std::time::Instant;

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

/// One operation's call: the operation (its API and Action), its parameters and how its
/// answer decodes.
pub(super) struct Call {
    pub(super) operation: Operation,
    pub(super) params: BTreeMap<String, String>,
    pub(super) decode: Decoder,
}

/// What one attempt tells the pacer about its key's rate.
pub(super) enum Heard {
    /// The server refused the call for flow control: pace the key slower.
    Throttled,
    /// The server let the call through (it answered, even with an error).
    Served,
    /// The call was not answered (a timeout, a broken connection): nothing learned.
    Nothing,
}

impl Client {
    /// Drops the answer this process kept for `operation` with `params`, if any, so that the
    /// next identical call asks the API (an identical call in flight is still joined).
    pub(super) fn forget(&self, operation: Operation, params: &BTreeMap<String, String>) {
        let key = self.cache_key(operation, params);
        self.inner
            .answers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .done
            .remove(&key);
    }

    /// One operation, answered from the cache, from an identical call in flight, or by
    /// the API; validated and decoded by `decode` before anything may cache it.
    pub(super) async fn call<T: Clone + Send + Sync + 'static>(
        &self,
        action: &'static str,
        params: BTreeMap<String, String>,
        decode: Decoder,
    ) -> Result<T, Error> {
        self.call_on(Operation::new(Service::ActionTrail, action), params, decode)
            .await
    }

    /// [`Client::call`] of `operation`, on its API.
    pub(super) async fn call_on<T: Clone + Send + Sync + 'static>(
        &self,
        operation: Operation,
        params: BTreeMap<String, String>,
        decode: Decoder,
    ) -> Result<T, Error> {
        let action = operation.action;
        let call = Call {
            operation,
            params,
            decode,
        };
        let answer = self.answer(call).await?;
        // The cache key holds the service and action, so an answer is always its
        // action's type.
        answer
            .downcast_ref::<T>()
            .cloned()
            .ok_or_else(|| Error::Config(format!("{action}: cached answer of another type")))
    }

    /// `operation`, decoded strictly as `T`: an answer that lacks a field `T` requires is
    /// [`Error::Untrusted`], naming the field, never a default.
    pub(super) async fn call_strict<T>(
        &self,
        operation: Operation,
        params: BTreeMap<String, String>,
    ) -> Result<T, Error>
    where
        T: DeserializeOwned + Clone + Send + Sync + 'static,
    {
        self.call_on(operation, params, strict::<T>).await
    }

    /// The cache key of `operation` with `params`, asked by these credentials.
    fn cache_key(&self, operation: Operation, params: &BTreeMap<String, String>) -> String {
        let action = format!("{}:{}", operation.service.name(), operation.action);
        cache_key(self.inner.credentials.identity(), &action, params)
    }

    async fn answer(&self, call: Call) -> Result<Answer, Error> {
        let action = call.operation.action;
        let key = self.cache_key(call.operation, &call.params);
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
                        let result = me.call_with_retries(&call).await;
                        // The future itself settles the bookkeeping, exactly once, however
                        // many callers wait on it.
                        let mut answers = me
                            .inner
                            .answers
                            .lock()
                            .unwrap_or_else(PoisonError::into_inner);
                        answers.in_flight.remove(&key2);
                        match &result {
                            Ok(a) if me.inner.keeps_answers && kept(action) => {
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

    /// Fetches this client's credentials now (for a role: assumes it), so that a failure
    /// names the credentials rather than the first call that needed them. The STS call goes
    /// through the pacer like any API call (an organisation read assumes a role per member
    /// at once, and STS throttles them like any API), is retried as they are, and
    /// StopProvider cuts the wait short.
    pub async fn sign_in(&self) -> Result<(), Error> {
        let inner = &self.inner;
        let sts = inner
            .sts_endpoint
            .as_ref()
            .map_or("sts", |e| e.base_url.as_str());
        let key = PaceKey::new(inner.credentials.identity(), sts, "AssumeRole");
        self.paced(
            "STS AssumeRole",
            "AssumeRole",
            &key,
            heard_from_sts,
            || async {
                inner
                    .credentials
                    .credentials()
                    .await
                    .map(drop)
                    .map_err(Error::from)
            },
        )
        .await
    }

    /// `attempt`, each try admitted by the pacer under `key` (and a permit of
    /// `max_concurrency`, held for the try only, not across a backoff), retried while it
    /// fails retryably. `heard` says what each outcome teaches the pacer; `who` names the
    /// API in the debug log.
    pub(super) async fn paced<T, F, Fut>(
        &self,
        who: &'static str,
        operation: &'static str,
        key: &PaceKey,
        heard: fn(&Result<T, Error>) -> Heard,
        attempt: F,
    ) -> Result<T, Error>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<T, Error>>,
    {
        let inner = &self.inner;
        let stopped = || Error::Stopped {
            operation: operation.to_owned(),
        };
        let mut retry = 0u32;
        loop {
            let started = Instant::now();
            let result = tokio::select! {
                biased;
                () = self.stop.cancelled() => Err(stopped()),
                r = async {
                    let (sent, _permit) = inner.pacer.admit(key, &inner.permits).await;
                    let result = attempt().await;
                    match heard(&result) {
                        Heard::Throttled => {
                            let after = result.as_ref().err().and_then(Error::retry_after);
                            inner.pacer.throttled(key, sent, after);
                        }
                        Heard::Served => inner.pacer.served(key),
                        Heard::Nothing => {}
                    }
                    result
                } => r,
            };
            let latency_ms = started.elapsed().as_millis();
            let err = match result {
                Ok(answer) => {
                    tracing::debug!(operation, attempt = retry + 1, latency_ms, "{who} answered");
                    return Ok(answer);
                }
                Err(err) => err,
            };
            let retryable = err.is_retryable();
            if !retryable || retry >= inner.max_retries {
                tracing::debug!(
                    operation,
                    attempt = retry + 1,
                    latency_ms,
                    request_id = err.request_id().unwrap_or(""),
                    retryable,
                    error = %err,
                    "{who} call failed; not retrying"
                );
                return Err(err);
            }
            let delay = self.backoff.delay(retry, err.retry_after());
            tracing::debug!(
                operation,
                attempt = retry + 1,
                latency_ms,
                request_id = err.request_id().unwrap_or(""),
                delay_ms = delay.as_millis(),
                error = %err,
                "{who} call failed; retrying"
            );
            tokio::select! {
                () = self.stop.cancelled() => return Err(stopped()),
                () = tokio::time::sleep(delay) => {}
            }
            retry += 1;
        }
    }

    /// One call, paced and retried.
    pub(super) async fn call_with_retries(&self, call: &Call) -> Result<Answer, Error> {
        let inner = &self.inner;
        let Operation {
            service, action, ..
        } = call.operation;
        let endpoint = inner.endpoint_of(service)?;
        let key = PaceKey::new(inner.credentials.identity(), &endpoint.base_url, action);
        self.paced("ActionTrail", action, &key, heard_from_api, || {
            self.exchange(call)
        })
        .await
    }

    /// One signed exchange: sent, sorted ([`answer::interpret`]) and decoded.
    async fn exchange(&self, call: &Call) -> Result<Answer, Error> {
        let Call {
            operation: Operation {
                service, action, ..
            },
            params,
            decode,
        } = call;
        let (service, action) = (*service, *action);
        let inner = &self.inner;
        let endpoint = inner.endpoint_of(service)?;
        let credentials = inner.credentials.credentials().await?;
        let http = inner.http.get().map_err(Error::Config)?;
        let request = RpcRequest {
            action,
            version: service.version(),
            params,
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
        let url = &endpoint.base_url;
        let raw = send(http, &signed, inner.timeout)
            .await
            .map_err(|failure| match failure {
                SendFailure::TooLarge { http_status, cap } => Error::not_actiontrail(
                    action,
                    url,
                    http_status,
                    crate::alibaba::decode::over_cap(cap),
                    String::new(),
                ),
                SendFailure::Timeout {
                    may_have_been_sent,
                    detail,
                } => Error::Timeout {
                    operation: action.to_owned(),
                    endpoint: url.clone(),
                    timeout: inner.timeout,
                    may_have_been_sent,
                    detail,
                },
                SendFailure::Transport {
                    may_have_been_sent,
                    detail,
                } => Error::Transport {
                    operation: action.to_owned(),
                    endpoint: url.clone(),
                    may_have_been_sent,
                    detail,
                },
            })?;
        let secrets = credentials.secrets();
        let body = answer::interpret(action, url, &raw, &secrets)?;
        decode(body, params).map_err(|reason| {
            let excerpt = redact::excerpt(&raw.body, &secrets);
            Error::not_actiontrail(action, url, raw.status, reason, excerpt)
        })
    }
}

/// What an API call's outcome teaches the pacer: a throttle slows the key; any answer
/// from the server, even an error or one that is no answer, says it let the call through.
fn heard_from_api<T>(result: &Result<T, Error>) -> Heard {
    match result {
        Err(e) if e.is_throttling() => Heard::Throttled,
        Ok(_) | Err(Error::Service(_) | Error::NotActionTrail { .. } | Error::Untrusted { .. }) => {
            Heard::Served
        }
        // Not answered (a timeout, a broken connection, no credentials): nothing learned.
        Err(_) => Heard::Nothing,
    }
}

/// What STS's AssumeRole teaches the pacer: its throttles slow the key, and any error the
/// service answered with says it let the call through.
fn heard_from_sts(result: &Result<(), Error>) -> Heard {
    match result {
        Ok(()) => Heard::Served,
        Err(e) => match e.service() {
            Some(s) if s.is_retryable() && s.code.contains("Throttling") => Heard::Throttled,
            Some(_) => Heard::Served,
            None => Heard::Nothing,
        },
    }
}

/// Whether an answer stays in the cache. ListUsers pages do not: the listing built from
/// them holds every user already, and a hostile RAM endpoint's pages would otherwise be held
/// twice, up to the listing's caps. Identical calls in flight are still joined.
fn kept(action: &str) -> bool {
    action != "ListUsers"
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
}
