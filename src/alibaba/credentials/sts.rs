//! STS AssumeRole (RPC, HMAC-SHA1, version 2015-04-01).

use super::answer::{parse_expiration, send_error};
use super::{AssumeRoleConfig, Credentials, CredentialsError};
use crate::alibaba::endpoint::Endpoint;
use crate::alibaba::rpc::{location_host, send, RawResponse, ServiceError};
use crate::alibaba::secret::Secret;
use crate::alibaba::signature::{nonce, sign, RpcRequest, SignatureAlgorithm};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::time::Duration;

/// The session name recorded in ActionTrail when none is configured.
pub(super) const DEFAULT_SESSION_NAME: &str = "terraform";
/// The lifetime asked for when none is configured.
pub(super) const DEFAULT_DURATION_SECONDS: u32 = 3600;

/// What AssumeRole and AssumeRoleWithOIDC answer alike.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct AssumeRoleResponse {
    pub(super) request_id: Option<String>,
    pub(super) assumed_role_user: Option<AssumedRoleUser>,
    pub(super) credentials: Option<StsCredentials>,
}

/// Who the credentials act as: the role, in its account, and the session.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct AssumedRoleUser {
    /// `acs:ram::<account>:role/<role>/<session>`.
    pub(super) arn: String,
}

/// The account an `acs:ram::<account>:...` ARN names.
fn arn_account(arn: &str) -> Option<&str> {
    arn.strip_prefix("acs:ram::")?
        .split_once(':')
        .map(|(account, _)| account)
        .filter(|a| !a.is_empty())
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

    credentials_in(&raw, &where_, "AssumeRole", &role.role_arn, |error| {
        CredentialsError::AssumeRole {
            role_arn: role.role_arn.clone(),
            error: Box::new(error),
        }
    })
}

/// The temporary credentials in STS's answer `raw` to `action`, from `where_`, for
/// AssumeRole and AssumeRoleWithOIDC alike. A redirect, an error status, or a body that is
/// not an STS answer whose every credential is set is an error naming what was wrong; an
/// error STS answered is `refused(error)`. The body is never quoted: a 2xx one holds the
/// new secret and token even when its shape is wrong. Only its size, status and what is
/// wrong are told.
pub(super) fn credentials_in(
    raw: &RawResponse,
    where_: &str,
    action: &str,
    role_arn: &str,
    refused: impl FnOnce(ServiceError) -> CredentialsError,
) -> Result<Credentials, CredentialsError> {
    let http = |detail: String, retryable: bool| CredentialsError::Http {
        endpoint: where_.to_owned(),
        detail,
        retryable,
    };
    if (300..400).contains(&raw.status) {
        return Err(http(
            format!(
                "answered with a redirect (HTTP {}) to {}; redirects are not followed, so nothing was sent there",
                raw.status,
                location_host(raw.location.as_deref())
            ),
            false,
        ));
    }
    if raw.status >= 400 || raw.status < 200 {
        return Err(match ServiceError::from_response(raw) {
            Some(error) => refused(error),
            None => http(
                format!(
                    "HTTP {} with a {}-byte body that is not an STS error answer",
                    raw.status,
                    raw.body.len()
                ),
                raw.status >= 500,
            ),
        });
    }
    let not_sts = |reason: String| {
        http(
            format!(
                "the answer (HTTP {}, {} bytes) was not an STS {action} answer: {reason}",
                raw.status,
                raw.body.len()
            ),
            false,
        )
    };
    if let Some(reason) = crate::alibaba::rpc::not_text(raw) {
        return Err(not_sts(reason));
    }
    let parsed: AssumeRoleResponse = crate::alibaba::decode::strict(&raw.body).map_err(not_sts)?;
    if parsed
        .request_id
        .as_deref()
        .is_none_or(|id| id.trim().is_empty())
    {
        return Err(not_sts("it has no RequestId".into()));
    }
    // Credentials for a role in another account than the one asked for would read that
    // account's keys under the asked one's name.
    let user = parsed
        .assumed_role_user
        .ok_or_else(|| not_sts("it has no AssumedRoleUser".into()))?;
    let asked = arn_account(role_arn);
    if asked.is_none() || arn_account(&user.arn) != asked {
        return Err(not_sts(
            "its AssumedRoleUser is not in the account of the role asked for".into(),
        ));
    }
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
        access_key_secret: Secret::temporary(c.access_key_secret),
        security_token: Some(Secret::temporary(c.security_token)),
        expiration: Some(parse_expiration(&c.expiration, where_)?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alibaba::decode::EpochMs;

    fn raw(status: u16, location: Option<&str>, body: &str) -> RawResponse {
        RawResponse {
            status,
            retry_after: None,
            location: location.map(str::to_owned),
            body: body.to_owned(),
            not_utf8_at: None,
        }
    }

    fn answer(secret: &str) -> String {
        let expiration = EpochMs::new(EpochMs::now().ms() + 3_600_000)
            .rfc3339()
            .unwrap();
        format!(
            r#"{{"RequestId":"r","AssumedRoleUser":{{"Arn":"acs:ram::1:role/r/s","AssumedRoleId":"3:s"}},"Credentials":{{"AccessKeyId":"STS.id","AccessKeySecret":"{secret}","SecurityToken":"PLANTED-token","Expiration":"{expiration}"}}}}"#
        )
    }

    /// The role every answer here is asked for.
    const ROLE: &str = "acs:ram::1:role/r";

    fn refused(error: ServiceError) -> CredentialsError {
        CredentialsError::AssumeRoleWithOidc {
            role_arn: "acs:ram::1:role/r".into(),
            error: Box::new(error),
        }
    }

    /// What the answer fails with, as a message.
    fn failure(raw: &RawResponse) -> String {
        credentials_in(
            raw,
            "STS at http://127.0.0.1:1",
            "AssumeRoleWithOIDC",
            ROLE,
            refused,
        )
        .unwrap_err()
        .to_string()
    }

    #[test]
    fn both_sts_answers_are_held_to_one_standard() {
        let good = credentials_in(
            &raw(200, None, &answer("PLANTED-secret")),
            "STS",
            "AssumeRoleWithOIDC",
            ROLE,
            refused,
        )
        .unwrap();
        assert_eq!(good.access_key_id, "STS.id");

        // A credential left empty is not credentials, for OIDC as for AssumeRole.
        let empty = failure(&raw(200, None, &answer(" ")));
        assert!(
            empty.contains(
                "not an STS AssumeRoleWithOIDC answer: a field of its Credentials is empty"
            ),
            "{empty}"
        );
        assert!(!empty.contains("PLANTED"), "{empty}");

        let redirect = failure(&raw(302, Some("http://elsewhere.example:8080/x"), ""));
        assert!(
            redirect.contains("redirect (HTTP 302) to elsewhere.example:8080")
                && redirect.contains("nothing was sent there"),
            "{redirect}"
        );

        let error = r#"{"Code":"AuthenticationFail.OIDCToken.Expired","Message":"expired","RequestId":"r1"}"#;
        let e = credentials_in(
            &raw(400, None, error),
            "STS",
            "AssumeRoleWithOIDC",
            ROLE,
            refused,
        )
        .unwrap_err();
        assert!(
            matches!(&e, CredentialsError::AssumeRoleWithOidc { error, .. } if error.code == "AuthenticationFail.OIDCToken.Expired"),
            "{e}"
        );

        let html = failure(&raw(502, None, "<html>bad gateway</html>"));
        assert!(html.contains("HTTP 502 with a 24-byte body"), "{html}");

        // Credentials for a role in another account, or with nothing to say whose they
        // are, are not the role's asked for.
        let good = answer("PLANTED-secret");
        for (body, why) in [
            (
                good.replace("acs:ram::1:role/r/s", "acs:ram::2:role/r/s"),
                "not in the account of the role asked for",
            ),
            (
                good.replace(
                    r#""AssumedRoleUser":{"Arn":"acs:ram::1:role/r/s","AssumedRoleId":"3:s"},"#,
                    "",
                ),
                "it has no AssumedRoleUser",
            ),
            (
                good.replace(r#""RequestId":"r","#, ""),
                "it has no RequestId",
            ),
        ] {
            let e = failure(&raw(200, None, &body));
            assert!(e.contains(why) && !e.contains("PLANTED"), "{e}");
        }
    }
}
