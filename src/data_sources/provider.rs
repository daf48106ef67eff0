//! The provider block: where to call ActionTrail, with which credentials, and how
//! patiently. Its schema, its static checks, and the settings a client is built from.

use super::args::{self, Arg};
use super::duration;
use crate::alibaba::credentials::AssumeRoleConfig;
use crate::model::{
    Attribute, AttributePath, Block, Diagnostic, NestedBlock, Nesting, Schema, Type, Value,
};
use std::time::Duration;

/// The region used when neither the block nor the environment names one.
pub const DEFAULT_REGION: &str = "cn-hangzhou";
/// Retries after a throttled, failed or timed-out call, unless configured.
pub const DEFAULT_MAX_RETRIES: u32 = 5;
/// The most retries accepted: beyond that a plan would hang for minutes on an outage.
pub const MAX_RETRIES: i64 = 20;
/// Per-call timeout, unless configured.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Environment variables naming the region, in the order they are consulted.
pub const REGION_ENV: [&str; 2] = ["ALIBABA_CLOUD_REGION", "ALICLOUD_REGION"];
/// The environment variable naming the RAM endpoint.
pub const RAM_ENDPOINT_ENV: &str = "ACTIONTRAIL_RAM_ENDPOINT";
/// The most API calls in flight accepted: beyond it, throttling costs more than it saves.
pub const MAX_CONCURRENCY: i64 = 100;
/// The environment variable naming the endpoint.
pub const ENDPOINT_ENV: &str = "ACTIONTRAIL_ENDPOINT";

/// The provider block's description, also the lead paragraph of its docs.
pub const DESCRIPTION: &str = "Reads Alibaba Cloud ActionTrail's record of when, where and for what each AccessKey was last used, so that a plan can audit keys and refuse to retire one that is still in use.";

fn opt(name: &str, ty: Type, description: &str) -> Attribute {
    Attribute::optional(name, ty, description)
}

/// The provider block's schema.
pub fn schema() -> Schema {
    let assume_role = Block {
        attributes: vec![
            Attribute::required("role_arn", Type::String, "ARN of the RAM role to assume, `acs:ram::<account id>:role/<role name>`."),
            opt("session_name", Type::String, "Session name recorded in ActionTrail for the assumed role (2-64 characters of letters, digits, `.`, `@`, `-`, `_`); default `terraform`."),
            opt("policy", Type::String, "A RAM policy document (JSON) that further restricts the assumed role's permissions."),
            opt("session_expiration", Type::Number, "Lifetime of the temporary credentials in seconds, 900 to 43200; default 3600."),
            opt("external_id", Type::String, "External ID the role's trust policy requires, if any."),
        ],
        block_types: vec![],
        description: "Assume a RAM role through STS AssumeRole, signing with the credentials found otherwise, and call ActionTrail as that role.".to_owned(),
        deprecated: false,
    };
    Schema {
        version: 0,
        block: Block {
            attributes: vec![
                opt("access_key", Type::String, "AccessKey ID to sign with. Also `ALIBABA_CLOUD_ACCESS_KEY_ID` or `ALICLOUD_ACCESS_KEY`.").sensitive(),
                opt("secret_key", Type::String, "AccessKey secret to sign with. Also `ALIBABA_CLOUD_ACCESS_KEY_SECRET` or `ALICLOUD_SECRET_KEY`.").sensitive(),
                opt("security_token", Type::String, "STS security token, for temporary credentials. Also `ALIBABA_CLOUD_SECURITY_TOKEN` or `ALICLOUD_SECURITY_TOKEN`.").sensitive(),
                opt("region", Type::String, "Region whose ActionTrail endpoint to call, e.g. `cn-hangzhou`. Also `ALIBABA_CLOUD_REGION` or `ALICLOUD_REGION`; default `cn-hangzhou`."),
                opt("endpoint", Type::String, "ActionTrail endpoint to call instead of `actiontrail.<region>.aliyuncs.com`: a host, `host:port` or URL (`http://` implies protocol HTTP). Also `ACTIONTRAIL_ENDPOINT`."),
                opt("protocol", Type::String, "`HTTPS` (default) or `HTTP`."),
                opt("signature_algorithm", Type::String, "`HMAC-SHA1` (default, RPC signature version 1.0) or `ACS3-HMAC-SHA256`."),
                opt("max_retries", Type::Number, "Retries, with backoff, of throttled, failed (5xx) or timed-out calls, 0 to 20; default 5."),
                opt("timeout", Type::String, "Timeout of each API call, a duration such as `30s` or `2m`; default `30s`."),
                opt("profile", Type::String, "Profile of the aliyun CLI's config file to take credentials from. Also `ALIBABA_CLOUD_PROFILE` or `ALICLOUD_PROFILE`."),
                opt("shared_credentials_file", Type::String, "Path of the aliyun CLI's config file; default `~/.aliyun/config.json`."),
                opt("credentials_file", Type::String, "Path of the INI credentials file; default `~/.alibabacloud/credentials`. Also `ALIBABA_CLOUD_CREDENTIALS_FILE`."),
                opt("ecs_role_name", Type::String, "RAM role attached to this ECS instance, whose credentials the instance metadata service hands out. Also `ALIBABA_CLOUD_ECS_METADATA`."),
                opt("ecs_metadata_endpoint", Type::String, "Instance metadata service to ask for the ECS role's credentials instead of `http://100.100.100.200`."),
                opt("sts_endpoint", Type::String, "STS endpoint assume_role calls instead of `sts.aliyuncs.com`."),
                opt("ram_endpoint", Type::String, "RAM endpoint `actiontrail_accesskeys` lists users and keys at (ListUsers, ListAccessKeys) instead of `ram.aliyuncs.com`. Also `ACTIONTRAIL_RAM_ENDPOINT`."),
                opt("max_concurrency", Type::Number, "The most API calls in flight at once, over every data source, 1 to 100; default 10 (Terraform's own parallelism)."),
            ],
            block_types: vec![NestedBlock {
                type_name: "assume_role".to_owned(),
                block: assume_role,
                nesting: Nesting::Single,
                min_items: 0,
                max_items: 1,
            }],
            description: DESCRIPTION.to_owned(),
            deprecated: false,
        },
    }
}

/// `HTTPS` or `HTTP`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheme {
    /// TLS, the default.
    Https,
    /// Plain HTTP, for emulators and proxies.
    Http,
}

/// How requests are signed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signing {
    /// RPC HMAC-SHA1 (signature version 1.0).
    HmacSha1,
    /// ACS3-HMAC-SHA256.
    Acs3HmacSha256,
}

/// Everything the provider block (and the environment) says, checked. Secrets are kept
/// out of `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct Settings {
    /// Region.
    pub region: String,
    /// Endpoint override, as written (a trailing `/` removed).
    pub endpoint: Option<String>,
    /// Protocol.
    pub scheme: Scheme,
    /// Signature algorithm.
    pub signing: Signing,
    /// Retry budget.
    pub max_retries: u32,
    /// Per-call timeout.
    pub timeout: Duration,
    /// Static AccessKey ID.
    pub access_key: Option<String>,
    /// Static secret.
    pub secret_key: Option<String>,
    /// STS token.
    pub security_token: Option<String>,
    /// aliyun CLI profile.
    pub profile: Option<String>,
    /// aliyun CLI config file.
    pub shared_credentials_file: Option<String>,
    /// INI credentials file.
    pub credentials_file: Option<String>,
    /// ECS RAM role.
    pub ecs_role_name: Option<String>,
    /// Metadata service override.
    pub ecs_metadata_endpoint: Option<String>,
    /// STS endpoint override.
    pub sts_endpoint: Option<String>,
    /// RAM endpoint override.
    pub ram_endpoint: Option<String>,
    /// Calls in flight at once.
    pub max_concurrency: usize,
    /// Role to assume.
    pub assume_role: Option<AssumeRoleConfig>,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("region", &self.region)
            .field("endpoint", &self.endpoint)
            .field("scheme", &self.scheme)
            .field("signing", &self.signing)
            .field("max_retries", &self.max_retries)
            .field("timeout", &self.timeout)
            .field("access_key", &self.access_key.as_ref().map(|_| "(set)"))
            .field("secret_key", &self.secret_key.as_ref().map(|_| "(set)"))
            .field(
                "security_token",
                &self.security_token.as_ref().map(|_| "(set)"),
            )
            .field("profile", &self.profile)
            .field(
                "assume_role",
                &self.assume_role.as_ref().map(|r| &r.role_arn),
            )
            .field("ecs_role_name", &self.ecs_role_name)
            .finish_non_exhaustive()
    }
}

fn root(name: &str) -> AttributePath {
    AttributePath::root(name)
}

/// Whether `region` looks like a region id: `cn-hangzhou`, `ap-southeast-1`, `us-west-1`.
pub fn valid_region(region: &str) -> bool {
    let Some((area, rest)) = region.split_once('-') else {
        return false;
    };
    area.len() >= 2
        && area.bytes().all(|b| b.is_ascii_lowercase())
        && !rest.is_empty()
        && rest
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// An endpoint as written: `host`, `host:port`, or an `http(s)://` URL with no path.
/// Returns the scheme the URL names, if it names one.
pub fn parse_endpoint(text: &str) -> Result<Option<Scheme>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("is empty".to_owned());
    }
    let (scheme, url_text) = match text.split_once("://") {
        Some(("http", _)) => (Some(Scheme::Http), text.to_owned()),
        Some(("https", _)) => (Some(Scheme::Https), text.to_owned()),
        Some((other, _)) => {
            return Err(format!(
                "has scheme {other:?}; only http:// and https:// are possible"
            ))
        }
        None => (None, format!("https://{text}")),
    };
    let url = reqwest::Url::parse(&url_text)
        .map_err(|e| format!("{text:?} is not a host, host:port or URL: {e}"))?;
    if url.host_str().is_none_or(str::is_empty) {
        return Err(format!("{text:?} names no host"));
    }
    if url.path() != "/"
        || url.query().is_some()
        || url.fragment().is_some()
        || !url.username().is_empty()
    {
        return Err(format!(
            "{text:?} has a path, query or user; give only scheme, host and port"
        ));
    }
    Ok(scheme)
}

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

fn parse_protocol(text: &str) -> Option<Scheme> {
    match text.to_ascii_uppercase().as_str() {
        "HTTPS" => Some(Scheme::Https),
        "HTTP" => Some(Scheme::Http),
        _ => None,
    }
}

fn parse_signing(text: &str) -> Option<Signing> {
    match text.to_ascii_uppercase().as_str() {
        "HMAC-SHA1" => Some(Signing::HmacSha1),
        "ACS3-HMAC-SHA256" => Some(Signing::Acs3HmacSha256),
        _ => None,
    }
}

/// A string argument, collecting a diagnostic when Terraform sent something else.
fn string_arg<'a>(
    config: &'a Value,
    name: &str,
    path: AttributePath,
    diags: &mut Vec<Diagnostic>,
) -> Arg<&'a str> {
    match args::string(config, name, &path) {
        Ok(a) => a,
        Err(d) => {
            diags.push(d);
            Arg::Unknown
        }
    }
}

/// Checks the provider block. Unknown values pass and do not count as set.
pub fn validate(config: &Value) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let mut s = |name: &str| string_arg(config, name, root(name), &mut diags);
    let access_key = s("access_key");
    let secret_key = s("secret_key");
    let security_token = s("security_token");
    let region = s("region");
    let endpoint = s("endpoint");
    let protocol = s("protocol");
    let signing = s("signature_algorithm");
    let timeout = s("timeout");
    let others = [
        ("profile", s("profile")),
        ("shared_credentials_file", s("shared_credentials_file")),
        ("credentials_file", s("credentials_file")),
        ("ecs_role_name", s("ecs_role_name")),
    ];
    let metadata = s("ecs_metadata_endpoint");
    let sts = s("sts_endpoint");
    let ram = s("ram_endpoint");

    for (name, value) in [
        ("access_key", access_key),
        ("secret_key", secret_key),
        ("security_token", security_token),
    ] {
        if value.known().is_some_and(|v| v.trim().is_empty()) {
            diags.push(args::invalid(
                name,
                &root(name),
                format!("{name} is empty; remove it to take credentials from elsewhere."),
            ));
        }
    }
    for (name, value) in others {
        if value.known().is_some_and(|v| v.trim().is_empty()) {
            diags.push(args::invalid(
                name,
                &root(name),
                format!("{name} is empty; remove it or name something."),
            ));
        }
    }
    // A half-configured static key is a mistake, not a request to look elsewhere. Only a
    // known value counts as set, and only a null as missing: an unknown may be either.
    if access_key.is_known_set() && secret_key == Arg::Absent {
        diags.push(args::invalid("access_key", &root("access_key"), "access_key is set but secret_key is not: set both (for example from variables), or neither to use the environment, a profile, an ECS role or assume_role."));
    }
    if secret_key.is_known_set() && access_key == Arg::Absent {
        diags.push(args::invalid(
            "secret_key",
            &root("secret_key"),
            "secret_key is set but access_key is not: set both, or neither.",
        ));
    }
    if security_token.is_known_set() && (access_key == Arg::Absent || secret_key == Arg::Absent) {
        diags.push(args::invalid("security_token", &root("security_token"), "security_token belongs to temporary credentials: set access_key and secret_key with it (the STS AccessKey ID and secret)."));
    }
    if let Arg::Known(r) = region {
        if !valid_region(r) {
            diags.push(args::invalid("region", &root("region"), format!("region {r:?} is not a region ID: write one such as \"cn-hangzhou\" or \"ap-southeast-1\" (lower case letters, digits and dashes).")));
        }
    }
    let mut endpoint_scheme = None;
    for (name, value) in [
        ("endpoint", endpoint),
        ("ecs_metadata_endpoint", metadata),
        ("sts_endpoint", sts),
        ("ram_endpoint", ram),
    ] {
        if let Arg::Known(e) = value {
            match parse_endpoint(e) {
                Ok(scheme) if name == "endpoint" => endpoint_scheme = scheme,
                Ok(_) => {}
                Err(why) => diags.push(args::invalid(name, &root(name), format!("{name} {why}."))),
            }
        }
    }
    if let Arg::Known(p) = protocol {
        match parse_protocol(p) {
            None => diags.push(args::invalid(
                "protocol",
                &root("protocol"),
                format!("protocol {p:?} is neither \"HTTPS\" nor \"HTTP\"."),
            )),
            Some(scheme) => {
                if endpoint_scheme.is_some_and(|e| e != scheme) {
                    diags.push(args::invalid(
                        "protocol",
                        &root("protocol"),
                        format!(
                            "protocol {p:?} contradicts the scheme of endpoint; drop one of them."
                        ),
                    ));
                }
            }
        }
    }
    if let Arg::Known(a) = signing {
        if parse_signing(a).is_none() {
            diags.push(args::invalid(
                "signature_algorithm",
                &root("signature_algorithm"),
                format!(
                    "signature_algorithm {a:?} is neither \"HMAC-SHA1\" nor \"ACS3-HMAC-SHA256\"."
                ),
            ));
        }
    }
    if let Arg::Known(t) = timeout {
        if let Err(e) = duration::parse_timeout(t) {
            diags.push(args::invalid(
                "timeout",
                &root("timeout"),
                format!("timeout {e}."),
            ));
        }
    }
    match args::whole_number(config, "max_retries", &root("max_retries")) {
        Ok(Arg::Known(n)) if !(0..=MAX_RETRIES).contains(&n) => {
            diags.push(args::invalid(
                "max_retries",
                &root("max_retries"),
                format!("max_retries must be between 0 and {MAX_RETRIES}, not {n}."),
            ));
        }
        Ok(_) => {}
        Err(d) => diags.push(d),
    }
    match args::whole_number(config, "max_concurrency", &root("max_concurrency")) {
        Ok(Arg::Known(n)) if !(1..=MAX_CONCURRENCY).contains(&n) => {
            diags.push(args::invalid(
                "max_concurrency",
                &root("max_concurrency"),
                format!("max_concurrency must be between 1 and {MAX_CONCURRENCY}, not {n}."),
            ));
        }
        Ok(_) => {}
        Err(d) => diags.push(d),
    }
    if let Arg::Known(block) = args::block(config, "assume_role") {
        validate_assume_role(block, &mut diags);
    }
    diags
}

fn validate_assume_role(block: &Value, diags: &mut Vec<Diagnostic>) {
    let path = |name: &str| root("assume_role").attr(name);
    let arn = string_arg(block, "role_arn", path("role_arn"), diags);
    if let Arg::Known(arn) = arn {
        if !valid_role_arn(arn) {
            diags.push(args::invalid("role_arn", &path("role_arn"), format!("role_arn {arn:?} is not a RAM role ARN: write acs:ram::<account id>:role/<role name>, e.g. \"acs:ram::1234567890123456:role/auditor\".")));
        }
    }
    if let Arg::Known(name) = string_arg(block, "session_name", path("session_name"), diags) {
        if !valid_session_name(name) {
            diags.push(args::invalid(
                "session_name",
                &path("session_name"),
                format!("session_name {name:?} must be 2 to 64 letters, digits or . @ - _."),
            ));
        }
    }
    if let Arg::Known(policy) = string_arg(block, "policy", path("policy"), diags) {
        if !serde_json::from_str::<serde_json::Value>(policy).is_ok_and(|v| v.is_object()) {
            diags.push(args::invalid(
                "policy",
                &path("policy"),
                "policy must be a RAM policy document, a JSON object (jsonencode() writes one).",
            ));
        }
    }
    if let Arg::Known(id) = string_arg(block, "external_id", path("external_id"), diags) {
        if id.trim().is_empty() {
            diags.push(args::invalid(
                "external_id",
                &path("external_id"),
                "external_id is empty; remove it when the role needs none.",
            ));
        }
    }
    match args::whole_number(block, "session_expiration", &path("session_expiration")) {
        Ok(Arg::Known(n)) if !(900..=43_200).contains(&n) => {
            diags.push(args::invalid(
                "session_expiration",
                &path("session_expiration"),
                format!("session_expiration must be between 900 and 43200 seconds, not {n}."),
            ));
        }
        Ok(_) => {}
        Err(d) => diags.push(d),
    }
}

fn known_string(config: &Value, name: &str) -> Option<String> {
    config.get(name).and_then(Value::as_str).map(str::to_owned)
}

impl Settings {
    /// Reads a wholly known provider block, falling back to the environment (`env`) for
    /// region and endpoint. Fails with the same diagnostics as [`validate`], or with one
    /// about an environment variable.
    pub fn from_config(
        config: &Value,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Settings, Vec<Diagnostic>> {
        let diags = validate(config);
        if crate::model::diag::has_errors(&diags) {
            return Err(diags);
        }
        let mut errors = Vec::new();
        let region = match known_string(config, "region") {
            Some(r) => r,
            None => match REGION_ENV
                .iter()
                .find_map(|name| env(name).filter(|v| !v.is_empty()).map(|v| (name, v)))
            {
                Some((_, r)) if valid_region(&r) => r,
                Some((name, r)) => {
                    errors.push(Diagnostic::error(
                        "Invalid region in the environment",
                        format!("{name}={r:?} is not a region ID such as \"cn-hangzhou\"."),
                    ));
                    DEFAULT_REGION.to_owned()
                }
                None => DEFAULT_REGION.to_owned(),
            },
        };
        let endpoint = known_string(config, "endpoint")
            .or_else(|| env(ENDPOINT_ENV).filter(|v| !v.trim().is_empty()));
        let mut scheme = known_string(config, "protocol")
            .and_then(|p| parse_protocol(&p))
            .unwrap_or(Scheme::Https);
        if let Some(e) = &endpoint {
            match parse_endpoint(e) {
                Ok(Some(s)) => scheme = s,
                Ok(None) => {}
                Err(why) => errors.push(Diagnostic::error(
                    "Invalid endpoint in the environment",
                    format!("{ENDPOINT_ENV} {why}."),
                )),
            }
        }
        let signing = known_string(config, "signature_algorithm")
            .and_then(|a| parse_signing(&a))
            .unwrap_or(Signing::HmacSha1);
        let max_retries = config
            .get("max_retries")
            .and_then(Value::as_number)
            .and_then(crate::model::Number::as_i64)
            .and_then(|n| u32::try_from(n).ok())
            .unwrap_or(DEFAULT_MAX_RETRIES);
        let timeout = known_string(config, "timeout")
            .and_then(|t| duration::parse_timeout(&t).ok())
            .unwrap_or(DEFAULT_TIMEOUT);
        let assume_role = config
            .get("assume_role")
            .filter(|v| !v.is_null())
            .and_then(|b| {
                Some(AssumeRoleConfig {
                    role_arn: known_string(b, "role_arn")?,
                    session_name: known_string(b, "session_name"),
                    policy: known_string(b, "policy"),
                    session_expiration: b
                        .get("session_expiration")
                        .and_then(Value::as_number)
                        .and_then(crate::model::Number::as_i64)
                        .and_then(|n| u32::try_from(n).ok()),
                    external_id: known_string(b, "external_id"),
                })
            });
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Settings {
            region,
            endpoint: endpoint.map(|e| e.trim().trim_end_matches('/').to_owned()),
            scheme,
            signing,
            max_retries,
            timeout,
            access_key: known_string(config, "access_key"),
            secret_key: known_string(config, "secret_key"),
            security_token: known_string(config, "security_token"),
            profile: known_string(config, "profile"),
            shared_credentials_file: known_string(config, "shared_credentials_file"),
            credentials_file: known_string(config, "credentials_file"),
            ecs_role_name: known_string(config, "ecs_role_name"),
            ecs_metadata_endpoint: known_string(config, "ecs_metadata_endpoint")
                .map(|e| e.trim_end_matches('/').to_owned()),
            sts_endpoint: known_string(config, "sts_endpoint")
                .map(|e| e.trim_end_matches('/').to_owned()),
            ram_endpoint: known_string(config, "ram_endpoint")
                .or_else(|| env(RAM_ENDPOINT_ENV).filter(|v| !v.trim().is_empty()))
                .map(|e| e.trim().trim_end_matches('/').to_owned()),
            max_concurrency: config
                .get("max_concurrency")
                .and_then(Value::as_number)
                .and_then(crate::model::Number::as_i64)
                .and_then(|n| usize::try_from(n).ok())
                .unwrap_or(crate::actiontrail::DEFAULT_MAX_CONCURRENCY),
            assume_role,
        })
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::model::PathStep;

    /// A provider block with every attribute null but those given.
    pub(crate) fn block(set: &[(&str, Value)]) -> Value {
        let mut m: std::collections::BTreeMap<String, Value> = schema()
            .block
            .attributes
            .iter()
            .map(|a| (a.name.clone(), Value::Null))
            .collect();
        m.insert("assume_role".into(), Value::Null);
        for (k, v) in set {
            m.insert((*k).into(), v.clone());
        }
        Value::Object(m)
    }

    fn role(set: &[(&str, Value)]) -> Value {
        let mut m: std::collections::BTreeMap<String, Value> = [
            "role_arn",
            "session_name",
            "policy",
            "session_expiration",
            "external_id",
        ]
        .iter()
        .map(|n| ((*n).to_owned(), Value::Null))
        .collect();
        for (k, v) in set {
            m.insert((*k).into(), v.clone());
        }
        Value::Object(m)
    }

    fn paths(diags: &[Diagnostic]) -> Vec<Vec<PathStep>> {
        diags
            .iter()
            .map(|d| d.attribute.clone().unwrap_or_default().0)
            .collect()
    }

    fn at(names: &[&str]) -> Vec<PathStep> {
        names
            .iter()
            .map(|n| PathStep::Attribute((*n).to_owned()))
            .collect()
    }

    #[test]
    fn secrets_are_sensitive_and_everything_is_described() {
        let s = schema();
        for name in ["access_key", "secret_key", "security_token"] {
            assert!(s.block.attribute(name).unwrap().sensitive, "{name}");
        }
        for a in &s.block.attributes {
            assert!(!a.description.is_empty() && a.optional, "{}", a.name);
        }
    }

    #[test]
    fn an_empty_block_is_valid() {
        assert_eq!(validate(&block(&[])), vec![]);
    }

    #[test]
    fn each_bad_argument_is_reported_at_its_path() {
        let cases: Vec<(Value, Vec<PathStep>)> = vec![
            (
                block(&[("region", Value::string("Hangzhou!"))]),
                at(&["region"]),
            ),
            (
                block(&[("endpoint", Value::string("ftp://x"))]),
                at(&["endpoint"]),
            ),
            (
                block(&[("endpoint", Value::string("http://x/path"))]),
                at(&["endpoint"]),
            ),
            (
                block(&[("protocol", Value::string("gopher"))]),
                at(&["protocol"]),
            ),
            (
                block(&[("signature_algorithm", Value::string("md5"))]),
                at(&["signature_algorithm"]),
            ),
            (
                block(&[("max_retries", Value::int(21))]),
                at(&["max_retries"]),
            ),
            (
                block(&[("max_retries", Value::int(-1))]),
                at(&["max_retries"]),
            ),
            (
                block(&[("timeout", Value::string("soon"))]),
                at(&["timeout"]),
            ),
            (
                block(&[("ram_endpoint", Value::string("ftp://ram"))]),
                at(&["ram_endpoint"]),
            ),
            (
                block(&[("max_concurrency", Value::int(0))]),
                at(&["max_concurrency"]),
            ),
            (
                block(&[("access_key", Value::string("LTAI5tX"))]),
                at(&["access_key"]),
            ),
            (
                block(&[("secret_key", Value::string("s"))]),
                at(&["secret_key"]),
            ),
            (
                block(&[
                    ("access_key", Value::string("a")),
                    ("secret_key", Value::string("b")),
                    ("security_token", Value::string("")),
                ]),
                at(&["security_token"]),
            ),
            (
                block(&[
                    ("endpoint", Value::string("https://a")),
                    ("protocol", Value::string("HTTP")),
                ]),
                at(&["protocol"]),
            ),
            (
                block(&[(
                    "assume_role",
                    role(&[("role_arn", Value::string("arn:aws:iam::1:role/x"))]),
                )]),
                at(&["assume_role", "role_arn"]),
            ),
            (
                block(&[(
                    "assume_role",
                    role(&[
                        ("role_arn", Value::string("acs:ram::1:role/x")),
                        ("session_expiration", Value::int(60)),
                    ]),
                )]),
                at(&["assume_role", "session_expiration"]),
            ),
            (
                block(&[(
                    "assume_role",
                    role(&[
                        ("role_arn", Value::string("acs:ram::1:role/x")),
                        ("policy", Value::string("not json")),
                    ]),
                )]),
                at(&["assume_role", "policy"]),
            ),
            (
                block(&[(
                    "assume_role",
                    role(&[
                        ("role_arn", Value::string("acs:ram::1:role/x")),
                        ("session_name", Value::string("a b")),
                    ]),
                )]),
                at(&["assume_role", "session_name"]),
            ),
        ];
        for (config, want) in cases {
            let diags = validate(&config);
            assert_eq!(paths(&diags), vec![want.clone()], "{want:?}: {diags:?}");
        }
    }

    #[test]
    fn a_token_without_the_key_pair_is_refused() {
        let diags = validate(&block(&[("security_token", Value::string("t"))]));
        assert_eq!(paths(&diags), vec![at(&["security_token"])]);
    }

    #[test]
    fn good_values_pass() {
        let config = block(&[
            ("access_key", Value::string("LTAI5tDemo")),
            ("secret_key", Value::string("secret")),
            ("security_token", Value::string("token")),
            ("region", Value::string("ap-southeast-1")),
            ("endpoint", Value::string("http://127.0.0.1:8080/")),
            ("protocol", Value::string("http")),
            ("signature_algorithm", Value::string("ACS3-HMAC-SHA256")),
            ("max_retries", Value::int(0)),
            ("timeout", Value::string("1m 30s")),
            (
                "assume_role",
                role(&[
                    (
                        "role_arn",
                        Value::string("acs:ram::1234567890123456:role/auditor"),
                    ),
                    ("session_expiration", Value::int(3600)),
                    ("policy", Value::string("{\"Version\":\"1\"}")),
                ]),
            ),
        ]);
        assert_eq!(validate(&config), vec![]);
    }

    #[test]
    fn unknown_values_are_accepted_and_do_not_count_as_set() {
        // An unknown access_key with no secret_key: it may turn out null, so no conflict.
        assert_eq!(validate(&block(&[("access_key", Value::Unknown)])), vec![]);
        // A known access_key whose secret is unknown: it may turn out set.
        assert_eq!(
            validate(&block(&[
                ("access_key", Value::string("LTAI5t")),
                ("secret_key", Value::Unknown)
            ])),
            vec![]
        );
        assert_eq!(
            validate(&block(&[("security_token", Value::Unknown)])),
            vec![]
        );
        assert_eq!(
            validate(&block(&[
                ("security_token", Value::string("t")),
                ("access_key", Value::Unknown),
                ("secret_key", Value::Unknown)
            ])),
            vec![]
        );
        for name in [
            "region",
            "endpoint",
            "protocol",
            "signature_algorithm",
            "max_retries",
            "timeout",
        ] {
            assert_eq!(
                validate(&block(&[(name, Value::Unknown)])),
                vec![],
                "{name}"
            );
        }
        assert_eq!(validate(&block(&[("assume_role", Value::Unknown)])), vec![]);
        assert_eq!(
            validate(&block(&[(
                "assume_role",
                role(&[
                    ("role_arn", Value::Unknown),
                    ("session_expiration", Value::Unknown)
                ])
            )])),
            vec![]
        );
    }

    #[test]
    fn region_ids_follow_the_alibaba_shape() {
        for good in [
            "cn-hangzhou",
            "ap-southeast-1",
            "us-west-1",
            "cn-shanghai-finance-1",
        ] {
            assert!(valid_region(good), "{good}");
        }
        for bad in [
            "Hangzhou!",
            "cn",
            "c-hangzhou",
            "cn-",
            "CN-HANGZHOU",
            "cn hangzhou",
            "",
        ] {
            assert!(!valid_region(bad), "{bad}");
        }
    }

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

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn settings_default_to_hangzhou_https_sha1_five_retries_thirty_seconds() {
        let s = Settings::from_config(&block(&[]), &no_env).unwrap();
        assert_eq!(s.region, DEFAULT_REGION);
        assert_eq!(s.endpoint, None);
        assert_eq!(s.scheme, Scheme::Https);
        assert_eq!(s.signing, Signing::HmacSha1);
        assert_eq!(s.max_retries, DEFAULT_MAX_RETRIES);
        assert_eq!(s.timeout, DEFAULT_TIMEOUT);
        assert_eq!(s.assume_role, None);
    }

    #[test]
    fn the_environment_supplies_region_and_an_http_endpoint() {
        let env = |name: &str| match name {
            "ALICLOUD_REGION" => Some("cn-beijing".to_owned()),
            "ACTIONTRAIL_ENDPOINT" => Some("http://127.0.0.1:4000/".to_owned()),
            _ => None,
        };
        let s = Settings::from_config(&block(&[]), &env).unwrap();
        assert_eq!(s.region, "cn-beijing");
        assert_eq!(s.endpoint.as_deref(), Some("http://127.0.0.1:4000"));
        assert_eq!(s.scheme, Scheme::Http);
        // The block wins over the environment.
        let s = Settings::from_config(&block(&[("region", Value::string("eu-central-1"))]), &env)
            .unwrap();
        assert_eq!(s.region, "eu-central-1");
    }

    #[test]
    fn a_bad_region_in_the_environment_is_an_error_naming_the_variable() {
        let env = |name: &str| (name == "ALIBABA_CLOUD_REGION").then(|| "nowhere".to_owned());
        let errs = Settings::from_config(&block(&[]), &env).unwrap_err();
        assert!(errs[0].detail.contains("ALIBABA_CLOUD_REGION"));
    }

    #[test]
    fn debug_output_hides_secrets() {
        let s = Settings::from_config(
            &block(&[
                ("access_key", Value::string("LTAI5tKEY")),
                ("secret_key", Value::string("hunter2-secret")),
            ]),
            &no_env,
        )
        .unwrap();
        let text = format!("{s:?}");
        assert!(
            !text.contains("hunter2-secret") && !text.contains("LTAI5tKEY"),
            "{text}"
        );
    }
}
