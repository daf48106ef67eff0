//! The provider block's arguments, each declared once with its description and its check:
//! with which credentials to call ActionTrail, and how patiently (where to call is in
//! `endpoints.rs`, the role blocks in `assume_role.rs` and `oidc.rs`). Its schema lists
//! these declarations, and [`crate::provider::validate::parse`] reads them; the checks
//! across arguments (a key without its secret, a protocol against the endpoint's scheme)
//! are made there.

use crate::actiontrail::{Protocol, SignatureAlgorithm};
use crate::alibaba::secret::Secret;
use crate::framework::args::{Argument, Reads};
use crate::model::{Block, NestedBlock, Schema};
use crate::provider::bounds::within;
use crate::provider::endpoints::{
    ECS_METADATA_ENDPOINT, ENDPOINT, RAM_ENDPOINT, RESOURCEMANAGER_ENDPOINT, STS_ENDPOINT,
};
use crate::provider::{assume_role, endpoints, oidc};
use crate::usage::duration;
use std::path::PathBuf;
use std::time::Duration;

/// The provider block's description, also the lead paragraph of its docs.
pub const DESCRIPTION: &str = "Reads Alibaba Cloud ActionTrail's record of when, where and for what each AccessKey was last used, so that a plan can audit keys and refuse to retire one that is still in use.";

/// The most retries accepted: beyond that a plan would hang for minutes on an outage.
pub const MOST_RETRIES: i64 = 20;
/// The most API calls in flight accepted: beyond it, throttling costs more than it saves.
pub const MOST_CONCURRENCY: i64 = 100;
/// The highest `max_requests_per_second` accepted: far above any API quota, so a value
/// past it is a typo, not a plan.
pub const MOST_REQUESTS_PER_SECOND: f64 = 10_000.0;

// Secrets become `Secret`s, and so known to the scrubber, as soon as their check takes
// them; none of their checks quotes the value it refuses.

/// `access_key`.
pub const ACCESS_KEY: Argument<String> = Argument::new(
    "access_key",
    "AccessKey ID to sign with. Also `ALIBABA_CLOUD_ACCESS_KEY_ID` or `ALICLOUD_ACCESS_KEY`.",
    Reads::Text(|s, at| at.filled(s, KEY_PART).map(str::to_owned)),
)
.sensitive();
/// `secret_key`.
pub const SECRET_KEY: Argument<Secret> = Argument::new(
    "secret_key",
    "AccessKey secret to sign with. Also `ALIBABA_CLOUD_ACCESS_KEY_SECRET` or `ALICLOUD_SECRET_KEY`.",
    Reads::Text(|s, at| at.filled(s, KEY_PART).map(Secret::new)),
)
.sensitive();
/// `security_token`.
pub const SECURITY_TOKEN: Argument<Secret> = Argument::new(
    "security_token",
    "STS security token, for temporary credentials. Also `ALIBABA_CLOUD_SECURITY_TOKEN` or `ALICLOUD_SECURITY_TOKEN`.",
    Reads::Text(|s, at| at.filled(s, KEY_PART).map(Secret::new)),
)
.sensitive();
/// `region`.
pub const REGION: Argument<String> = Argument::new(
    "region",
    "Region whose ActionTrail endpoint to call, e.g. `cn-hangzhou`. Also `ALIBABA_CLOUD_REGION` or `ALICLOUD_REGION`; default `cn-hangzhou`.",
    Reads::Text(|r, at| {
        at.check(valid_region(r), r.to_owned(), format!("region {r:?} is not a region ID: write one such as \"cn-hangzhou\" or \"ap-southeast-1\" (lower case letters, digits and dashes)."))
    }),
);
/// `protocol`.
pub const PROTOCOL: Argument<Protocol> = Argument::new(
    "protocol",
    "`HTTPS` (default) or `HTTP`.",
    Reads::Text(|p, at| match p.to_ascii_uppercase().as_str() {
        "HTTPS" => Some(Protocol::Https),
        "HTTP" => Some(Protocol::Http),
        _ => at.invalid(format!("protocol {p:?} is neither \"HTTPS\" nor \"HTTP\".")),
    }),
);
/// `signature_algorithm`.
pub const SIGNATURE_ALGORITHM: Argument<SignatureAlgorithm> = Argument::new(
    "signature_algorithm",
    "`HMAC-SHA1` (default, RPC signature version 1.0) or `ACS3-HMAC-SHA256`.",
    Reads::Text(|a, at| match a.to_ascii_uppercase().as_str() {
        "HMAC-SHA1" => Some(SignatureAlgorithm::HmacSha1),
        "ACS3-HMAC-SHA256" => Some(SignatureAlgorithm::Acs3HmacSha256),
        _ => at.invalid(format!(
            "signature_algorithm {a:?} is neither \"HMAC-SHA1\" nor \"ACS3-HMAC-SHA256\"."
        )),
    }),
);
/// `max_retries`.
pub const MAX_RETRIES: Argument<u32> = Argument::new(
    "max_retries",
    "Retries, with backoff, of throttled, failed (5xx) or timed-out calls, 0 to 20; default 5.",
    Reads::Whole(|n, at| within(n, 0..=MOST_RETRIES, "", at)),
);
/// `timeout`.
pub const TIMEOUT: Argument<Duration> = Argument::new(
    "timeout",
    "Timeout of each API call, a duration such as `30s` or `2m`; default `30s`.",
    Reads::Text(|t, at| match duration::parse_timeout(t) {
        Ok(t) => Some(t),
        Err(e) => at.invalid(format!("timeout {e}.")),
    }),
);
/// `profile`.
pub const PROFILE: Argument<String> = Argument::new(
    "profile",
    "Profile of the aliyun CLI's config file to take credentials from. Also `ALIBABA_CLOUD_PROFILE` or `ALICLOUD_PROFILE`.",
    Reads::Text(|s, at| at.filled(s, NAMED).map(str::to_owned)),
);
/// `shared_credentials_file`.
pub const SHARED_CREDENTIALS_FILE: Argument<PathBuf> = Argument::new(
    "shared_credentials_file",
    "Path of the aliyun CLI's config file; default `~/.aliyun/config.json`.",
    Reads::Text(|s, at| at.filled(s, NAMED).map(PathBuf::from)),
);
/// `credentials_file`.
pub const CREDENTIALS_FILE: Argument<PathBuf> = Argument::new(
    "credentials_file",
    "Path of the INI credentials file; default `~/.alibabacloud/credentials`, then `~/.alibabacloud/credentials.ini`. Also `ALIBABA_CLOUD_CREDENTIALS_FILE` (INI, or the aliyun CLI's JSON, told apart by content).",
    Reads::Text(|s, at| at.filled(s, NAMED).map(PathBuf::from)),
);
/// `ecs_role_name`.
pub const ECS_ROLE_NAME: Argument<String> = Argument::new(
    "ecs_role_name",
    "RAM role attached to this ECS instance, whose credentials the instance metadata service hands out. Also `ALIBABA_CLOUD_ECS_METADATA`.",
    Reads::Text(|s, at| at.filled(s, NAMED).map(str::to_owned)),
);
/// `credentials_uri`.
pub const CREDENTIALS_URI: Argument<Secret> = Argument::new(
    "credentials_uri",
    "A local endpoint whose `GET` answers temporary credentials as `{Code, AccessKeyId, AccessKeySecret, SecurityToken, Expiration}`. Also `ALIBABA_CLOUD_CREDENTIALS_URI`. Sensitive: its query may hold the broker's secret, so messages and logs show only scheme, host and path.",
    Reads::Text(oidc::credentials_uri),
)
.sensitive();
/// `insecure_http`.
pub const INSECURE_HTTP: Argument<bool> = Argument::new(
    "insecure_http",
    "For emulators and test rigs only: allow plain HTTP to hosts other than loopback for `endpoint`, `protocol`, `ram_endpoint`, `resourcemanager_endpoint`, `sts_endpoint` (and `ALIBABA_CLOUD_STS_ENDPOINT`), `credentials_uri` and `ecs_metadata_endpoint`. Without it, plain HTTP is refused unless the host is 127.0.0.0/8, `::1` or `localhost` (or, for `ecs_metadata_endpoint`, `100.100.100.200`), because anyone on the path could read the security token or answer \"never used\". Every plan that uses it warns, naming the endpoints. Default `false`. See [the threat model](guides/threat-model.md).",
    Reads::Flag(|b, _| Some(b)),
);
/// `max_concurrency`.
pub const MAX_CONCURRENCY: Argument<usize> = Argument::new(
    "max_concurrency",
    "The most API calls in flight at once, over every data source, 1 to 100; default 10 (Terraform's own parallelism).",
    Reads::Whole(|n, at| within(n, 1..=MOST_CONCURRENCY, "", at)),
);
/// `max_requests_per_second`: a number of calls a second, more than zero (fractions
/// allowed: `0.5` is a call every two seconds), at most [`MOST_REQUESTS_PER_SECOND`].
pub const MAX_REQUESTS_PER_SECOND: Argument<f64> = Argument::new(
    "max_requests_per_second",
    "The most calls a second to each API (Action) for each account, from the first call, more than 0 and at most 10000 (`0.5` is a call every two seconds): headroom in the account's flow-control quota for other tools. Without it calls are not slowed until the API answers `Throttling`; then the provider paces that API for that account a little under the rate the API let through, honours `x-acs-retry-after`, and speeds up again while no call is throttled. `max_concurrency` bounds both.",
    Reads::Number(|n, at| {
        let name = at.name();
        at.check(n > 0.0 && n <= MOST_REQUESTS_PER_SECOND, n, format!("{name} must be more than 0 and at most {MOST_REQUESTS_PER_SECOND}, not {n}: it is the most calls a second to each API for each account; remove it to be paced by the API's own flow control alone."))
    }),
);

/// What to do about an empty part of a static key, which is a mistake, not a request to
/// look elsewhere.
const KEY_PART: &str = "remove it to take credentials from elsewhere";
/// What to do about an empty profile, file or role.
const NAMED: &str = "remove it or name something";

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

/// The provider block's schema.
pub fn schema() -> Schema {
    Schema::new(
        0,
        Block {
            attributes: vec![
                ACCESS_KEY.attribute(),
                SECRET_KEY.attribute(),
                SECURITY_TOKEN.attribute(),
                REGION.attribute(),
                ENDPOINT.attribute(),
                PROTOCOL.attribute(),
                SIGNATURE_ALGORITHM.attribute(),
                MAX_RETRIES.attribute(),
                TIMEOUT.attribute(),
                PROFILE.attribute(),
                SHARED_CREDENTIALS_FILE.attribute(),
                CREDENTIALS_FILE.attribute(),
                ECS_ROLE_NAME.attribute(),
                ECS_METADATA_ENDPOINT.attribute(),
                STS_ENDPOINT.attribute(),
                CREDENTIALS_URI.attribute(),
                RAM_ENDPOINT.attribute(),
                INSECURE_HTTP.attribute(),
                MAX_CONCURRENCY.attribute(),
                RESOURCEMANAGER_ENDPOINT.attribute(),
                MAX_REQUESTS_PER_SECOND.attribute(),
            ],
            block_types: vec![
                NestedBlock::at_most_one("assume_role", assume_role::block()),
                NestedBlock::at_most_one("assume_role_with_oidc", oidc::block()),
                NestedBlock::at_most_one("endpoints", endpoints::block()),
            ],
            description: DESCRIPTION.to_owned(),
            deprecated: false,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_sensitive_and_everything_is_described() {
        let s = schema();
        for name in [
            "access_key",
            "secret_key",
            "security_token",
            "credentials_uri",
        ] {
            assert!(s.block.attribute(name).unwrap().sensitive, "{name}");
        }
        for a in &s.block.attributes {
            assert!(!a.description.is_empty() && a.optional, "{}", a.name);
        }
    }
}
