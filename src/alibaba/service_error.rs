//! The standard error body every Alibaba Cloud RPC API answers with
//! (`{"RequestId","HostId","Code","Message","Recommend"}`), clipped and redacted once, and
//! the one classifier of which errors a retry may fix.

use super::redact;
use super::rpc::RawResponse;
use std::time::Duration;

/// The standard error body `{"RequestId","HostId","Code","Message","Recommend"}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceError {
    /// HTTP status.
    pub http_status: u16,
    /// The error code, e.g. `Throttling.User` or `SignatureDoesNotMatch`.
    pub code: String,
    /// The service's message.
    pub message: String,
    /// The request id (empty when the server sent none).
    pub request_id: String,
    /// The host id, when sent.
    pub host_id: Option<String>,
    /// The troubleshooting link, when sent.
    pub recommend: Option<String>,
    /// How long the server asked to wait before retrying (`x-acs-retry-after`).
    pub retry_after: Option<Duration>,
}

impl std::fmt::Display for ServiceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} (HTTP {}): {}",
            self.code, self.http_status, self.message
        )?;
        if !self.request_id.is_empty() {
            write!(f, " [RequestId {}]", self.request_id)?;
        }
        if let Some(r) = &self.recommend {
            write!(f, " See {r}")?;
        }
        Ok(())
    }
}

impl ServiceError {
    /// Reads the error body of `raw`; `None` when it is not a JSON object with a `Code`.
    pub fn from_response(raw: &RawResponse) -> Option<ServiceError> {
        // Through the strict decoder, as every answer: an error body that repeats `Code` is
        // no error body one can trust, and is reported as not the service's answer.
        let v: serde_json::Value = crate::alibaba::decode::strict(&raw.body).ok()?;
        let obj = v.as_object()?;
        let field = |names: &[&str]| {
            names.iter().find_map(|n| match obj.get(*n) {
                Some(serde_json::Value::String(s)) => Some(s.clone()),
                Some(serde_json::Value::Number(n)) => Some(n.to_string()),
                _ => None,
            })
        };
        let code = field(&["Code", "code"]).filter(|c| !c.is_empty())?;
        // Whatever the server wrote is clipped and redacted here, once, so no later
        // Display or log line can quote it whole.
        let short = |v: String| redact::clip(&redact::scrub(&v), SHORT_FIELD_BYTES);
        Some(ServiceError {
            http_status: raw.status,
            code: short(code),
            message: redact::message(&field(&["Message", "message"]).unwrap_or_default()),
            request_id: field(&["RequestId", "requestId"])
                .map(short)
                .unwrap_or_default(),
            host_id: field(&["HostId", "hostId"]).map(short),
            recommend: field(&["Recommend", "recommend"]).map(short),
            retry_after: raw.retry_after,
        })
    }

    /// Whether trying again may succeed: throttling and the server's own failures, never
    /// what a retry cannot fix (signature, key, permission, parameters). The one retry
    /// classifier, for ActionTrail and STS alike.
    pub fn is_retryable(&self) -> bool {
        let code = self.code.as_str();
        if NEVER_RETRIED.iter().any(|p| code.starts_with(p)) || code.ends_with(".NotFound") {
            return false;
        }
        code.contains("Throttling")
            || code == "ServiceUnavailable"
            || code == "InternalError"
            || self.http_status >= 500
    }
}

/// How much of a code, request id, host id or link an error keeps.
const SHORT_FIELD_BYTES: usize = 256;

/// Codes that trying again cannot fix: the signature, the key, the permission, the
/// parameters. Checked before anything else, whatever the HTTP status.
const NEVER_RETRIED: &[&str] = &[
    "IncompleteSignature",
    "SignatureDoesNotMatch",
    "SignatureNonceUsed",
    "InvalidAccessKeyId",
    "InvalidTimeStamp",
    "InvalidSecurityToken",
    "Forbidden",
    "NoPermission",
    "InvalidParameter",
    "InvalidQueryParameter",
    "MissingParameter",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_standard_error_body() {
        let raw = RawResponse {
            status: 400,
            retry_after: Some(Duration::from_millis(7)),
            location: None,
            body: r#"{"RequestId":"r","HostId":"h","Code":"Throttling.User","Message":"slow down","Recommend":"https://x"}"#.into(),
            not_utf8_at: None,
        };
        let e = ServiceError::from_response(&raw).unwrap();
        assert_eq!(e.code, "Throttling.User");
        assert_eq!(e.request_id, "r");
        assert_eq!(e.host_id.as_deref(), Some("h"));
        assert_eq!(e.retry_after, Some(Duration::from_millis(7)));
        let html = RawResponse {
            status: 502,
            retry_after: None,
            location: None,
            body: "<html>Bad Gateway</html>".into(),
            not_utf8_at: None,
        };
        assert_eq!(ServiceError::from_response(&html), None);
    }

    #[test]
    fn a_service_message_quoting_the_string_to_sign_loses_the_token() {
        let raw = RawResponse {
            status: 400,
            retry_after: None,
            location: None,
            body: format!(
                r#"{{"RequestId":"r","Code":"SignatureDoesNotMatch","Message":"Specified signature is not matched with our calculation. server string to sign is:POST&%2F&AccessKeyId%3Dk%26SecurityToken%3DCAISplanted%26Version%3D1{}"}}"#,
                "x".repeat(5000)
            ),
            not_utf8_at: None,
        };
        let e = ServiceError::from_response(&raw).unwrap();
        assert!(!e.to_string().contains("CAISplanted"), "{e}");
        assert!(e.message.len() <= redact::MESSAGE_BYTES + 3);
    }
}
