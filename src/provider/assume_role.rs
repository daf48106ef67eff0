//! The `assume_role` block: which RAM role to assume through STS, and how.

use crate::actiontrail::AssumeRoleConfig;
use crate::framework::args::{Argument, At, Reads};
use crate::model::{AttributePath, Block, Diagnostic, Value};
use crate::provider::bounds::within;

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

/// A session name as STS takes it (RoleSessionName), in either role block.
pub fn session_name(name: &str, at: &mut At<'_>) -> Option<String> {
    let detail = format!(
        "{} {name:?} must be 2 to 64 letters, digits or . @ - _.",
        at.name()
    );
    at.check(valid_session_name(name), name.to_owned(), detail)
}

/// `role_arn`, in both role blocks.
pub const ROLE_ARN: Argument<String> = Argument::new(
    "role_arn",
    "ARN of the RAM role to assume, `acs:ram::<account id>:role/<role name>`.",
    Reads::Text(|arn, at| {
        at.check(valid_role_arn(arn), arn.to_owned(), format!("role_arn {arn:?} is not a RAM role ARN: write acs:ram::<account id>:role/<role name>, e.g. \"acs:ram::1234567890123456:role/auditor\"."))
    }),
)
.required();
/// `session_name`.
const SESSION_NAME: Argument<String> = Argument::new(
    "session_name",
    "Session name recorded in ActionTrail for the assumed role (2-64 characters of letters, digits, `.`, `@`, `-`, `_`); default `terraform`.",
    Reads::Text(session_name),
);
/// `policy`, in both role blocks.
pub const POLICY: Argument<String> = Argument::new(
    "policy",
    "A RAM policy document (JSON) that further restricts the assumed role's permissions.",
    Reads::Text(check_policy),
);
/// `session_expiration`, in both role blocks: 900 to 43200 seconds, as STS takes it.
pub const SESSION_EXPIRATION: Argument<u32> = Argument::new(
    "session_expiration",
    "Lifetime of the temporary credentials in seconds, 900 to 43200; default 3600.",
    Reads::Whole(|n, at| within(n, 900..=43_200, " seconds", at)),
);
/// `external_id`.
const EXTERNAL_ID: Argument<String> = Argument::new(
    "external_id",
    "External ID the role's trust policy requires, if any.",
    Reads::Text(|id, at| {
        at.filled(id, "remove it when the role needs none")
            .map(str::to_owned)
    }),
);

/// The block's schema.
pub fn block() -> Block {
    Block::of(
        vec![
            ROLE_ARN.attribute(),
            SESSION_NAME.attribute(),
            POLICY.attribute(),
            SESSION_EXPIRATION.attribute(),
            EXTERNAL_ID.attribute(),
        ],
        "Assume a RAM role through STS AssumeRole, signing with the credentials found otherwise, and call ActionTrail as that role.",
    )
}

/// Checks an `assume_role` block, each fault at its path; the role, when its ARN is known
/// and valid.
pub fn parse(block: &Value, diags: &mut Vec<Diagnostic>) -> Option<AssumeRoleConfig> {
    let at = AttributePath::root("assume_role");
    let role_arn = ROLE_ARN.get_in(block, &at, diags);
    let role = AssumeRoleConfig {
        role_arn: role_arn.clone().unwrap_or_default(),
        session_name: SESSION_NAME.get_in(block, &at, diags),
        policy: POLICY.get_in(block, &at, diags),
        session_expiration: SESSION_EXPIRATION.get_in(block, &at, diags),
        external_id: EXTERNAL_ID.get_in(block, &at, diags),
    };
    role_arn.is_some().then_some(role)
}

/// A role block's `policy`: a RAM policy document is a JSON object.
fn check_policy(policy: &str, at: &mut At<'_>) -> Option<String> {
    let object = serde_json::from_str::<serde_json::Value>(policy).is_ok_and(|v| v.is_object());
    at.check(
        object,
        policy.to_owned(),
        "policy must be a RAM policy document, a JSON object (jsonencode() writes one).",
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
