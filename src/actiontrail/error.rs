//! The client's error: what happened, and whether the request may have reached the server.

use crate::alibaba::credentials::CredentialsError;
use crate::alibaba::rpc::ServiceError;
use std::time::Duration;

/// Why an API call failed. `Clone`, so coalesced callers each get the same error.
#[derive(Clone, Debug, thiserror::Error)]
pub enum Error {
    /// The service answered with an error body.
    #[error("{0}")]
    Service(ServiceError),
    /// The connect or the exchange took longer than the configured timeout.
    #[error("{operation} at {endpoint} timed out after {timeout:?}: {detail}")]
    Timeout {
        /// The API action.
        operation: String,
        /// The endpoint's base URL.
        endpoint: String,
        /// The limit that was exceeded.
        timeout: Duration,
        /// False when the connect itself timed out.
        may_have_been_sent: bool,
        /// What the HTTP stack said.
        detail: String,
    },
    /// The connection could not be made or broke.
    #[error("{operation}: {}: {detail}", if *may_have_been_sent { format!("the exchange with {endpoint} broke off") } else { format!("cannot reach {endpoint}") })]
    Transport {
        /// The API action.
        operation: String,
        /// The endpoint's base URL.
        endpoint: String,
        /// False when no connection was made, so the server never saw the request.
        may_have_been_sent: bool,
        /// What the HTTP stack said.
        detail: String,
    },
    /// The endpoint answered, but not as ActionTrail answers this operation: a captive
    /// portal's `200 {}`, a proxy's HTML page, a cut body, an answer about another key.
    #[error("the answer of {endpoint} to {operation} (HTTP {http_status}) was not an ActionTrail answer: {reason}. It began: {excerpt:?}")]
    NotActionTrail {
        /// The API action.
        operation: String,
        /// The endpoint's base URL.
        endpoint: String,
        /// HTTP status.
        http_status: u16,
        /// What is wrong with it (quotes no value of the body).
        reason: String,
        /// The start of the body, clipped and redacted.
        excerpt: String,
    },
    /// The endpoint answered with a redirect, which is never followed: the signed request
    /// (and its security token) must reach no other host.
    #[error("{endpoint} answered {operation} with a redirect (HTTP {http_status}) to {location_host}; redirects are not followed, so nothing was sent there")]
    Redirect {
        /// The API action.
        operation: String,
        /// The endpoint's base URL.
        endpoint: String,
        /// HTTP status.
        http_status: u16,
        /// The host the `Location` header named (never its path or query).
        location_host: String,
    },
    /// Terraform asked the provider to stop (Ctrl-C) while the call was in flight.
    #[error("{operation} was cancelled: Terraform asked the provider to stop")]
    Stopped {
        /// The API action.
        operation: String,
    },
    /// The answer is JSON but not trustworthy: a field the operation always returns is
    /// missing or has the wrong type. Never replaced by a default.
    #[error("the answer to {operation} cannot be trusted: {reason} (request id {request_id:?})")]
    Untrusted {
        /// The API action.
        operation: String,
        /// The request id, when the answer carried one.
        request_id: String,
        /// What was wrong.
        reason: String,
    },
    /// The pages did not end: a NextToken came back twice, or there were too many pages.
    #[error("{operation}: pagination stopped after {pages} pages: {reason}")]
    Pagination {
        /// The API action.
        operation: String,
        /// Pages fetched before stopping.
        pages: u32,
        /// What went wrong.
        reason: String,
    },
    /// No usable credentials.
    #[error("{0}")]
    Credentials(#[from] CredentialsError),
    /// The client's configuration is invalid.
    #[error("invalid configuration: {0}")]
    Config(String),
}

impl Error {
    /// [`Error::NotActionTrail`]: `operation`'s answer from `endpoint` was no answer of it.
    pub(crate) fn not_actiontrail(
        operation: &str,
        endpoint: &str,
        http_status: u16,
        reason: String,
        excerpt: String,
    ) -> Error {
        Error::NotActionTrail {
            operation: operation.to_owned(),
            endpoint: endpoint.to_owned(),
            http_status,
            reason,
            excerpt,
        }
    }

    /// The service's error, when the service answered with one.
    pub fn service(&self) -> Option<&ServiceError> {
        match self {
            Error::Service(e) => Some(e),
            Error::Credentials(CredentialsError::AssumeRole { error, .. }) => Some(error),
            _ => None,
        }
    }

    /// Whether trying again may succeed: throttling, server errors, timeouts, connection
    /// failures (every operation here is a read, so repeating a sent request is safe).
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Service(e) => e.is_retryable(),
            Error::Timeout { .. } | Error::Transport { .. } => true,
            // A gateway's 5xx page is the network's trouble; a 2xx that is not an answer
            // will not become one.
            Error::NotActionTrail { http_status, .. } => *http_status >= 500,
            Error::Credentials(e) => e.is_retryable(),
            Error::Redirect { .. }
            | Error::Stopped { .. }
            | Error::Pagination { .. }
            | Error::Config(_)
            | Error::Untrusted { .. } => false,
        }
    }

    /// The request id of the failed request, when the service sent one.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Untrusted { request_id, .. } => Some(request_id.as_str()),
            _ => self.service().map(|e| e.request_id.as_str()),
        }
        .filter(|id| !id.is_empty())
    }

    /// Whether the request may have reached the server (false only when it surely did not).
    pub fn may_have_been_sent(&self) -> bool {
        match self {
            Error::Timeout {
                may_have_been_sent, ..
            }
            | Error::Transport {
                may_have_been_sent, ..
            } => *may_have_been_sent,
            Error::Credentials(_) | Error::Config(_) | Error::Stopped { .. } => false,
            _ => true,
        }
    }

    /// Whether the service refused the call for flow control (`Throttling`,
    /// `Throttling.User`, ...): the pacer slows the key down.
    pub fn is_throttling(&self) -> bool {
        matches!(self, Error::Service(e) if e.is_retryable() && e.code.contains("Throttling"))
    }

    /// How long the server asked to wait before retrying.
    pub fn retry_after(&self) -> Option<Duration> {
        self.service().and_then(|e| e.retry_after)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn svc(status: u16, code: &str) -> Error {
        Error::Service(ServiceError {
            http_status: status,
            code: code.into(),
            message: "m".into(),
            request_id: "r".into(),
            host_id: None,
            recommend: None,
            retry_after: None,
        })
    }

    #[test]
    fn retry_decisions_follow_the_code_and_status_table() {
        let table: &[(u16, &str, bool)] = &[
            (400, "Throttling", true),
            (400, "Throttling.User", true),
            (400, "Throttling.Api", true),
            (503, "ServiceUnavailable", true),
            (500, "InternalError", true),
            (502, "BadGateway", true),
            (504, "Whatever", true),
            (400, "IncompleteSignature", false),
            (400, "SignatureDoesNotMatch", false),
            (400, "SignatureNonceUsed", false),
            (404, "InvalidAccessKeyId.NotFound", false),
            (403, "Forbidden.RAM", false),
            (400, "InvalidTimeStamp.Expired", false),
            (400, "InvalidQueryParameter", false),
            (400, "MissingParameter", false),
            (404, "EntityNotExist.NotFound", false),
            (500, "Forbidden.RAM", false),
            (400, "SomethingElse", false),
        ];
        for (status, code, want) in table {
            assert_eq!(svc(*status, code).is_retryable(), *want, "{status} {code}");
        }
    }

    #[test]
    fn transport_failures_are_retryable_and_say_whether_sent() {
        let t = Error::Timeout {
            operation: "X".into(),
            endpoint: "http://127.0.0.1:1".into(),
            timeout: Duration::from_secs(1),
            may_have_been_sent: true,
            detail: "d".into(),
        };
        assert!(t.is_retryable() && t.may_have_been_sent());
        let refused = Error::Transport {
            operation: "X".into(),
            endpoint: "http://127.0.0.1:1".into(),
            may_have_been_sent: false,
            detail: "connection refused".into(),
        };
        assert!(refused.is_retryable() && !refused.may_have_been_sent());
        let not_at = |http_status| Error::NotActionTrail {
            operation: "X".into(),
            endpoint: "http://127.0.0.1:1".into(),
            http_status,
            reason: "it is not JSON".into(),
            excerpt: "<html>".into(),
        };
        assert!(not_at(502).is_retryable());
        assert!(!not_at(200).is_retryable());
        let redirect = Error::Redirect {
            operation: "X".into(),
            endpoint: "http://127.0.0.1:1".into(),
            http_status: 307,
            location_host: "127.0.0.1:2".into(),
        };
        assert!(!redirect.is_retryable() && redirect.to_string().contains("127.0.0.1:2"));
        assert!(!Error::Config("x".into()).is_retryable());
    }

    #[test]
    fn request_id_comes_from_the_service_error() {
        assert_eq!(svc(400, "Throttling").request_id(), Some("r"));
        assert_eq!(Error::Config("x".into()).request_id(), None);
    }
}
