//! Reading what a credentials endpoint (STS AssumeRoleWithOIDC, a credentials URI) answers:
//! capped in size, because such an endpoint may be anything a variable points at, and never
//! quoted in errors, because a body that carries credentials must not reach a log.

use super::CredentialsError;
use crate::alibaba::rpc::{classify, SendFailure};

/// A credentials answer is a few kilobytes; anything larger is not one.
pub(super) const MAX_ANSWER_BYTES: usize = 64 * 1024;

/// A failed exchange with `endpoint`, as a chain error (connect and time-outs may be
/// retried).
pub(super) fn transport_error(endpoint: &str, e: reqwest::Error) -> CredentialsError {
    let (detail, retryable) = match classify(e) {
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
