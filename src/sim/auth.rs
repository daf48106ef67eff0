//! Verifying a request's signature, RPC HMAC-SHA1 or ACS3-HMAC-SHA256, the way the gateway
//! in front of ActionTrail does: required parameters, the caller's key, the timestamp window,
//! the signature (answering with the server's string to sign when it differs) and nonce
//! replay.

use super::error::ApiError;
use super::SimState;
use crate::alibaba::signature::{self, Acs3Request};
use axum::http::{HeaderMap, StatusCode};
use bytes::Bytes;
use std::collections::BTreeMap;

/// How far a request's timestamp may be from the emulator's clock.
const MAX_SKEW_SECS: i64 = 15 * 60;

/// A parsed API request.
#[derive(Clone, Debug)]
pub struct ApiRequest {
    /// HTTP method, uppercase.
    pub method: String,
    /// The URL path.
    pub path: String,
    /// The request headers.
    pub headers: HeaderMap,
    /// URL query parameters only (what ACS3 signs).
    pub query: BTreeMap<String, String>,
    /// Query and form body parameters together (what RPC signs).
    pub params: BTreeMap<String, String>,
    /// The raw body.
    pub body: Bytes,
}

impl ApiRequest {
    /// Parses method, URL query, headers and body; a form body's parameters join the query's.
    pub fn new(
        method: &str,
        path: &str,
        query: Option<&str>,
        headers: HeaderMap,
        body: Bytes,
    ) -> ApiRequest {
        let query: BTreeMap<String, String> =
            form_urlencoded::parse(query.unwrap_or("").as_bytes())
                .into_owned()
                .collect();
        let mut params = query.clone();
        let is_form = headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .map(|v| v.to_ascii_lowercase().contains("x-www-form-urlencoded"))
            .unwrap_or(!body.is_empty() && !body.starts_with(b"{"));
        if is_form {
            params.extend(form_urlencoded::parse(&body).into_owned());
        }
        ApiRequest {
            method: method.to_ascii_uppercase(),
            path: path.to_owned(),
            headers,
            query,
            params,
            body,
        }
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Whether the request is signed with ACS3 (an `Authorization` header).
    pub fn is_acs3(&self) -> bool {
        self.headers.contains_key("authorization")
    }

    /// The Action: the `x-acs-action` header for ACS3, else the `Action` parameter.
    pub fn action(&self) -> Option<&str> {
        self.named("x-acs-action", "Action")
    }

    /// The Version: `x-acs-version` for ACS3, else the `Version` parameter.
    pub fn version(&self) -> Option<&str> {
        self.named("x-acs-version", "Version")
    }

    /// An ACS3 request's `header`, falling back to the `param` an RPC request carries.
    fn named(&self, header: &str, param: &str) -> Option<&str> {
        let from_param = || self.params.get(param).map(String::as_str);
        if self.is_acs3() {
            self.header(header).or_else(from_param)
        } else {
            from_param()
        }
    }
}

/// Who signed a request, and what they may read.
#[derive(Clone, Debug, PartialEq)]
pub struct Principal {
    /// The AccessKeyId that signed.
    pub access_key_id: String,
    /// The caller's account.
    pub account_id: String,
    /// A display name (user or role session).
    pub name: String,
    /// Accounts whose keys it may read; `"*"` is every account.
    pub readable_accounts: Vec<String>,
    /// Who signed: the account itself, a RAM user, or a role's session.
    pub identity: Identity,
}

/// The kind of identity behind a credential, as STS `GetCallerIdentity` tells it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Identity {
    /// The account's own (root) AccessKey.
    Account,
    /// A RAM user's AccessKey.
    RamUser,
    /// Temporary credentials of an assumed role.
    AssumedRole {
        /// The role's name.
        role: String,
        /// The session name given when it was assumed.
        session: String,
    },
}

impl Principal {
    /// The gateway's access-denied answer: `code` with `message`, and the
    /// `AccessDeniedDetail` naming `auth_action` (`actiontrail:...`, `ram:...`) and this
    /// principal, as both ActionTrail and RAM send it.
    pub fn denied(&self, code: &str, message: String, auth_action: &str) -> ApiError {
        let mut e = ApiError::new(StatusCode::FORBIDDEN, code, message);
        e.extra = Some(Box::new((
            "AccessDeniedDetail".into(),
            serde_json::json!({
                "AuthAction": auth_action,
                "AuthPrincipalType": "SubUser",
                "AuthPrincipalDisplayName": self.name,
                "AuthPrincipalOwnerId": self.account_id,
                "NoPermissionType": "ImplicitDeny",
                "PolicyType": "AccountLevelIdentityBasedPolicy",
            }),
        )));
        e
    }

    /// Whether the principal may read the keys of `account`.
    pub fn may_read(&self, account: &str) -> bool {
        self.readable_accounts
            .iter()
            .any(|a| a == "*" || a == account)
    }
}

/// Verifies `req`'s signature; the principal on success.
pub fn authenticate(state: &SimState, req: &ApiRequest) -> Result<Principal, ApiError> {
    if req.is_acs3() {
        authenticate_acs3(state, req)
    } else {
        authenticate_rpc(state, req)
    }
}

fn required<'a>(req: &'a ApiRequest, name: &str) -> Result<&'a str, ApiError> {
    req.params
        .get(name)
        .map(String::as_str)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| {
            ApiError::incomplete_signature(&format!("{name} is mandatory for this action."))
        })
}

fn authenticate_rpc(state: &SimState, req: &ApiRequest) -> Result<Principal, ApiError> {
    let access_key_id = required(req, "AccessKeyId")?;
    let signature = required(req, "Signature")?;
    let method = required(req, "SignatureMethod")?;
    let nonce = required(req, "SignatureNonce")?;
    check_nonce_length(nonce)?;
    let timestamp = required(req, "Timestamp")?;
    if method != "HMAC-SHA1" {
        return Err(ApiError::incomplete_signature(&format!(
            "Specified SignatureMethod {method} is not supported; use HMAC-SHA1."
        )));
    }
    if let Some(v) = req.params.get("SignatureVersion") {
        if v != "1.0" {
            return Err(ApiError::incomplete_signature(&format!(
                "Specified SignatureVersion {v} is not supported; use 1.0."
            )));
        }
    }
    check_timestamp(state, timestamp)?;
    let token = req.params.get("SecurityToken").map(String::as_str);
    let (secret, principal) = state.credential(access_key_id, token)?;
    let string_to_sign = signature::rpc_string_to_sign(
        &req.method,
        req.params
            .iter()
            .filter(|(k, _)| k.as_str() != "Signature")
            .map(|(k, v)| (k.as_str(), v.as_str())),
    );
    if signature::rpc_signature(&secret, &string_to_sign) != signature {
        return Err(signature_mismatch(&string_to_sign));
    }
    state.use_nonce(access_key_id, nonce)?;
    Ok(principal)
}

fn signature_mismatch(string_to_sign: &str) -> ApiError {
    ApiError::bad_request(
        "SignatureDoesNotMatch",
        format!(
            "The request signature does not conform to Aliyun standards. server string to sign is:{string_to_sign}"
        ),
    )
}

/// The fields of `ACS3-HMAC-SHA256 Credential=..,SignedHeaders=..,Signature=..`.
fn parse_authorization(value: &str) -> Result<(String, Vec<String>, String), ApiError> {
    let rest = value.strip_prefix("ACS3-HMAC-SHA256 ").ok_or_else(|| {
        ApiError::incomplete_signature("The Authorization header must use ACS3-HMAC-SHA256.")
    })?;
    let mut credential = None;
    let mut signed = None;
    let mut sig = None;
    for part in rest.split(',') {
        let (k, v) = part.trim().split_once('=').unwrap_or((part.trim(), ""));
        match k {
            "Credential" => credential = Some(v.to_owned()),
            "SignedHeaders" => signed = Some(v.to_owned()),
            "Signature" => sig = Some(v.to_owned()),
            _ => {}
        }
    }
    match (credential, signed, sig) {
        (Some(c), Some(h), Some(s)) if !c.is_empty() && !s.is_empty() => Ok((
            c,
            h.split(';')
                .filter(|n| !n.is_empty())
                .map(|n| n.to_ascii_lowercase())
                .collect(),
            s,
        )),
        _ => Err(ApiError::incomplete_signature(
            "The Authorization header needs Credential, SignedHeaders and Signature.",
        )),
    }
}

fn authenticate_acs3(state: &SimState, req: &ApiRequest) -> Result<Principal, ApiError> {
    let authorization = req.header("authorization").unwrap_or("");
    let (access_key_id, signed_headers, signature) = parse_authorization(authorization)?;
    let date = req
        .header("x-acs-date")
        .filter(|v| !v.is_empty())
        .ok_or_else(|| ApiError::incomplete_signature("The x-acs-date header is mandatory."))?;
    let nonce = req
        .header("x-acs-signature-nonce")
        .filter(|v| !v.is_empty())
        .ok_or_else(|| {
            ApiError::incomplete_signature("The x-acs-signature-nonce header is mandatory.")
        })?;
    check_nonce_length(nonce)?;
    if req.header("x-acs-action").is_none_or(str::is_empty) {
        return Err(ApiError::incomplete_signature(
            "The x-acs-action header is mandatory.",
        ));
    }
    check_timestamp(state, date)?;
    let token = req.header("x-acs-security-token");
    let (secret, principal) = state.credential(&access_key_id, token)?;
    let mut headers = BTreeMap::new();
    for name in &signed_headers {
        let mut values: Vec<&str> = req
            .headers
            .get_all(name.as_str())
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(str::trim)
            .collect();
        values.sort_unstable();
        headers.insert(name.clone(), values.join(","));
    }
    let body_sha256 = signature::sha256_hex(&req.body);
    let canonical = Acs3Request {
        method: &req.method,
        path: &req.path,
        query: &req.query,
        headers: &headers,
        body_sha256: &body_sha256,
    };
    if !canonical
        .signature(&secret)
        .eq_ignore_ascii_case(&signature)
    {
        return Err(signature_mismatch(&canonical.string_to_sign()));
    }
    state.use_nonce(&access_key_id, nonce)?;
    Ok(principal)
}

fn check_timestamp(state: &SimState, value: &str) -> Result<(), ApiError> {
    let at = time::OffsetDateTime::parse(value, &time::format_description::well_known::Rfc3339)
        .map_err(|_| {
            ApiError::bad_request(
                "InvalidTimeStamp.Format",
                format!(
                    "Specified time stamp or date value {value:?} is not well formatted; use YYYY-MM-DDThh:mm:ssZ."
                ),
            )
        })?;
    let skew = (state.now().unix_timestamp() - at.unix_timestamp()).abs();
    if skew > MAX_SKEW_SECS {
        return Err(ApiError::bad_request(
            "InvalidTimeStamp.Expired",
            format!("Specified time stamp or date value is expired: {value} is more than 15 minutes from the server's time."),
        ));
    }
    Ok(())
}

/// Refuses a nonce longer than any SDK sends, before it costs a signature check or a
/// slot in the nonce store.
fn check_nonce_length(nonce: &str) -> Result<(), ApiError> {
    if nonce.len() > super::MAX_NONCE_BYTES {
        return Err(ApiError::bad_request(
            "InvalidParameter.SignatureNonce",
            format!(
                "The SignatureNonce must be at most {} bytes; this one has {}.",
                super::MAX_NONCE_BYTES,
                nonce.len()
            ),
        ));
    }
    Ok(())
}

/// The error for an unknown AccessKeyId.
pub fn unknown_access_key(id: &str) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "InvalidAccessKeyId.NotFound",
        format!("Specified access key is not found: {}.", super::echo(id)),
    )
}
