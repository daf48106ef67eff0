//! One signed exchange with the API ([`Client::attempt`]), and the retries around it
//! ([`Client::call_with_retries`]): throttled, failed and timed-out calls are tried again
//! with backoff, up to `max_retries`, and Terraform's StopProvider cuts any wait short.
//! Every attempt first waits for its slot from the pacer (`pacing.rs`) and tells it how
//! the server took the call.

use super::answer;
use super::client::{Answer, Client, Decoder, Service};
use super::error::Error;
use super::pacing::PaceKey;
use crate::alibaba::redact;
use crate::alibaba::rpc::{nonce, send, sign, RpcRequest, SendFailure};
use std::collections::BTreeMap;
use std::time::Instant;

impl Client {
    pub(super) async fn call_with_retries(
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
        let endpoint = inner.endpoint_of(service)?;
        let key = PaceKey::new(inner.credentials.identity(), &endpoint.base_url, action);
        // The key's slot, then a permit, held for the exchange only (not across a retry's
        // backoff).
        let (sent, _permit) = inner.pacer.admit(&key, &inner.permits).await;
        let result = self.exchange(service, action, params, decode).await;
        match &result {
            Err(e) if e.is_throttling() => inner.pacer.throttled(&key, sent, e.retry_after()),
            Ok(_)
            | Err(Error::Service(_) | Error::NotActionTrail { .. } | Error::Untrusted { .. }) => {
                inner.pacer.served(&key)
            }
            // Not answered (a timeout, a broken connection, no credentials): nothing learned.
            Err(_) => {}
        }
        result
    }

    async fn exchange(
        &self,
        service: Service,
        action: &'static str,
        params: &BTreeMap<String, String>,
        decode: Decoder,
    ) -> Result<Answer, Error> {
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
