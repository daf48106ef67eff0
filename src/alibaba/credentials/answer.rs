//! Reading what a credentials endpoint (STS, a credentials URI, the ECS metadata service)
//! answers, and telling how an exchange with one failed: capped in size, because such an
//! endpoint may be anything a variable points at, and never quoted in errors, because a
//! body that carries credentials must not reach a log. The metadata service and a
//! credentials URI answer one shape, read by one check ([`temporary_credentials`]).

use super::{Credentials, CredentialsError};
use crate::alibaba::rpc::{classify, SendFailure};
use crate::alibaba::secret::Secret;
use serde::Deserialize;
use std::time::SystemTime;

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
    Ok((status, text(endpoint, status, bytes)?))
}

/// A credentials answer's body as text: UTF-8, as JSON is, or an error saying where it
/// stops being so. Bad bytes are never replaced: a replaced byte in a member's name would
/// make it a member the answer does not define, and the answer is never quoted anyway.
pub(super) fn text(
    endpoint: &str,
    status: u16,
    bytes: Vec<u8>,
) -> Result<String, CredentialsError> {
    String::from_utf8(bytes).map_err(|e| CredentialsError::Http {
        endpoint: endpoint.to_owned(),
        detail: format!(
            "HTTP {status}: {}",
            crate::alibaba::decode::not_utf8(e.utf8_error().valid_up_to())
        ),
        retryable: false,
    })
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

/// What a metadata service and a credentials URI answer alike.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct TemporaryAnswer {
    code: Option<String>,
    access_key_id: Option<String>,
    access_key_secret: Option<String>,
    security_token: Option<String>,
    expiration: Option<String>,
}

/// The temporary credentials in a 2xx `body` of the shape an ECS metadata service and a
/// credentials URI answer, `{Code, AccessKeyId, AccessKeySecret, SecurityToken,
/// Expiration}`, held to one standard: strict JSON, a `Code` other than `Success` refused
/// (clipped, so a hostile one cannot fill a message), and every field present and not
/// empty. `invalid` makes the error for a reason; `what` names the answer in the
/// expiration's check. The body is never quoted.
pub(super) fn temporary_credentials(
    body: &str,
    what: &str,
    invalid: impl Fn(String) -> CredentialsError,
) -> Result<Credentials, CredentialsError> {
    let parsed: TemporaryAnswer = crate::alibaba::decode::strict(body)
        .map_err(|why| invalid(format!("the answer is not credentials JSON: {why}")))?;
    if let Some(code) = parsed.code.as_deref().filter(|c| *c != "Success") {
        let code = crate::alibaba::redact::clip(code, 64);
        return Err(invalid(format!(
            "the answer's Code is {code:?}, not \"Success\""
        )));
    }
    // An empty credential is no credential, as for every source of the chain.
    let need = |v: Option<String>, name: &str| {
        v.filter(|s| !s.trim().is_empty())
            .ok_or_else(|| invalid(format!("the answer has no {name}")))
    };
    let expiration = need(parsed.expiration, "Expiration")?;
    Ok(Credentials {
        access_key_id: need(parsed.access_key_id, "AccessKeyId")?,
        access_key_secret: Secret::temporary(need(parsed.access_key_secret, "AccessKeySecret")?),
        security_token: Some(Secret::temporary(need(
            parsed.security_token,
            "SecurityToken",
        )?)),
        expiration: Some(parse_expiration(&expiration, what)?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alibaba::decode::EpochMs;

    fn body(code: &str, secret: &str) -> String {
        let expiration = EpochMs::new(EpochMs::now().ms() + 3_600_000)
            .rfc3339()
            .unwrap();
        format!(
            r#"{{"Code":"{code}","AccessKeyId":"STS.k","AccessKeySecret":"{secret}","SecurityToken":"PLANTED-token","Expiration":"{expiration}"}}"#
        )
    }

    fn read(body: &str) -> Result<Credentials, String> {
        temporary_credentials(body, "the answer", |reason| CredentialsError::Invalid {
            source_name: "the source".into(),
            reason,
        })
        .map_err(|e| e.to_string())
    }

    #[test]
    fn a_credentials_answer_that_is_not_utf8_is_refused_saying_where() {
        let bad = text("the URI", 200, b"{\"Code\":\"Succ\xffess\"}".to_vec()).unwrap_err();
        assert!(
            bad.to_string()
                .contains("not UTF-8 text (a bad byte at offset 13)"),
            "{bad}"
        );
        assert_eq!(text("the URI", 200, b"{}".to_vec()).unwrap(), "{}");
    }

    #[test]
    fn a_metadata_or_uri_answer_is_held_to_one_standard() {
        assert_eq!(read(&body("Success", "s")).unwrap().access_key_id, "STS.k");
        let empty = read(&body("Success", "  ")).unwrap_err();
        assert!(empty.contains("has no AccessKeySecret"), "{empty}");
        let long = format!("Failed{}", "x".repeat(500));
        let code = read(&body(&long, "s")).unwrap_err();
        assert!(
            code.contains("Code is \"Failedxxx") && code.len() < 300,
            "{code}"
        );
        let twice = body("Success", "s").replacen('{', r#"{"AccessKeyId":"STS.other","#, 1);
        let dup = read(&twice).unwrap_err();
        assert!(dup.contains("not credentials JSON"), "{dup}");
        assert!(!dup.contains("PLANTED"), "{dup}");
    }
}
