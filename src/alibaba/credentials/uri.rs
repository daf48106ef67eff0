//! Credentials from a local endpoint (`credentials_uri`, `ALIBABA_CLOUD_CREDENTIALS_URI`):
//! `GET` answers `{"Code":"Success","AccessKeyId","AccessKeySecret","SecurityToken",
//! "Expiration"}`, as a sidecar or a company's credentials broker serves it. Refreshed five
//! minutes before `Expiration`, like every temporary source.

use super::answer::{read, transport_error};
use super::{Credentials, CredentialsError};
use serde::Deserialize;
use std::time::Duration;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Answer {
    code: Option<String>,
    access_key_id: Option<String>,
    access_key_secret: Option<String>,
    security_token: Option<String>,
    expiration: Option<String>,
}

/// The URI as a URL; it must be `http` or `https`.
pub(super) fn parse(text: &str) -> Result<reqwest::Url, CredentialsError> {
    let invalid = |reason: String| CredentialsError::Invalid {
        source_name: format!("the credentials URI {text:?}"),
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
    Ok(url)
}

/// Fetches credentials from `url`.
pub(super) async fn fetch(
    http: &reqwest::Client,
    url: &reqwest::Url,
    timeout: Duration,
) -> Result<Credentials, CredentialsError> {
    // The query may hold a secret of the broker's: name the endpoint without it.
    let mut shown = url.clone();
    shown.set_query(None);
    let where_ = format!("the credentials URI {shown}");
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
    let parsed: Answer =
        crate::alibaba::decode::strict(&body).map_err(|why| CredentialsError::Http {
            endpoint: where_.clone(),
            detail: format!("the answer is not credentials JSON: {why}"),
            retryable: false,
        })?;
    let invalid = |reason: String| CredentialsError::Invalid {
        source_name: where_.clone(),
        reason,
    };
    if let Some(code) = parsed.code.as_deref().filter(|c| *c != "Success") {
        return Err(invalid(format!(
            "the answer's Code is {code:?}, not \"Success\""
        )));
    }
    let need = |v: Option<String>, name: &str| {
        v.filter(|s| !s.trim().is_empty())
            .ok_or_else(|| invalid(format!("the answer has no {name}")))
    };
    let expiration = need(parsed.expiration, "Expiration")?;
    Ok(Credentials {
        access_key_id: need(parsed.access_key_id, "AccessKeyId")?,
        access_key_secret: need(parsed.access_key_secret, "AccessKeySecret")?,
        security_token: Some(need(parsed.security_token, "SecurityToken")?),
        expiration: Some(super::sts::parse_expiration(&expiration, &where_)?),
    })
}
