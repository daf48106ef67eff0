//! The `assume_role_with_oidc` block and `credentials_uri`: credentials for CI and
//! Kubernetes, where an OIDC token or a local credentials endpoint stands in for a key.

use crate::actiontrail::OidcConfig;
use crate::alibaba::secret::Secret;
use crate::framework::args::{self, Arg, Argument, At, Reads};
use crate::model::{AttributePath, Block, Diagnostic, Value};
use crate::provider::assume_role::{session_name, POLICY, ROLE_ARN, SESSION_EXPIRATION};
use std::path::PathBuf;

/// `oidc_provider_arn`.
const OIDC_PROVIDER_ARN: Argument<String> = Argument::new(
    "oidc_provider_arn",
    "ARN of the OIDC identity provider registered in RAM, `acs:ram::<account id>:oidc-provider/<name>`. Without the block, `ALIBABA_CLOUD_OIDC_PROVIDER_ARN`.",
    Reads::Text(|arn, at| {
        at.check(valid_provider_arn(arn), arn.to_owned(), format!("oidc_provider_arn {arn:?} is not an OIDC provider ARN: write acs:ram::<account id>:oidc-provider/<name>."))
    }),
)
.required();
/// `oidc_token`.
const OIDC_TOKEN: Argument<Secret> = Argument::new(
    "oidc_token",
    "The OIDC token itself. Set this or `oidc_token_file`.",
    Reads::Text(|t, at| at.filled(t, "").map(Secret::new)),
)
.sensitive();
/// `oidc_token_file`.
const OIDC_TOKEN_FILE: Argument<PathBuf> = Argument::new(
    "oidc_token_file",
    "File holding the OIDC token, read again at every refresh (ACK RRSA rotates it). Without the block, `ALIBABA_CLOUD_OIDC_TOKEN_FILE`.",
    Reads::Text(|f, at| at.filled(f, "").map(PathBuf::from)),
);
/// `role_session_name`.
const ROLE_SESSION_NAME: Argument<String> = Argument::new(
    "role_session_name",
    "Session name recorded in ActionTrail (2-64 characters of letters, digits, `.`, `@`, `-`, `_`); default `terraform`. Without the block, `ALIBABA_CLOUD_ROLE_SESSION_NAME`.",
    Reads::Text(session_name),
);

/// The block's schema.
pub fn block() -> Block {
    Block::of(
        vec![
            OIDC_PROVIDER_ARN.attribute(),
            ROLE_ARN.attribute_described("ARN of the RAM role to assume, `acs:ram::<account id>:role/<role name>`. Without the block, `ALIBABA_CLOUD_ROLE_ARN`."),
            OIDC_TOKEN.attribute(),
            OIDC_TOKEN_FILE.attribute(),
            ROLE_SESSION_NAME.attribute(),
            SESSION_EXPIRATION.attribute_described("Lifetime of the temporary credentials in seconds, 900 up to the role's maximum; default 3600."),
            POLICY.attribute(),
        ],
        "Exchange an OIDC token (GitHub Actions, ACK RRSA) for a RAM role's temporary credentials through STS AssumeRoleWithOIDC, which needs no AccessKey.",
    )
}

fn valid_provider_arn(arn: &str) -> bool {
    arn.strip_prefix("acs:ram::")
        .and_then(|rest| rest.split_once(":oidc-provider/"))
        .is_some_and(|(account, name)| {
            !account.is_empty() && account.bytes().all(|b| b.is_ascii_digit()) && !name.is_empty()
        })
}

/// Checks an `assume_role_with_oidc` block, each fault at its path; the configuration when
/// both ARNs are known and valid.
pub fn parse(block: &Value, diags: &mut Vec<Diagnostic>) -> Option<OidcConfig> {
    let at = AttributePath::root("assume_role_with_oidc");
    let provider_arn = OIDC_PROVIDER_ARN.get_in(block, &at, diags);
    let role_arn = ROLE_ARN.get_in(block, &at, diags);
    let out = OidcConfig {
        oidc_provider_arn: provider_arn.clone().unwrap_or_default(),
        role_arn: role_arn.clone().unwrap_or_default(),
        oidc_token: OIDC_TOKEN.get_in(block, &at, diags),
        oidc_token_file: OIDC_TOKEN_FILE.get_in(block, &at, diags),
        role_session_name: ROLE_SESSION_NAME.get_in(block, &at, diags),
        session_expiration: SESSION_EXPIRATION.get_in(block, &at, diags),
        policy: POLICY.get_in(block, &at, diags),
    };
    // One of the two, known or not: an unknown may turn out either way.
    match (OIDC_TOKEN.set(block), OIDC_TOKEN_FILE.set(block)) {
        (Arg::Absent, Arg::Absent) => diags.push(args::invalid(
            "oidc_token_file",
            &at.clone().attr("oidc_token_file"),
            "set oidc_token_file (or oidc_token) to the OIDC token to exchange.",
        )),
        (Arg::Known(()), Arg::Known(())) => diags.push(args::invalid(
            "oidc_token",
            &at.clone().attr("oidc_token"),
            "set oidc_token or oidc_token_file, not both.",
        )),
        _ => {}
    }
    (provider_arn.is_some() && role_arn.is_some()).then_some(out)
}

/// `credentials_uri`'s check: an `http` or `https` URL with a host.
pub fn credentials_uri(uri: &str, at: &mut At<'_>) -> Option<Secret> {
    let ok = reqwest::Url::parse(uri.trim()).is_ok_and(|u| {
        matches!(u.scheme(), "http" | "https") && u.host_str().is_some_and(|h| !h.is_empty())
    });
    // Not quoted: its query may hold the broker's secret.
    let detail = "credentials_uri is not an http:// or https:// URL with a host.";
    at.check(ok, Secret::new(uri), detail)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn oidc(set: &[(&str, Value)]) -> Value {
        let mut m: std::collections::BTreeMap<String, Value> = block()
            .attributes
            .iter()
            .map(|a| (a.name.clone(), Value::Null))
            .collect();
        for (k, v) in set {
            m.insert((*k).into(), v.clone());
        }
        Value::Object(m)
    }

    const PROVIDER: &str = "acs:ram::1234567890123456:oidc-provider/github-actions";
    const ROLE: &str = "acs:ram::1234567890123456:role/auditor";

    #[test]
    fn a_good_block_gives_the_oidc_configuration() {
        let mut diags = Vec::new();
        let got = parse(
            &oidc(&[
                ("oidc_provider_arn", Value::string(PROVIDER)),
                ("role_arn", Value::string(ROLE)),
                ("oidc_token_file", Value::string("/var/run/token")),
            ]),
            &mut diags,
        );
        assert!(diags.is_empty(), "{diags:?}");
        let got = got.unwrap();
        assert_eq!(got.oidc_provider_arn, PROVIDER);
        assert_eq!(
            got.oidc_token_file.as_deref(),
            Some(std::path::Path::new("/var/run/token"))
        );
    }

    #[test]
    fn each_fault_is_reported_at_its_attribute() {
        for (set, attr) in [
            (
                vec![
                    ("oidc_provider_arn", "acs:ram::1:role/x"),
                    ("role_arn", ROLE),
                    ("oidc_token", "t"),
                ],
                "oidc_provider_arn",
            ),
            (
                vec![
                    ("oidc_provider_arn", PROVIDER),
                    ("role_arn", "nope"),
                    ("oidc_token", "t"),
                ],
                "role_arn",
            ),
            (
                vec![("oidc_provider_arn", PROVIDER), ("role_arn", ROLE)],
                "oidc_token_file",
            ),
            (
                vec![
                    ("oidc_provider_arn", PROVIDER),
                    ("role_arn", ROLE),
                    ("oidc_token", "t"),
                    ("oidc_token_file", "/f"),
                ],
                "oidc_token",
            ),
            (
                vec![
                    ("oidc_provider_arn", PROVIDER),
                    ("role_arn", ROLE),
                    ("oidc_token", "t"),
                    ("policy", "[1]"),
                ],
                "policy",
            ),
            (
                vec![
                    ("oidc_provider_arn", PROVIDER),
                    ("role_arn", ROLE),
                    ("oidc_token", "t"),
                    ("role_session_name", "a b"),
                ],
                "role_session_name",
            ),
        ] {
            let values: Vec<(&str, Value)> =
                set.iter().map(|(k, v)| (*k, Value::string(*v))).collect();
            let mut diags = Vec::new();
            parse(&oidc(&values), &mut diags);
            assert_eq!(diags.len(), 1, "{set:?}: {diags:?}");
            assert!(diags[0].detail.contains(attr), "{set:?}: {diags:?}");
        }
        let mut diags = Vec::new();
        let uri = Value::object([("credentials_uri", Value::string("ftp://x/creds"))]);
        crate::provider::schema::CREDENTIALS_URI.get(&uri, &mut diags);
        assert_eq!(diags.len(), 1);
    }
}
