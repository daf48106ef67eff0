//! The `assume_role` block: which RAM role to assume through STS, and how.

use crate::actiontrail::AssumeRoleConfig;
use crate::framework::args::{self, Arg};
use crate::model::{AttributePath, Diagnostic, Value};
use crate::provider::bounds::whole_number_within;

/// Whether `arn` is a RAM role ARN: `acs:ram::<account digits>:role/<name>`.
pub fn valid_role_arn(arn: &str) -> bool {
    let Some(rest) = arn.strip_prefix("acs:ram::") else {
        return false;
    };
    let Some((account, role)) = rest.split_once(":role/") else {
        return false;
    };
    !account.is_empty()
        && account.bytes().all(|b| b.is_ascii_digit())
        && !role.is_empty()
        && role.len() <= 64
        && role
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
}

fn valid_session_name(name: &str) -> bool {
    (2..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._@-".contains(&b))
}

/// Checks an `assume_role` block, each fault at its path; the role, when its ARN is known.
pub fn parse(block: &Value, diags: &mut Vec<Diagnostic>) -> Option<AssumeRoleConfig> {
    let path = |name: &str| AttributePath::root("assume_role").attr(name);
    let mut role = AssumeRoleConfig::default();
    let arn = args::string_collecting(block, "role_arn", path("role_arn"), diags);
    if let Arg::Known(arn) = arn {
        role.role_arn = arn.to_owned();
        if !valid_role_arn(arn) {
            diags.push(args::invalid("role_arn", &path("role_arn"), format!("role_arn {arn:?} is not a RAM role ARN: write acs:ram::<account id>:role/<role name>, e.g. \"acs:ram::1234567890123456:role/auditor\".")));
        }
    }
    if let Arg::Known(name) =
        args::string_collecting(block, "session_name", path("session_name"), diags)
    {
        role.session_name = Some(name.to_owned());
        if !valid_session_name(name) {
            diags.push(args::invalid(
                "session_name",
                &path("session_name"),
                format!("session_name {name:?} must be 2 to 64 letters, digits or . @ - _."),
            ));
        }
    }
    if let Arg::Known(policy) = args::string_collecting(block, "policy", path("policy"), diags) {
        role.policy = Some(policy.to_owned());
        check_policy(policy, &path("policy"), diags);
    }
    if let Arg::Known(id) =
        args::string_collecting(block, "external_id", path("external_id"), diags)
    {
        role.external_id = Some(id.to_owned());
        if id.trim().is_empty() {
            diags.push(args::invalid(
                "external_id",
                &path("external_id"),
                "external_id is empty; remove it when the role needs none.",
            ));
        }
    }
    role.session_expiration = session_expiration(block, &path("session_expiration"), diags);
    arn.is_known_set().then_some(role)
}

/// Checks a role block's `policy` at `path`: a RAM policy document is a JSON object.
pub fn check_policy(policy: &str, path: &AttributePath, diags: &mut Vec<Diagnostic>) {
    if !serde_json::from_str::<serde_json::Value>(policy).is_ok_and(|v| v.is_object()) {
        diags.push(args::invalid(
            "policy",
            path,
            "policy must be a RAM policy document, a JSON object (jsonencode() writes one).",
        ));
    }
}

/// A role block's `session_expiration` at `path`: 900 to 43200 seconds, as STS takes it.
pub fn session_expiration(
    block: &Value,
    path: &AttributePath,
    diags: &mut Vec<Diagnostic>,
) -> Option<u32> {
    whole_number_within(
        block,
        "session_expiration",
        path,
        900..=43_200,
        " seconds",
        diags,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_arns_need_an_account_number_and_a_role_name() {
        assert!(valid_role_arn("acs:ram::1234567890123456:role/auditor"));
        for bad in [
            "acs:ram::abc:role/x",
            "acs:ram:::role/x",
            "acs:ram::1:role/",
            "acs:ram::1:user/x",
            "acs:ram::1:role/a b",
        ] {
            assert!(!valid_role_arn(bad), "{bad}");
        }
    }
}
