//! The `assume_role_with_oidc` block and `credentials_uri`: credentials for CI and
//! Kubernetes, where an OIDC token or a local credentials endpoint stands in for a key.

use crate::actiontrail::OidcConfig;
use crate::framework::args::{self, Arg};
use crate::model::{Attribute, AttributePath, Block, Diagnostic, Type, Value};
use crate::provider::assume_role::{check_policy, session_expiration, valid_role_arn};

/// The block's schema.
pub fn block() -> Block {
    let opt = Attribute::optional;
    Block::of(
        vec![
            Attribute::required("oidc_provider_arn", Type::String, "ARN of the OIDC identity provider registered in RAM, `acs:ram::<account id>:oidc-provider/<name>`. Without the block, `ALIBABA_CLOUD_OIDC_PROVIDER_ARN`."),
            Attribute::required("role_arn", Type::String, "ARN of the RAM role to assume, `acs:ram::<account id>:role/<role name>`. Without the block, `ALIBABA_CLOUD_ROLE_ARN`."),
            opt("oidc_token", Type::String, "The OIDC token itself. Set this or `oidc_token_file`.").sensitive(),
            opt("oidc_token_file", Type::String, "File holding the OIDC token, read again at every refresh (ACK RRSA rotates it). Without the block, `ALIBABA_CLOUD_OIDC_TOKEN_FILE`."),
            opt("role_session_name", Type::String, "Session name recorded in ActionTrail (2-64 characters of letters, digits, `.`, `@`, `-`, `_`); default `terraform`. Without the block, `ALIBABA_CLOUD_ROLE_SESSION_NAME`."),
            opt("session_expiration", Type::Number, "Lifetime of the temporary credentials in seconds, 900 up to the role's maximum; default 3600."),
            opt("policy", Type::String, "A RAM policy document (JSON) that further restricts the assumed role's permissions."),
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
/// both ARNs are known.
pub fn parse(block: &Value, diags: &mut Vec<Diagnostic>) -> Option<OidcConfig> {
    let path = |name: &str| AttributePath::root("assume_role_with_oidc").attr(name);
    let mut s = |name: &str| args::string_collecting(block, name, path(name), diags);
    let provider_arn = s("oidc_provider_arn");
    let role_arn = s("role_arn");
    let token = s("oidc_token");
    let token_file = s("oidc_token_file");
    let session = s("role_session_name");
    let policy = s("policy");
    let mut out = OidcConfig {
        oidc_provider_arn: provider_arn.known().unwrap_or_default().to_owned(),
        role_arn: role_arn.known().unwrap_or_default().to_owned(),
        oidc_token: token.known().map(crate::alibaba::secret::Secret::new),
        oidc_token_file: token_file.known().map(std::path::PathBuf::from),
        role_session_name: session.known().map(str::to_owned),
        session_expiration: None,
        policy: policy.known().map(str::to_owned),
    };
    if let Arg::Known(arn) = provider_arn {
        if !valid_provider_arn(arn) {
            diags.push(args::invalid("oidc_provider_arn", &path("oidc_provider_arn"), format!("oidc_provider_arn {arn:?} is not an OIDC provider ARN: write acs:ram::<account id>:oidc-provider/<name>.")));
        }
    }
    if let Arg::Known(arn) = role_arn {
        if !valid_role_arn(arn) {
            diags.push(args::invalid("role_arn", &path("role_arn"), format!("role_arn {arn:?} is not a RAM role ARN: write acs:ram::<account id>:role/<role name>.")));
        }
    }
    match (token, token_file) {
        (Arg::Absent, Arg::Absent) => diags.push(args::invalid(
            "oidc_token_file",
            &path("oidc_token_file"),
            "set oidc_token_file (or oidc_token) to the OIDC token to exchange.",
        )),
        (Arg::Known(_), Arg::Known(_)) => diags.push(args::invalid(
            "oidc_token",
            &path("oidc_token"),
            "set oidc_token or oidc_token_file, not both.",
        )),
        _ => {}
    }
    for (name, value) in [("oidc_token", token), ("oidc_token_file", token_file)] {
        if value.known().is_some_and(|v| v.trim().is_empty()) {
            diags.push(args::invalid(
                name,
                &path(name),
                format!("{name} is empty."),
            ));
        }
    }
    if let Arg::Known(p) = policy {
        check_policy(p, &path("policy"), diags);
    }
    out.session_expiration = session_expiration(block, &path("session_expiration"), diags);
    (provider_arn.is_known_set() && role_arn.is_known_set()).then_some(out)
}

/// Checks `credentials_uri`: an `http` or `https` URL.
pub fn check_credentials_uri(uri: &str, diags: &mut Vec<Diagnostic>) {
    let ok = reqwest::Url::parse(uri.trim()).is_ok_and(|u| {
        matches!(u.scheme(), "http" | "https") && u.host_str().is_some_and(|h| !h.is_empty())
    });
    if !ok {
        diags.push(args::invalid(
            "credentials_uri",
            &AttributePath::root("credentials_uri"),
            // Not quoted: its query may hold the broker's secret.
            "credentials_uri is not an http:// or https:// URL with a host.",
        ));
    }
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
        ] {
            let values: Vec<(&str, Value)> =
                set.iter().map(|(k, v)| (*k, Value::string(*v))).collect();
            let mut diags = Vec::new();
            parse(&oidc(&values), &mut diags);
            assert_eq!(diags.len(), 1, "{set:?}: {diags:?}");
            assert!(diags[0].detail.contains(attr), "{set:?}: {diags:?}");
        }
        let mut diags = Vec::new();
        check_credentials_uri("ftp://x/creds", &mut diags);
        assert_eq!(diags.len(), 1);
    }
}
