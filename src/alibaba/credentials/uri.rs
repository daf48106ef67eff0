//! Credentials from a local endpoint (`credentials_uri`, `ALIBABA_CLOUD_CREDENTIALS_URI`):
//! `GET` answers `{"Code":"Success","AccessKeyId","AccessKeySecret","SecurityToken",
//! "Expiration"}`, as a sidecar or a company's credentials broker serves it. Refreshed five
//! minutes before `Expiration`, like every temporary source.

use super::answer::{read, temporary_credentials, transport_error};
use super::{Credentials, CredentialsError};
use crate::alibaba::endpoint::{shown_url, TransportPolicy};
use std::time::Duration;

/// The URI as messages and logs may show it: scheme, host, port and path. Its query is
/// where brokers put their secret, so each of its values is registered as a known secret
/// and the query itself is never shown.
pub(super) fn shown(text: &str) -> String {
    match reqwest::Url::parse(text.trim()) {
        Ok(url) => {
            if let Some(q) = url.query() {
                crate::alibaba::secret::register(q);
                for (_, v) in url.query_pairs() {
                    crate::alibaba::secret::register(&v);
                }
            }
            shown_url(&url)
        }
        Err(_) => "(not a URL)".to_owned(),
    }
}

/// The URI as a URL, named by `what` (the argument or variable); it must be `http` or
/// `https`, and pass the transport policy.
pub(super) fn parse(
    text: &str,
    what: &str,
    transport: TransportPolicy,
) -> Result<reqwest::Url, CredentialsError> {
    let invalid = |reason: String| CredentialsError::Invalid {
        source_name: format!("{what} (the credentials URI {})", shown(text)),
        reason,
    };
    let url = reqwest::Url::parse(text.trim()).map_err(|e| invalid(format!("not a URL: {e}")))?;
    if url.scheme() != "http" && url.scheme() != "https" {
        return Err(invalid(format!(
            "must use http or https, not {}",
            url.scheme()
        )));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(invalid("names no host".into()));
    }
    transport
        .admit_url(&url, what)
        .map_err(|reason| CredentialsError::Invalid {
            source_name: what.to_owned(),
            reason,
        })?;
    Ok(url)
}

/// Fetches credentials from `url`.
pub(super) async fn fetch(
    http: &reqwest::Client,
    url: &reqwest::Url,
    timeout: Duration,
) -> Result<Credentials, CredentialsError> {
    // The query may hold a secret of the broker's: name the endpoint without it.
    let where_ = format!("the credentials URI {}", shown_url(url));
    let response = http
        .get(url.clone())
        .timeout(timeout)
        .send()
        .await
        .map_err(|e| transport_error(&where_, e))?;
    let (status, body) = read(&where_, response).await?;
    if !(200..300).contains(&status) {
        return Err(CredentialsError::Http {
            endpoint: where_,
            detail: format!("HTTP {status}"),
            retryable: status >= 500,
        });
    }
    temporary_credentials(&body, &where_, |reason| CredentialsError::Invalid {
        source_name: where_.clone(),
        reason,
    })
}
