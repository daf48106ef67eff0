//! STS AssumeRole and AssumeRoleWithOIDC (version 2015-04-01): temporary credentials that
//! then sign ActionTrail calls with a SecurityToken, carrying the permissions of the caller
//! that assumed the role, or of the OIDC provider whose token was exchanged.

use super::auth::Principal;
use super::dataset::OidcProvider;
use super::error::ApiError;
use super::{SimState, TempCredential};
use axum::http::StatusCode;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::time::Duration;

/// The STS API version.
pub const VERSION: &str = "2015-04-01";

/// Answers AssumeRole for `principal`.
pub fn assume_role(
    state: &SimState,
    params: &BTreeMap<String, String>,
    principal: &Principal,
) -> Result<Value, ApiError> {
    let arn = params
        .get("RoleArn")
        .filter(|v| !v.is_empty())
        .ok_or_else(|| {
            ApiError::bad_request("MissingRoleArn", "RoleArn is mandatory for this action.")
        })?;
    let (account, role) = parse_role_arn(arn).ok_or_else(|| {
        ApiError::bad_request(
            "InvalidParameter.RoleArn",
            format!("The parameter RoleArn {} is wrongly formed; expected acs:ram::<account>:role/<name>, the name at most {MAX_ROLE_NAME_CHARS} characters.", quoted_arn(arn)),
        )
    })?;
    let session = session_name(params)?;
    let duration = duration(params)?;
    let cred = state.issue_temporary(
        Duration::from_secs(duration),
        &principal.account_id,
        &format!("{role}:{session}"),
        principal.readable_accounts.clone(),
    );
    Ok(json!({
        "AssumedRoleUser": {
            "Arn": format!("acs:ram::{account}:role/{}/{session}", role.to_ascii_lowercase()),
            "AssumedRoleId": format!("3{}:{session}", &digits(arn)),
        },
        "Credentials": credentials_json(&cred),
    }))
}

fn session_name(params: &BTreeMap<String, String>) -> Result<&str, ApiError> {
    let session = params
        .get("RoleSessionName")
        .filter(|v| !v.is_empty())
        .ok_or_else(|| {
            ApiError::bad_request(
                "MissingRoleSessionName",
                "RoleSessionName is mandatory for this action.",
            )
        })?;
    let session_ok = (2..=64).contains(&session.len())
        && session
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.@=,".contains(c));
    if !session_ok {
        return Err(ApiError::bad_request(
            "InvalidParameter.RoleSessionName",
            "The parameter RoleSessionName is wrongly formed: 2 to 64 of A-Za-z0-9-_.@=, .",
        ));
    }
    Ok(session)
}

fn duration(params: &BTreeMap<String, String>) -> Result<u64, ApiError> {
    Ok(match params.get("DurationSeconds").map(|s| s.trim()) {
        None | Some("") => 3600,
        Some(v) => match v.parse::<u64>() {
            Ok(n) if (900..=3600).contains(&n) => n,
            _ => {
                return Err(ApiError::bad_request(
                    "InvalidParameter.DurationSeconds",
                    format!(
                        "The parameter DurationSeconds {v:?} must be an integer from 900 to 3600."
                    ),
                ))
            }
        },
    })
}

fn mandatory<'a>(params: &'a BTreeMap<String, String>, name: &str) -> Result<&'a str, ApiError> {
    params
        .get(name)
        .map(String::as_str)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| {
            ApiError::bad_request(
                &format!("Missing{name}"),
                format!("{name} is mandatory for this action."),
            )
        })
}

/// Answers AssumeRoleWithOIDC, which is not signed: the token is the proof. It must come
/// from a provider of the data set, be a JWT with that provider's issuer and one of its
/// audiences, and not have expired.
pub fn assume_role_with_oidc(
    state: &SimState,
    params: &BTreeMap<String, String>,
) -> Result<Value, ApiError> {
    let provider_arn = mandatory(params, "OIDCProviderArn")?;
    let arn = mandatory(params, "RoleArn")?;
    let token = mandatory(params, "OIDCToken")?;
    let (account, role) = parse_role_arn(arn).ok_or_else(|| {
        ApiError::bad_request(
            "InvalidParameter.RoleArn",
            format!("The parameter RoleArn {} is wrongly formed; expected acs:ram::<account>:role/<name>, the name at most {MAX_ROLE_NAME_CHARS} characters.", quoted_arn(arn)),
        )
    })?;
    let provider = state.oidc_provider(provider_arn).ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "EntityNotExist.OIDCProvider",
            format!("The OIDC provider {provider_arn} does not exist."),
        )
    })?;
    if !provider_arn.starts_with(&format!("acs:ram::{account}:")) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "NoPermission",
            "The role and the OIDC provider are in different accounts; the role's trust policy cannot name the provider.",
        ));
    }
    check_token(token, &provider, state.now().unix_timestamp())?;
    let session = session_name(params)?;
    let duration = duration(params)?;
    let cred = state.issue_temporary(
        Duration::from_secs(duration),
        account,
        &format!("{role}:{session}"),
        provider.readable_accounts.clone(),
    );
    Ok(json!({
        "AssumedRoleUser": {
            "Arn": format!("acs:ram::{account}:role/{}/{session}", role.to_ascii_lowercase()),
            "AssumedRoleId": format!("3{}:{session}", &digits(arn)),
        },
        "OIDCTokenInfo": { "Issuer": provider.issuer, "ClientIds": provider.client_ids.join(",") },
        "Credentials": credentials_json(&cred),
    }))
}

/// The JWT's claims, unverified: the emulator holds no signing keys.
fn check_token(token: &str, provider: &OidcProvider, now: i64) -> Result<(), ApiError> {
    use base64::Engine as _;
    let invalid = |why: &str| {
        ApiError::bad_request(
            "AuthenticationFail.OIDCToken.Invalid",
            format!("The OIDC token is invalid: {why}."),
        )
    };
    let parts: Vec<&str> = token.trim().split('.').collect();
    let [_, payload, _] = parts.as_slice() else {
        return Err(invalid("it is not a JSON Web Token"));
    };
    let claims: Value = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .ok_or_else(|| invalid("its payload is not base64url JSON"))?;
    if claims["iss"].as_str() != Some(provider.issuer.as_str()) {
        return Err(invalid("its issuer is not the OIDC provider's"));
    }
    let audiences: Vec<&str> = match &claims["aud"] {
        Value::String(a) => vec![a.as_str()],
        Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    if !audiences
        .iter()
        .any(|a| provider.client_ids.iter().any(|c| c == a))
    {
        return Err(invalid(
            "its audience is not a client id of the OIDC provider",
        ));
    }
    match claims["exp"].as_i64() {
        Some(exp) if exp > now => Ok(()),
        Some(_) => Err(ApiError::bad_request(
            "AuthenticationFail.OIDCToken.Expired",
            "This JsonWebToken is expired.",
        )),
        None => Err(invalid("it has no exp")),
    }
}

/// The `Credentials` object STS and the metadata service both answer with.
pub fn credentials_json(c: &TempCredential) -> Value {
    json!({
        "AccessKeyId": c.access_key_id,
        "AccessKeySecret": c.secret,
        "SecurityToken": c.token,
        "Expiration": super::iso_seconds(c.expires),
    })
}

/// The longest RAM role name (RAM's own limit), and so the longest part of a role ARN the
/// emulator keeps with the credentials it issues.
pub const MAX_ROLE_NAME_CHARS: usize = 64;
/// The longest account id in a role ARN (Alibaba Cloud's are 16 digits).
const MAX_ACCOUNT_DIGITS: usize = 32;

fn parse_role_arn(arn: &str) -> Option<(&str, &str)> {
    let rest = arn.strip_prefix("acs:ram::")?;
    let (account, role) = rest.split_once(":role/")?;
    let account_ok = (1..=MAX_ACCOUNT_DIGITS).contains(&account.len())
        && account.chars().all(|c| c.is_ascii_digit());
    let role_ok = (1..=MAX_ROLE_NAME_CHARS).contains(&role.len())
        && role
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
    (account_ok && role_ok).then_some((account, role))
}

/// A RoleArn the error may quote: a caller's 1 MiB ARN is named by its length instead.
fn quoted_arn(arn: &str) -> String {
    if arn.len() <= MAX_ROLE_NAME_CHARS + MAX_ACCOUNT_DIGITS + 16 {
        format!("{arn:?}")
    } else {
        format!("of {} bytes", arn.len())
    }
}

/// Seventeen digits derived from the role ARN, for the AssumedRoleId.
fn digits(arn: &str) -> String {
    use sha2::Digest;
    let h = sha2::Sha256::digest(arn.as_bytes());
    h.iter()
        .take(17)
        .map(|b| char::from(b'0' + b % 10))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_arns_need_an_account_and_a_role_name() {
        assert_eq!(
            parse_role_arn("acs:ram::1234567890123456:role/auditor"),
            Some(("1234567890123456", "auditor"))
        );
        assert_eq!(parse_role_arn("acs:ram::abc:role/auditor"), None);
        assert_eq!(parse_role_arn("acs:ram::123:role/"), None);
        assert_eq!(parse_role_arn("arn:aws:iam::123:role/x"), None);
    }
}
