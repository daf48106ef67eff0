//! The error answers, shaped as Alibaba Cloud's gateway writes them:
//! `{"RequestId","HostId","Code","Message","Recommend"}` with the real HTTP status.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

/// An error the emulator answers with.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// The error code, e.g. `SignatureDoesNotMatch`.
    pub code: String,
    /// The human message.
    pub message: String,
    /// Extra top-level fields (e.g. `AccessDeniedDetail`).
    pub extra: Option<(String, Value)>,
}

impl ApiError {
    /// An error with `status`, `code` and `message`.
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code: code.into(),
            message: message.into(),
            extra: None,
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

    /// The response, with `request_id` and `host_id`.
    pub fn to_response(&self, request_id: &str, host_id: &str) -> Response {
        let mut body = json!({
            "RequestId": request_id,
            "HostId": host_id,
            "Code": self.code,
            "Message": self.message,
            "Recommend": format!(
                "https://api.aliyun.com/troubleshoot?q={}&product=Actiontrail&requestId={}",
                self.code, request_id
            ),
        });
        if let (Some((k, v)), Some(map)) = (&self.extra, body.as_object_mut()) {
            map.insert(k.clone(), v.clone());
        }
        (self.status, axum::Json(body)).into_response()
    }
}
