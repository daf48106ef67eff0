//! The error answers, shaped as Alibaba Cloud's gateway writes them:
//! `{"RequestId","HostId","Code","Message","Recommend"}` with the real HTTP status, the
//! `Recommend` link naming the product that was called, and a throttled answer's
//! `x-acs-retry-after` header.

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};
use std::time::Duration;

/// The product an answer's `Recommend` link names when the call named no operation the
/// emulator serves: the one its endpoint is first of all.
pub const DEFAULT_PRODUCT: &str = "Actiontrail";

/// An error the emulator answers with.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// The error code, e.g. `SignatureDoesNotMatch`.
    pub code: String,
    /// The human message.
    pub message: String,
    /// An extra top-level field (e.g. `AccessDeniedDetail`); boxed, as few errors carry
    /// one, so every `Result` that may hold an error stays small.
    pub extra: Option<Box<(String, Value)>>,
    /// How long until the call would be let through: sent as `x-acs-retry-after`, whole
    /// milliseconds, which Alibaba's SDKs read as the wait before their retry.
    pub retry_after: Option<Duration>,
}

impl ApiError {
    /// An error with `status`, `code` and `message`.
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code: code.into(),
            message: message.into(),
            extra: None,
            retry_after: None,
        }
    }

    /// The same error, telling the caller to wait `wait` before calling again.
    pub fn with_retry_after(self, wait: Duration) -> ApiError {
        ApiError {
            retry_after: Some(wait),
            ..self
        }
    }

    /// 400 with `code`.
    pub fn bad_request(code: &str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// 400 InvalidQueryParameter.
    pub fn invalid_query(message: impl Into<String>) -> ApiError {
        ApiError::bad_request("InvalidQueryParameter", message)
    }

    /// 400 IncompleteSignature.
    pub fn incomplete_signature(what: &str) -> ApiError {
        ApiError::bad_request(
            "IncompleteSignature",
            format!("The request signature does not conform to Aliyun standards. {what}"),
        )
    }

    /// The response, with `request_id` and `host_id`, its `Recommend` link naming
    /// `product` (the OpenAPI product code: `Actiontrail`, `Ram`, `Sts`, `ResourceManager`).
    pub fn to_response(&self, request_id: &str, host_id: &str, product: &str) -> Response {
        let mut body = json!({
            "RequestId": request_id,
            "HostId": host_id,
            "Code": self.code,
            "Message": self.message,
            "Recommend": format!(
                "https://api.aliyun.com/troubleshoot?q={}&product={product}&requestId={}",
                self.code, request_id
            ),
        });
        if let (Some(extra), Some(map)) = (&self.extra, body.as_object_mut()) {
            let (k, v) = &**extra;
            map.insert(k.clone(), v.clone());
        }
        let mut response = (self.status, axum::Json(body)).into_response();
        if let Some(wait) = self.retry_after {
            // The SDKs take only a positive whole number: a wait under a millisecond is
            // rounded up, never down to a 0 they would ignore.
            let millis = wait.as_nanos().div_ceil(1_000_000).max(1);
            if let Ok(value) = HeaderValue::from_str(&millis.to_string()) {
                response.headers_mut().insert("x-acs-retry-after", value);
            }
        }
        response
    }
}
