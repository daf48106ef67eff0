//! STS AssumeRole (version 2015-04-01): temporary credentials that then sign ActionTrail
//! calls with a SecurityToken, carrying the permissions of the caller that assumed the role.

use super::auth::Principal;
use super::error::ApiError;
use super::{SimState, TempCredential};
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
            format!("The parameter RoleArn {arn:?} is wrongly formed; expected acs:ram::<account>:role/<name>."),
        )
    })?;
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
    let duration = match params.get("DurationSeconds").map(|s| s.trim()) {
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
    };
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

/// The `Credentials` object STS and the metadata service both answer with.
pub fn credentials_json(c: &TempCredential) -> Value {
    json!({
        "AccessKeyId": c.access_key_id,
        "AccessKeySecret": c.secret,
        "SecurityToken": c.token,
        "Expiration": super::iso_seconds(c.expires),
    })
}

fn parse_role_arn(arn: &str) -> Option<(&str, &str)> {
    let rest = arn.strip_prefix("acs:ram::")?;
    let (account, role) = rest.split_once(":role/")?;
    let account_ok = !account.is_empty() && account.chars().all(|c| c.is_ascii_digit());
    let role_ok = !role.is_empty()
        && role
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
    (account_ok && role_ok).then_some((account, role))
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
