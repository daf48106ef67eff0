//! STS 2015-04-01: what AssumeRole, AssumeRoleWithOIDC and GetCallerIdentity share. The
//! first two answer with temporary credentials that then sign ActionTrail calls with a
//! SecurityToken, carrying the permissions of the caller that assumed the role, or of the
//! OIDC provider whose token was exchanged; a role of a Resource Directory member reads
//! that member alone.

super::operation::served! {
    assume_role,
    assume_role_with_oidc,
    get_caller_identity,
}

use super::error::ApiError;
use super::operation::{Api, Params};
use super::TempCredential;
use serde_json::{json, Value};

/// STS's operations: the fault knobs do not apply to them.
pub const API: Api = Api {
    version: "2015-04-01",
    product: "Sts",
    faults: false,
};

/// The account and role name of a well-formed `RoleArn`.
fn role_arn(arn: &str) -> Result<(&str, &str), ApiError> {
    parse_role_arn(arn).ok_or_else(|| {
        ApiError::bad_request(
            "InvalidParameter.RoleArn",
            format!("The parameter RoleArn {} is wrongly formed; expected acs:ram::<account>:role/<name>, the name at most {MAX_ROLE_NAME_CHARS} characters.", quoted_arn(arn)),
        )
    })
}

/// The `AssumedRoleUser` object of both answers.
fn assumed_role_user(account: &str, role: &str, session: &str, arn: &str) -> Value {
    json!({
        "Arn": format!("acs:ram::{account}:role/{}/{session}", role.to_ascii_lowercase()),
        "AssumedRoleId": format!("3{}:{session}", &digits(arn)),
    })
}

fn session_name(params: &Params) -> Result<&str, ApiError> {
    let session = mandatory(params, "RoleSessionName")?;
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

fn duration(params: &Params) -> Result<u64, ApiError> {
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

fn mandatory<'a>(params: &'a Params, name: &str) -> Result<&'a str, ApiError> {
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
pub(super) fn digits(arn: &str) -> String {
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
