//! One signed exchange with the API ([`Client::exchange`]), and the loop every call to
//! an API goes through ([`Client::paced`]): each attempt first waits for its slot from the
//! pacer (`pacing.rs`) and tells it how the server took the call; throttled, failed and
//! timed-out attempts are tried again with backoff, up to `max_retries`, and Terraform's
//! StopProvider cuts any wait short. STS's AssumeRole (`Client::sign_in`) goes through
//! the same loop.

use super::answer;
use super::client::{Answer, Call, Client};
use super::error::Error;
use super::pacing::PaceKey;
use crate::alibaba::redact;
use crate::alibaba::rpc::{send, SendFailure};
use crate::alibaba::signature::{nonce, sign, RpcRequest};
use std::future::Future;
use std::time::Instant;

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
        let endpoint = inner.endpoint_of(call.service)?;
        let key = PaceKey::new(
            inner.credentials.identity(),
            &endpoint.base_url,
            call.action,
        );
        self.paced("ActionTrail", call.action, &key, heard_from_api, || {
            self.exchange(call)
        })
        .await
    }

    /// One signed exchange: sent, sorted ([`answer::interpret`]) and decoded.
    async fn exchange(&self, call: &Call) -> Result<Answer, Error> {
        let Call {
            service,
            action,
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
