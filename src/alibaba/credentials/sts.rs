//! STS AssumeRole (RPC, HMAC-SHA1, version 2015-04-01).

use super::answer::send_error;
use super::{AssumeRoleConfig, Credentials, CredentialsError};
use crate::alibaba::endpoint::Endpoint;
use crate::alibaba::rpc::{location_host, send, ServiceError};
use crate::alibaba::signature::{nonce, sign, RpcRequest, SignatureAlgorithm};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

/// The session name recorded in ActionTrail when none is configured.
pub(super) const DEFAULT_SESSION_NAME: &str = "terraform";
/// The lifetime asked for when none is configured.
pub(super) const DEFAULT_DURATION_SECONDS: u32 = 3600;

/// What AssumeRole and AssumeRoleWithOIDC answer alike.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct AssumeRoleResponse {
    pub(super) credentials: Option<StsCredentials>,
}

/// The temporary credentials STS issues.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct StsCredentials {
    pub(super) access_key_id: String,
    pub(super) access_key_secret: String,
    pub(super) security_token: String,
    pub(super) expiration: String,
}

/// Parses an RFC 3339 expiration (`2015-04-09T11:52:19Z`).
pub(super) fn parse_expiration(text: &str, what: &str) -> Result<SystemTime, CredentialsError> {
    // The strict decoder checks it is in the future and not absurdly far; the value is not
    // quoted: in a broken answer it may be anything, a secret too.
    use crate::alibaba::decode::{expiration, EpochMs};
    let at = expiration(text, EpochMs::now()).map_err(|reason| CredentialsError::Invalid {
        source_name: what.to_owned(),
        reason,
    })?;
    Ok(at.system_time())
}

/// Calls AssumeRole at `endpoint`, signed with `base`.
pub(super) async fn assume_role(
    http: &reqwest::Client,
    endpoint: &Endpoint,
    base: &Credentials,
    role: &AssumeRoleConfig,
    timeout: Duration,
) -> Result<Credentials, CredentialsError> {
    let mut params = BTreeMap::new();
    params.insert("RoleArn".to_owned(), role.role_arn.clone());
    params.insert(
        "RoleSessionName".to_owned(),
        role.session_name
            .clone()
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| DEFAULT_SESSION_NAME.into()),
    );
    params.insert(
        "DurationSeconds".to_owned(),
        role.session_expiration
            .unwrap_or(DEFAULT_DURATION_SECONDS)
            .to_string(),
    );
    if let Some(p) = role.policy.as_ref().filter(|p| !p.is_empty()) {
        params.insert("Policy".to_owned(), p.clone());
    }
    if let Some(x) = role.external_id.as_ref().filter(|x| !x.is_empty()) {
        params.insert("ExternalId".to_owned(), x.clone());
    }
    let req = RpcRequest {
        action: "AssumeRole",
        version: "2015-04-01",
        params: &params,
    };
    let signed = sign(
        &req,
        endpoint,
        base,
        SignatureAlgorithm::HmacSha1,
        time::OffsetDateTime::now_utc(),
        &nonce(),
    );
    let where_ = format!("STS at {}", endpoint.base_url);
    let raw = send(http, &signed, timeout)
        .await
        .map_err(|f| send_error(&where_, f))?;

    // The body of STS is never quoted: a 2xx one holds the new secret and token even
    // when its shape is wrong. Only its size, status and what is wrong are told.
    if (300..400).contains(&raw.status) {
        return Err(CredentialsError::Http {
            endpoint: where_,
            detail: format!(
                "answered with a redirect (HTTP {}) to {}; redirects are not followed, so nothing was sent there",
                raw.status,
                location_host(raw.location.as_deref())
            ),
            retryable: false,
        });
    }
    if raw.status >= 400 || raw.status < 200 {
        return Err(match ServiceError::from_response(&raw) {
            Some(error) => CredentialsError::AssumeRole {
                role_arn: role.role_arn.clone(),
                error: Box::new(error),
            },
            None => CredentialsError::Http {
                endpoint: where_,
                detail: format!(
                    "HTTP {} with a {}-byte body that is not an STS error answer",
                    raw.status,
                    raw.body.len()
                ),
                retryable: raw.status >= 500,
            },
        });
    }
    let not_sts = |reason: String| CredentialsError::Http {
        endpoint: where_.clone(),
        detail: format!(
            "the answer (HTTP {}, {} bytes) was not an STS AssumeRole answer: {reason}",
            raw.status,
            raw.body.len()
        ),
        retryable: false,
    };
    let parsed: AssumeRoleResponse = crate::alibaba::decode::strict(&raw.body).map_err(not_sts)?;
    let c = parsed
        .credentials
        .ok_or_else(|| not_sts("it has no Credentials".into()))?;
    if [&c.access_key_id, &c.access_key_secret, &c.security_token]
        .iter()
        .any(|v| v.trim().is_empty())
    {
        return Err(not_sts("a field of its Credentials is empty".into()));
    }
    Ok(Credentials {
        access_key_id: c.access_key_id,
        access_key_secret: c.access_key_secret.into(),
        security_token: Some(c.security_token.into()),
        expiration: Some(parse_expiration(&c.expiration, &where_)?),
    })
}
