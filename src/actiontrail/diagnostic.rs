//! API failures as diagnostics: what ActionTrail said (code, message, request id) and what
//! to do about it.

use super::service::{Operation, Service};
use crate::actiontrail::{Client, Error};
use crate::model::Diagnostic;
use std::future::Future;

/// What a call is about, as its logs and its diagnostic name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum About<'a> {
    /// An ActionTrail call about this AccessKey.
    Key(&'a str),
    /// RAM's listing of the account's users.
    Users,
    /// A RAM call about this user.
    User(&'a str),
    /// STS about the provider's own credentials.
    Caller,
    /// ResourceManager's listing of the Resource Directory's members.
    Directory,
    /// STS AssumeRole into this role (a member account's).
    Role(&'a str),
}

impl About<'_> {
    /// The service and the subject a diagnostic names.
    fn named(self) -> (&'static str, String) {
        match self {
            About::Key(key) => ("ActionTrail", format!("AccessKey {key}")),
            About::Users => ("RAM", "the account's RAM users".to_owned()),
            About::User(user) => ("RAM", format!("RAM user {user:?}")),
            About::Caller => ("STS", "the provider's own credentials".to_owned()),
            About::Directory => (
                "ResourceManager",
                "the Resource Directory's members".to_owned(),
            ),
            About::Role(arn) => ("STS", format!("role {arn}")),
        }
    }

    /// The diagnostic for `err`, a failed `action` about this, after `max_retries`.
    pub fn diagnostic(self, action: &str, err: &Error, max_retries: u32) -> Diagnostic {
        let (service, subject) = self.named();
        diagnostic_for(service, action, &subject, err, max_retries)
    }
}

impl Client {
    /// Awaits `call`, the operation `action` about `about`, logging it and turning its
    /// failure into a diagnostic: the API's code, message and request id, and what to do.
    /// A new operation needs nothing here.
    pub async fn diagnosed<T>(
        &self,
        action: &str,
        about: About<'_>,
        call: impl Future<Output = Result<T, Error>>,
    ) -> Result<T, Diagnostic> {
        let (service, subject) = about.named();
        tracing::debug!(action, subject = %subject, "{service} request");
        call.await.map_err(|e| {
            tracing::warn!(action, subject = %subject, error = %e, "{service} call failed");
            about.diagnostic(action, &e, self.max_retries())
        })
    }
}

/// The RAM actions the provider calls, all of which a policy must grant: every operation's
/// that needs a grant (the `ram:` ones only for the fleet reads' discovery,
/// `resourcemanager:ListAccounts` only for the organisation read, in the management
/// account), then STS AssumeRole, which the credentials chain calls for a role.
pub fn ram_actions() -> Vec<String> {
    let assume_role = Operation::new(Service::Sts, "AssumeRole");
    super::OPERATIONS
        .iter()
        .chain([&assume_role])
        .filter(|o| o.granted)
        .map(|o| o.permission())
        .collect()
}

/// What ActionTrail answered, in the fields a diagnostic shows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServiceFailure<'a> {
    /// HTTP status.
    pub http_status: u16,
    /// Error code, e.g. `Forbidden.RAM`.
    pub code: &'a str,
    /// Error message.
    pub message: &'a str,
    /// Request id, for Alibaba Cloud support.
    pub request_id: &'a str,
    /// Host id.
    pub host_id: &'a str,
    /// The diagnosis URL ActionTrail recommends, if any.
    pub recommend: &'a str,
}

/// The hint for an error code: what the user should check or change.
pub fn hint(code: &str, action: &str, max_retries: u32) -> String {
    let grant = || {
        format!(
            "The caller lacks permission for {action}. Grant the RAM actions {} to the RAM user or role the provider signs as (for example with the AliyunActionTrailReadOnlyAccess and AliyunRAMReadOnlyAccess policies, or a custom policy listing these actions).",
            ram_actions().join(", ")
        )
    };
    match code {
        "InvalidAccessKeyId.NotFound" | "InvalidAccessKeyId" => "Alibaba Cloud does not know the AccessKey ID the provider signs with. Check access_key (or ALIBABA_CLOUD_ACCESS_KEY_ID, the profile or credentials file in use) and that the key has not been deleted.".to_owned(),
        "InvalidAccessKeyId.Inactive" => "The AccessKey the provider signs with is disabled. Enable it, or configure another one.".to_owned(),
        "SignatureDoesNotMatch" | "IncompleteSignature" => "The signature did not match: the AccessKey secret is wrong for this AccessKey ID. Check secret_key (or ALIBABA_CLOUD_ACCESS_KEY_SECRET) for typos and stray whitespace, and that this machine's clock is correct.".to_owned(),
        "InvalidTimeStamp.Expired" => "The request's timestamp was out of range: this machine's clock is wrong. Synchronise it (NTP) and retry.".to_owned(),
        "SignatureNonceUsed" => "A request nonce was reused. Retry the plan.".to_owned(),
        "InvalidSecurityToken.Expired" | "InvalidSecurityToken.Malformed" | "InvalidSecurityToken.MismatchWithAccessKey" | "InvalidSecurityToken" => "The STS security token is expired, malformed or does not belong to this AccessKey. Fetch fresh temporary credentials (or use assume_role so the provider fetches them).".to_owned(),
        "InvalidQueryParameter" | "InvalidParameter" | "MissingParameter" => "ActionTrail rejected a parameter. Check access_key_id (the AccessKey to look up) and service_name (a service code name as actiontrail_accesskey_last_used_products lists it, e.g. Ecs or Oss).".to_owned(),
        "EntityNotExist.Role" => "STS has no role of that name in the member account. Create the role there (trusted by the management account), set role_name to a role every member has, or leave the account out with exclude_account_ids.".to_owned(),
        "EntityNotExist.User" => "RAM has no user of that name in the caller's account. Check user_names (RAM user names are case-sensitive), or leave it out to list every user.".to_owned(),
        "InternalError" | "ServiceUnavailable" => format!("The API failed on its side even after {max_retries} retries. Try again later, or raise max_retries in the provider block."),
        c if c.contains("Throttling") => format!("The API kept throttling the requests after {max_retries} retries, though the provider slows each API to the rate it lets through (unless ACTIONTRAIL_PACING=off, which leaves only the retries): something else (another tool, another plan) is likely spending the account's quota. Raise max_retries in the provider block, set max_requests_per_second under the quota to leave the others room, or lower Terraform's -parallelism so fewer reads run at once."),
        c if c.starts_with("Forbidden") || c.starts_with("NoPermission") => grant(),
        _ => "See the message above; the request id identifies the call to Alibaba Cloud support.".to_owned(),
    }
}

fn answered(
    service: &str,
    action: &str,
    subject: &str,
    f: &ServiceFailure<'_>,
    max_retries: u32,
) -> Diagnostic {
    let mut detail = format!(
        "{service} answered {action} for {subject} with HTTP {}, error code {}: {}\n\n{}\n\nRequest ID: {}",
        f.http_status,
        f.code,
        if f.message.is_empty() { "(no message)" } else { f.message },
        hint(f.code, action, max_retries),
        if f.request_id.is_empty() { "(none)" } else { f.request_id },
    );
    if !f.host_id.is_empty() {
        detail.push_str(&format!(", host ID: {}", f.host_id));
    }
    if !f.recommend.is_empty() {
        detail.push_str(&format!("\nDiagnosis: {}", f.recommend));
    }
    Diagnostic::error(format!("{service} {action} failed: {}", f.code), detail)
}

/// The diagnostic for any failed call of `service` (`ActionTrail`, `RAM`) about `subject`
/// (`AccessKey X`, `user Y`, `the account's users`).
pub fn diagnostic_for(
    service: &str,
    action: &str,
    subject: &str,
    err: &Error,
    max_retries: u32,
) -> Diagnostic {
    if let Some(s) = err.service() {
        let failure = ServiceFailure {
            http_status: s.http_status,
            code: &s.code,
            message: &s.message,
            request_id: &s.request_id,
            host_id: s.host_id.as_deref().unwrap_or(""),
            recommend: s.recommend.as_deref().unwrap_or(""),
        };
        return answered(service, action, subject, &failure, max_retries);
    }
    let (summary, hint) = match err {
        Error::Timeout { .. } => ("timed out", format!("No answer came in time, even after {max_retries} retries. Raise timeout (or max_retries) in the provider block, or check the network path to the endpoint.")),
        Error::Transport { may_have_been_sent: true, .. } => ("lost the connection to the endpoint mid-answer", "The connection was reset or closed before the answer was complete; nothing was concluded from it. Check proxies and the network path to the endpoint, then retry the plan.".to_owned()),
        Error::Transport { .. } => ("could not reach the endpoint", "Check region, endpoint and ram_endpoint in the provider block (or ACTIONTRAIL_ENDPOINT), proxies and the network path to the endpoint.".to_owned()),
        Error::Credentials { .. } => ("found no usable credentials", "Configure credentials: access_key and secret_key, the ALIBABA_CLOUD_ACCESS_KEY_ID / ALIBABA_CLOUD_ACCESS_KEY_SECRET environment variables, an OIDC token (assume_role_with_oidc or ALIBABA_CLOUD_OIDC_TOKEN_FILE), a profile of ~/.aliyun/config.json, ~/.alibabacloud/credentials, ecs_role_name, credentials_uri, or assume_role on top of any of them.".to_owned()),
        Error::NotActionTrail { .. } => ("got an answer that was not an ActionTrail answer", format!("Nothing is concluded from it: no key is reported as used or unused, and no gate passes. The endpoint may not be {service} (a captive portal, a proxy, a mock left in place): check endpoint, ram_endpoint, region and ACTIONTRAIL_ENDPOINT.")),
        Error::Untrusted { .. } => ("returned an answer that cannot be trusted", format!("The answer lacks what {service} always returns, so none of it is used. Check that endpoint and ram_endpoint point at Alibaba Cloud, and retry the plan.")),
        Error::Redirect { .. } => ("was redirected", "The provider never follows redirects: the signed request would carry its security token to another host. Point endpoint (or ACTIONTRAIL_ENDPOINT) at the ActionTrail endpoint itself.".to_owned()),
        Error::Stopped { .. } => ("was cancelled", "Terraform was interrupted; run the plan again.".to_owned()),
        Error::Pagination { .. } => ("returned inconsistent pages", "Retry the plan; if it persists, set max_items to read fewer pages.".to_owned()),
        Error::Config { .. } => ("is misconfigured", "Check the provider block.".to_owned()),
        // Handled above through `service()`; kept so that the match stays exhaustive.
        Error::Service(_) => ("failed", "Retry the plan.".to_owned()),
    };
    let mut detail = format!("Reading {subject}: {err}\n\n{hint}");
    if let Some(id) = err.request_id() {
        detail.push_str(&format!("\n\nRequest ID: {id}"));
    }
    Diagnostic::error(format!("{service} {action} {summary}"), detail)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The diagnostic for an error answer about AccessKey `key`.
    fn service_diagnostic(
        action: &str,
        key: &str,
        f: &ServiceFailure<'_>,
        max_retries: u32,
    ) -> Diagnostic {
        let (service, subject) = About::Key(key).named();
        answered(service, action, &subject, f, max_retries)
    }

    /// The diagnostic for a failed call about AccessKey `key`.
    fn diagnostic(action: &str, key: &str, err: &Error, max_retries: u32) -> Diagnostic {
        About::Key(key).diagnostic(action, err, max_retries)
    }

    fn failure(code: &'static str) -> ServiceFailure<'static> {
        ServiceFailure {
            http_status: 400,
            code,
            message: "Specified signature is not matched with our calculation.",
            request_id: "6B4A1F2C-0000-4000-8000-000000000001",
            host_id: "actiontrail.cn-hangzhou.aliyuncs.com",
            recommend: "",
        }
    }

    #[test]
    fn a_bad_secret_names_the_code_the_request_id_and_the_secret_and_clock() {
        let d = service_diagnostic(
            "GetAccessKeyLastUsedInfo",
            "LTAI5tIdle",
            &failure("SignatureDoesNotMatch"),
            5,
        );
        assert!(d.summary.contains("SignatureDoesNotMatch"));
        assert!(d.detail.to_lowercase().contains("request id: 6b4a1f2c"));
        assert!(d.detail.contains("secret_key") && d.detail.contains("clock"));
        assert!(d.detail.contains("LTAI5tIdle"));
    }

    #[test]
    fn the_permissions_are_every_operation_a_policy_must_grant_and_assume_role() {
        let actions = ram_actions();
        let granted = crate::actiontrail::OPERATIONS
            .iter()
            .filter(|o| o.granted)
            .count();
        assert_eq!(actions.len(), granted + 1, "{actions:?}");
        let distinct: std::collections::BTreeSet<&String> = actions.iter().collect();
        assert_eq!(distinct.len(), actions.len(), "{actions:?}");
        for must in [
            "actiontrail:GetAccessKeyLastUsedInfo",
            "actiontrail:GetAccessKeyLastUsedEvents",
            "ram:ListUsers",
            "ram:ListAccessKeys",
            "resourcemanager:ListAccounts",
            "sts:AssumeRole",
        ] {
            assert!(actions.iter().any(|a| a == must), "{must}: {actions:?}");
        }
        // STS answers GetCallerIdentity to every identity: a grant for it would be noise.
        assert!(!actions.iter().any(|a| a == "sts:GetCallerIdentity"));
    }

    #[test]
    fn forbidden_names_every_ram_action() {
        let d = service_diagnostic("GetAccessKeyLastUsedIps", "k", &failure("Forbidden.RAM"), 5);
        for action in ram_actions() {
            assert!(d.detail.contains(&action), "{action}: {}", d.detail);
        }
    }

    #[test]
    fn throttling_suggests_retries_and_parallelism() {
        let d = service_diagnostic(
            "GetAccessKeyLastUsedInfo",
            "k",
            &failure("Throttling.User"),
            2,
        );
        assert!(d.summary.contains("Throttling.User"));
        assert!(
            d.detail.contains("after 2 retries")
                && d.detail.contains("max_retries")
                && d.detail.contains("max_requests_per_second")
                && d.detail.contains("-parallelism")
        );
    }

    #[test]
    fn unknown_key_and_credentials_codes_have_their_own_hints() {
        assert!(
            hint("InvalidQueryParameter", "GetAccessKeyLastUsedIps", 5).contains("service_name")
        );
        assert!(hint("InvalidAccessKeyId.NotFound", "x", 5).contains("ALIBABA_CLOUD_ACCESS_KEY_ID"));
        assert!(hint("InvalidTimeStamp.Expired", "x", 5).contains("clock"));
        assert!(hint("SomethingNew", "x", 5).contains("request id"));
        // RAM, STS and ResourceManager throttle and fail too: the hint names no one API.
        for code in ["Throttling.User", "ServiceUnavailable"] {
            let h = hint(code, "ListAccessKeys", 10);
            assert!(
                h.contains("after 10 retries") && !h.contains("ActionTrail"),
                "{h}"
            );
        }
    }

    #[test]
    fn empty_fields_are_spelled_out_not_left_blank() {
        let f = ServiceFailure {
            http_status: 500,
            code: "InternalError",
            ..Default::default()
        };
        let d = service_diagnostic("GetAccessKeyLastUsedInfo", "k", &f, 5);
        assert!(d.detail.contains("(no message)") && d.detail.contains("Request ID: (none)"));
        assert!(!d.detail.contains("host ID"));
    }

    #[test]
    fn timeouts_and_unreachable_endpoints_point_at_the_provider_settings() {
        let timeout = Error::Timeout {
            operation: "GetAccessKeyLastUsedInfo".into(),
            endpoint: "https://actiontrail.cn-hangzhou.aliyuncs.com".into(),
            timeout: std::time::Duration::from_secs(30),
            may_have_been_sent: true,
            detail: "deadline".into(),
        };
        let d = diagnostic("GetAccessKeyLastUsedInfo", "k", &timeout, 3);
        assert!(d.summary.contains("timed out") && d.detail.contains("timeout"));
        let down = Error::Transport {
            operation: "GetAccessKeyLastUsedInfo".into(),
            endpoint: "http://127.0.0.1:1".into(),
            may_have_been_sent: false,
            detail: "connection refused".into(),
        };
        let d = diagnostic("GetAccessKeyLastUsedInfo", "k", &down, 3);
        assert!(
            d.detail.contains("ACTIONTRAIL_ENDPOINT") && d.detail.contains("connection refused")
        );
    }

    #[test]
    fn a_service_error_from_the_client_keeps_its_code_and_request_id() {
        let err = Error::Service(crate::actiontrail::ServiceError {
            http_status: 403,
            code: "Forbidden.RAM".into(),
            message: "User not authorized to operate on the specified resource.".into(),
            request_id: "REQ-9".into(),
            host_id: None,
            recommend: Some("https://api.aliyun.com/troubleshoot?q=Forbidden.RAM".into()),
            retry_after: None,
        });
        let d = diagnostic("GetAccessKeyLastUsedInfo", "k", &err, 3);
        assert!(d.summary.contains("Forbidden.RAM"));
        assert!(d.detail.contains("Request ID: REQ-9") && d.detail.contains("troubleshoot"));
        assert!(d.detail.contains("actiontrail:GetAccessKeyLastUsedInfo"));
    }
}
