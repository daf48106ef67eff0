//! ECS RAM role credentials from the instance metadata service, IMDSv2 token first.

use super::answer::temporary_credentials;
use super::{Credentials, CredentialsError};
use crate::alibaba::endpoint::Endpoint;
use crate::alibaba::http::CREDENTIALS_BODY_BYTES;
use crate::alibaba::rpc::{classify, location_host, read_capped, SendFailure};
use std::time::Duration;

/// Lifetime asked for the IMDSv2 session token; one fetch needs seconds.
const TOKEN_TTL_SECONDS: &str = "21600";
const CREDENTIALS_PATH: &str = "/latest/meta-data/ram/security-credentials/";

fn http_error(endpoint: &Endpoint, f: SendFailure) -> CredentialsError {
    let detail = match f {
        SendFailure::Timeout { detail, .. } => format!("timed out: {detail}"),
        SendFailure::Transport { detail, .. } => detail,
        SendFailure::TooLarge { cap, .. } => crate::alibaba::decode::over_cap(cap),
    };
    CredentialsError::Http {
        endpoint: format!("the ECS metadata service at {}", endpoint.base_url),
        detail,
        retryable: true,
    }
}

/// Fetches the session token; `None` when the service does not hand one out (IMDSv1
/// only), in which case the credentials request goes without it.
async fn session_token(
    http: &reqwest::Client,
    endpoint: &Endpoint,
    timeout: Duration,
) -> Result<Option<String>, CredentialsError> {
    let resp = http
        .put(format!("{}/latest/api/token", endpoint.base_url))
        .header("X-aliyun-ecs-metadata-token-ttl-seconds", TOKEN_TTL_SECONDS)
        .timeout(timeout)
        .send()
        .await
        .map_err(|e| http_error(endpoint, classify(e)))?;
    if !resp.status().is_success() {
        tracing::debug!(
            status = resp.status().as_u16(),
            "no IMDSv2 token; using IMDSv1"
        );
        return Ok(None);
    }
    let token = body(endpoint, resp).await?;
    Ok(Some(token.trim().to_owned()).filter(|t| !t.is_empty()))
}

/// The body, at most [`CREDENTIALS_BODY_BYTES`]; more is an error, not a cut answer.
async fn body(endpoint: &Endpoint, resp: reqwest::Response) -> Result<String, CredentialsError> {
    let status = resp.status().as_u16();
    let (bytes, cut) = read_capped(resp, CREDENTIALS_BODY_BYTES)
        .await
        .map_err(|e| http_error(endpoint, classify(e)))?;
    if cut {
        return Err(CredentialsError::Http {
            endpoint: format!("the ECS metadata service at {}", endpoint.base_url),
            detail: crate::alibaba::decode::over_cap(CREDENTIALS_BODY_BYTES),
            retryable: false,
        });
    }
    super::answer::text(
        &format!("the ECS metadata service at {}", endpoint.base_url),
        status,
        bytes,
    )
}

async fn get(
    http: &reqwest::Client,
    endpoint: &Endpoint,
    path: &str,
    token: Option<&str>,
    timeout: Duration,
    role: &str,
) -> Result<String, CredentialsError> {
    let mut req = http
        .get(format!("{}{path}", endpoint.base_url))
        .timeout(timeout);
    if let Some(t) = token {
        req = req.header("X-aliyun-ecs-metadata-token", t);
    }
    let resp = req
        .send()
        .await
        .map_err(|e| http_error(endpoint, classify(e)))?;
    let status = resp.status();
    let location = resp
        .headers()
        .get(reqwest::header::LOCATION)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    let body = body(endpoint, resp).await?;
    if status.is_redirection() {
        return Err(CredentialsError::Http {
            endpoint: format!("the ECS metadata service at {}", endpoint.base_url),
            detail: format!(
                "answered with a redirect (HTTP {}) to {}; redirects are not followed",
                status.as_u16(),
                location_host(location.as_deref())
            ),
            retryable: false,
        });
    }
    if status.as_u16() == 404 {
        return Err(CredentialsError::Metadata {
            role: role.to_owned(),
            reason: "the instance has no such RAM role attached (HTTP 404)".into(),
        });
    }
    if !status.is_success() {
        return Err(CredentialsError::Http {
            endpoint: format!("the ECS metadata service at {}", endpoint.base_url),
            // Never the body: the metadata service's answers are credentials.
            detail: format!("HTTP {} ({} bytes)", status.as_u16(), body.len()),
            retryable: status.is_server_error(),
        });
    }
    Ok(body)
}

/// Reads the role's credentials (discovering the attached role's name when `role` is
/// `None`).
pub(super) async fn fetch(
    http: &reqwest::Client,
    endpoint: &Endpoint,
    role: Option<&str>,
    timeout: Duration,
) -> Result<Credentials, CredentialsError> {
    let token = session_token(http, endpoint, timeout).await?;
    let role = match role {
        Some(r) => r.to_owned(),
        None => {
            let listing = get(
                http,
                endpoint,
                CREDENTIALS_PATH,
                token.as_deref(),
                timeout,
                "*",
            )
            .await?;
            listing
                .lines()
                .map(str::trim)
                .find(|l| !l.is_empty())
                .map(str::to_owned)
                .ok_or_else(|| CredentialsError::Metadata {
                    role: "*".into(),
                    reason: "the instance has no RAM role attached".into(),
                })?
        }
    };
    let path = format!(
        "{CREDENTIALS_PATH}{}",
        crate::alibaba::percent::percent_encode(&role)
    );
    let body = get(http, endpoint, &path, token.as_deref(), timeout, &role).await?;
    let what = format!("the ECS metadata service's answer for role {role}");
    temporary_credentials(&body, &what, |reason| CredentialsError::Metadata {
        role: role.clone(),
        reason,
    })
}
