//! Reading what a credentials endpoint (STS, a credentials URI) answers, and telling how an
//! exchange with one failed: capped in size, because such an endpoint may be anything a
//! variable points at, and never quoted in errors, because a body that carries credentials
//! must not reach a log.

use super::CredentialsError;
use crate::alibaba::rpc::{classify, SendFailure};
use serde::de::DeserializeOwned;

/// A credentials answer is a few kilobytes; anything larger is not one.
pub(super) const MAX_ANSWER_BYTES: usize = 64 * 1024;

/// A failed exchange with `endpoint`, as a chain error (connect and time-outs may be
/// retried).
pub(super) fn transport_error(endpoint: &str, e: reqwest::Error) -> CredentialsError {
    send_error(endpoint, classify(e))
}

/// A request to `endpoint` that failed before an answer, as a chain error (connect and
/// time-outs may be retried; an answer over the cap may not).
pub(super) fn send_error(endpoint: &str, failure: SendFailure) -> CredentialsError {
    let (detail, retryable) = match failure {
        SendFailure::Timeout { detail, .. } => (format!("timed out: {detail}"), true),
        SendFailure::Transport { detail, .. } => (detail, true),
        SendFailure::TooLarge { cap, .. } => (crate::alibaba::decode::over_cap(cap), false),
    };
    CredentialsError::Http {
        endpoint: endpoint.to_owned(),
        detail,
        retryable,
    }
}

/// The status and body of `response`, refusing a body over [`MAX_ANSWER_BYTES`].
pub(super) async fn read(
    endpoint: &str,
    mut response: reqwest::Response,
) -> Result<(u16, String), CredentialsError> {
    let status = response.status().as_u16();
    let mut bytes = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| transport_error(endpoint, e))?
    {
        if bytes.len() + chunk.len() > MAX_ANSWER_BYTES {
            return Err(CredentialsError::Http {
                endpoint: endpoint.to_owned(),
                detail: format!(
                    "HTTP {status}: {}",
                    crate::alibaba::decode::over_cap(MAX_ANSWER_BYTES)
                ),
                retryable: false,
            });
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok((status, String::from_utf8_lossy(&bytes).into_owned()))
}

/// The 2xx `body` from `endpoint` decoded strictly as `T`; when it is not, an error saying
/// it is not `what` JSON, and why, without quoting it.
pub(super) fn decode<T: DeserializeOwned>(
    endpoint: &str,
    body: &str,
    what: &str,
) -> Result<T, CredentialsError> {
    crate::alibaba::decode::strict(body).map_err(|why| CredentialsError::Http {
        endpoint: endpoint.to_owned(),
        detail: format!("the answer is not {what} JSON: {why}"),
        retryable: false,
    })
}
