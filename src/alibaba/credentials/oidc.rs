//! STS AssumeRoleWithOIDC (version 2015-04-01): an OIDC token from GitHub Actions, ACK's
//! RRSA or any identity provider registered in RAM buys a role's temporary credentials.
//! The call is not signed; the token is the proof. It goes in a form body, never the URL,
//! because proxies and access logs record URLs.

use super::answer::{read, transport_error, MAX_ANSWER_BYTES};
use super::sts::{credentials_in, DEFAULT_DURATION_SECONDS, DEFAULT_SESSION_NAME};
use super::{Credentials, CredentialsError, OidcConfig, Secret};
use crate::alibaba::endpoint::Endpoint;
use crate::alibaba::rpc::{location, RawResponse};
use crate::alibaba::signature::timestamp;
use std::time::Duration;

/// The token: the configured one, or the file's content read now (it rotates). Either
/// way a [`Secret`], so it is known to the scrubber before it is sent.
pub(super) fn token(oidc: &OidcConfig) -> Result<Secret, CredentialsError> {
    if let Some(t) = oidc
        .oidc_token
        .as_ref()
        .filter(|t| !t.expose().trim().is_empty())
    {
        return Ok(Secret::new(t.expose().trim()));
    }
    let Some(path) = &oidc.oidc_token_file else {
        return Err(CredentialsError::Invalid {
            source_name: "assume_role_with_oidc".into(),
            reason: "needs oidc_token or oidc_token_file".into(),
        });
    };
    let invalid = |reason: String| CredentialsError::Invalid {
        source_name: format!("the OIDC token file {}", path.display()),
        reason,
    };
    // Capped as it is read: a size asked first says nothing of /dev/zero or a FIFO.
    let text = crate::alibaba::capped::text_file(path, MAX_ANSWER_BYTES)
        .map_err(|e| invalid(e.to_string()))?;
    let text = text.trim();
    if text.is_empty() {
        return Err(invalid("it is empty".into()));
    }
    // It rotates: each refresh reads a new one, which replaces this one.
    Ok(Secret::temporary(text))
}

/// Calls AssumeRoleWithOIDC at `endpoint`.
pub(super) async fn assume_role_with_oidc(
    http: &reqwest::Client,
    endpoint: &Endpoint,
    oidc: &OidcConfig,
    timeout: Duration,
) -> Result<Credentials, CredentialsError> {
    let token = token(oidc)?;
    let session = oidc
        .role_session_name
        .clone()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| DEFAULT_SESSION_NAME.into());
    let duration = oidc
        .session_expiration
        .unwrap_or(DEFAULT_DURATION_SECONDS)
        .to_string();
    let now = timestamp(time::OffsetDateTime::now_utc());
    let mut form: Vec<(&str, &str)> = vec![
        ("Action", "AssumeRoleWithOIDC"),
        ("Version", "2015-04-01"),
        ("Format", "JSON"),
        ("Timestamp", &now),
        ("RoleArn", &oidc.role_arn),
        ("OIDCProviderArn", &oidc.oidc_provider_arn),
        ("OIDCToken", token.expose()),
        ("RoleSessionName", &session),
        ("DurationSeconds", &duration),
    ];
    if let Some(p) = oidc.policy.as_deref().filter(|p| !p.is_empty()) {
        form.push(("Policy", p));
    }
    let where_ = format!("STS at {}", endpoint.base_url);
    let response = http
        .post(format!("{}/", endpoint.base_url))
        .form(&form)
        .timeout(timeout)
        .send()
        .await
        .map_err(|e| transport_error(&where_, e))?;
    let location = location(&response);
    let (status, body) = read(&where_, response).await?;
    let raw = RawResponse {
        status,
        retry_after: None,
        location,
        body,
        not_utf8_at: None,
    };
    credentials_in(
        &raw,
        &where_,
        "AssumeRoleWithOIDC",
        &oidc.role_arn,
        |error| CredentialsError::AssumeRoleWithOidc {
            role_arn: oidc.role_arn.clone(),
            error: Box::new(error),
        },
    )
}
