//! The API client: one file per operation (ActionTrail's five GetAccessKeyLastUsed*, RAM's
//! ListUsers and ListAccessKeys, ResourceManager's ListAccounts, STS's GetCallerIdentity),
//! each with its request, answer type, strict checks, paging and the `OPERATION` it is; the
//! client itself keeps only what every operation shares: sending, signing, caching, pacing
//! and retrying. Adding an operation is one new file here and its line in `operations!`.
//!
//! Design choices a newcomer may question:
//! - One [`Client`] per provider configuration, cloned into every data source: clones share
//!   one connection pool, one credentials cache and one answer cache.
//! - Answers are memoized for the client's lifetime and identical concurrent requests are
//!   coalesced: a plan that reads the same key from a hundred data sources makes one call
//!   per distinct request. Errors are never cached.
//! - Nothing touches the network or loads TLS roots until the first request, because
//!   Terraform starts the plugin several times per plan.

// `Error::Service` holds the service's error inline because that shape is the public
// contract; errors are rare next to the HTTP exchange, so their size costs nothing.
#![allow(clippy::result_large_err)]

mod answer;
mod client;
#[cfg(test)]
mod decode_props;
pub mod diagnostic;
mod error;
mod exchange;
mod pacing;
mod pagination;
mod record;
mod retry;
mod service;

/// Declares the operations' modules and [`OPERATIONS`], from one list.
macro_rules! operations {
    ($($operation:ident),* $(,)?) => {
        $(pub mod $operation;)*

        /// Every operation the client calls, each as its file declares it, in the order
        /// the permission hint names them.
        pub(crate) const OPERATIONS: &[service::Operation] = &[$($operation::OPERATION),*];
    };
}

// One file per operation: its request, its answer type, its strict checks, its paging, and
// the `OPERATION` it is (its API and Action, and whether a policy must grant it).
operations! {
    last_used_info,
    last_used_products,
    last_used_ips,
    last_used_resources,
    last_used_events,
    list_users,
    list_access_keys,
    list_accounts,
    get_caller_identity,
}

pub use crate::alibaba::credentials::{AssumeRoleConfig, CredentialsConfig, OidcConfig};
pub use crate::alibaba::endpoint::Protocol;
pub use crate::alibaba::rpc::ServiceError;
pub use crate::alibaba::signature::SignatureAlgorithm;
pub use client::Client;
pub use error::Error;
pub use last_used_events::EventUsage;
pub use last_used_info::AccessKeyLastUsedInfo;
pub use last_used_ips::IpUsage;
pub use last_used_products::{ProductUsage, ProductsPage};
pub use last_used_resources::ResourceUsage;
pub use list_access_keys::{AccessKeyListing, KeyStatus, RamAccessKey};
pub use list_users::{RamUser, UserListing};
pub use pagination::{Listing, PageOptions};
pub use record::{Event, Source, Use, UserIdentity};
pub use retry::Backoff;

use std::time::Duration;

/// The ActionTrail API version this client speaks.
pub const API_VERSION: &str = "2020-07-06";

/// The region used when no configuration names one.
pub const DEFAULT_REGION: &str = "cn-hangzhou";
/// Retries after a throttled, failed or timed-out call, unless configured.
pub const DEFAULT_MAX_RETRIES: u32 = 5;
/// Per-call timeout, unless configured.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// Everything a [`Client`] needs.
#[derive(Clone, PartialEq)]
pub struct ClientConfig {
    /// Region id, e.g. `cn-hangzhou`; picks the default endpoint.
    pub region: String,
    /// Endpoint override: `http://127.0.0.1:PORT`, `https://host` or a bare `host[:port]`.
    pub endpoint: Option<String>,
    /// Scheme for the default endpoint and for a bare `host[:port]`.
    pub protocol: Protocol,
    /// How requests are signed.
    pub signature: SignatureAlgorithm,
    /// Retries after the first try, for retryable failures.
    pub max_retries: u32,
    /// Time limit for each HTTP exchange (each try, not the whole call).
    pub timeout: Duration,
    /// Where credentials come from.
    pub credentials: CredentialsConfig,
    /// RAM endpoint override (for ListUsers / ListAccessKeys), in the forms `endpoint` takes.
    pub ram_endpoint: Option<String>,
    /// The most HTTP exchanges in flight at once, over every operation.
    pub max_concurrency: usize,
    /// ResourceManager endpoint override (for ListAccounts), in the forms `endpoint` takes.
    pub resourcemanager_endpoint: Option<String>,
    /// The most calls a second per API and account, from the first call (throttling may
    /// slow a key further); `None` leaves keys unpaced until throttled.
    pub max_requests_per_second: Option<f64>,
    /// Whether a throttled API is paced at the rate it let through (the default), or
    /// only retried with backoff (`ACTIONTRAIL_PACING=off`, to compare the two).
    pub learned_pacing: bool,
}

/// Exchanges in flight at once unless configured: Terraform's own `-parallelism`.
pub const DEFAULT_MAX_CONCURRENCY: usize = 10;

impl std::fmt::Debug for ClientConfig {
    // The configure log line shows this: the AccessKey ID, which names the caller, is only
    // said to be set; the secrets show as `<redacted>` by their type.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let credentials = CredentialsConfig {
            access_key: self
                .credentials
                .access_key
                .as_ref()
                .map(|_| "(set)".to_owned()),
            ..self.credentials.clone()
        };
        f.debug_struct("ClientConfig")
            .field("region", &self.region)
            .field("endpoint", &self.endpoint)
            .field("protocol", &self.protocol)
            .field("signature", &self.signature)
            .field("max_retries", &self.max_retries)
            .field("timeout", &self.timeout)
            .field("ram_endpoint", &self.ram_endpoint)
            .field("resourcemanager_endpoint", &self.resourcemanager_endpoint)
            .field("max_concurrency", &self.max_concurrency)
            .field("max_requests_per_second", &self.max_requests_per_second)
            .field("learned_pacing", &self.learned_pacing)
            .field("credentials", &credentials)
            .finish()
    }
}

impl Default for ClientConfig {
    fn default() -> ClientConfig {
        ClientConfig {
            region: DEFAULT_REGION.into(),
            endpoint: None,
            protocol: Protocol::default(),
            signature: SignatureAlgorithm::default(),
            max_retries: DEFAULT_MAX_RETRIES,
            timeout: DEFAULT_TIMEOUT,
            credentials: CredentialsConfig::default(),
            ram_endpoint: None,
            max_concurrency: DEFAULT_MAX_CONCURRENCY,
            resourcemanager_endpoint: None,
            max_requests_per_second: None,
            learned_pacing: true,
        }
    }
}

/// The endpoints `config` would call over a weak transport: plain HTTP, or a host outside
/// `aliyuncs.com` (an emulator, a proxy). Each entry names the endpoint and what is weak.
/// The ECS metadata service is left out: it is plain HTTP on a link-local address by
/// design.
pub fn weak_transport(config: &ClientConfig) -> Vec<String> {
    use crate::alibaba::endpoint::Endpoint;
    let actiontrail = match config.endpoint.as_deref().filter(|e| !e.trim().is_empty()) {
        Some(e) => Endpoint::parse(e, config.protocol),
        None => Endpoint::regional("actiontrail", &config.region, config.protocol),
    };
    let sts = config
        .credentials
        .assume_role
        .as_ref()
        .and(config.credentials.sts_endpoint.as_deref())
        .map(|e| Endpoint::parse(e, Protocol::Https));
    let mut out = Vec::new();
    for (name, endpoint) in [("endpoint", Some(actiontrail)), ("sts_endpoint", sts)] {
        let Some(Ok(e)) = endpoint else { continue };
        let mut weak = Vec::new();
        if e.base_url.starts_with("http://") {
            weak.push("plain HTTP: anyone on the path can read and change the answers");
        }
        let host = e.host.rsplit_once(':').map_or(e.host.as_str(), |(h, _)| h);
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        if host != "aliyuncs.com" && !host.ends_with(".aliyuncs.com") {
            weak.push("outside aliyuncs.com: not an Alibaba Cloud endpoint");
        }
        if !weak.is_empty() {
            out.push(format!("{name} {} ({})", e.base_url, weak.join("; ")));
        }
    }
    out
}

/// The registry docs' section on what the provider refuses and why (markdown).
pub const REFUSED_DOC: &str = r#"## What the provider refuses, and why

The provider exists to say "this key is still in use, do not rotate it yet". An answer it
cannot trust must never read as "unused", so every answer is checked, not defaulted, against
the API reference and the official SDK's models:

- Every answer is UTF-8 text (a byte that is not, replaced, could rename a member), and a
  JSON object with a non-empty string `RequestId`. A member named as one of the answer's
  apart from case (`usedTimestamp` for `UsedTimestamp`), which would otherwise be passed
  over, and an error's `Code` in a success answer are errors.
- `GetAccessKeyLastUsedInfo` (`actiontrail_accesskey_last_used`) is about the `AccessKeyId`
  asked for (whitespace around it aside: the API reference's own example ends it with a
  newline, and the key is named by the id asked for, never by the echo); a use names its
  `ServiceName`, and `ServiceNameCn` or `ServiceNameEn` without it is an error.
- No member name appears twice in any object, at any depth (JSON leaves a repeated name's
  meaning open; reading the last one would let `..., "UsedTimestamp": 0` hide a use). The
  error gives the line and column, never a value.
- `UsedTimestamp` is epoch milliseconds between 2022-02-01T00:00:00Z (ActionTrail keeps
  nothing older) and now plus 15 minutes of clock skew, in every answer and list entry: a
  time in seconds, `1` or the future is an error naming the field.
- Any sign of use (a non-zero `UsedTimestamp`, a `ServiceName`, `Source` or `Detail`, or an
  entry in `Products`, `Ips`, `Resources` or `Events`) is a use, and the last use is the most
  recent plausible sign: a `Detail` event whose `eventTime` is later than `UsedTimestamp`
  is a later use. A `Detail` that is not a JSON object, and an `eventTime` that is not an
  RFC 3339 time or lies in the future, are errors: dropped, they could leave an older use as
  the last. A use with no plausible time anywhere is an error.
- `GetAccessKeyLastUsedProducts`, `GetAccessKeyLastUsedIps` and
  `GetAccessKeyLastUsedResources` carry their list (`Products`, `Ips`, `Resources`) as a list
  of objects, each naming its `ServiceName`, `Ip` or `ResourceName`. A page of `Ips`,
  `Resources` or `Events` longer than the `PageSize` asked, a `NextToken` repeated, and a
  listing past 10,000 pages or 64 MiB of answers are errors.
- `GetAccessKeyLastUsedEvents` (`actiontrail_accesskey_last_used_events`) carries `Events`,
  each with its `EventName` and `UsedTimestamp`. For `actiontrail_accesskeys`, RAM's
  `ListUsers` carries `IsTruncated` and `Users.User` (each user named), and `ListAccessKeys`
  carries `AccessKeys.AccessKey` (each key with its id, `Status` and a `CreateDate` between
  2009 and now). Paging that contradicts itself (`IsTruncated` false with a `Marker`, true
  without one, a `Marker` repeated, more users than asked for) is an error, as is a listing
  past its caps (10,000 users, 100 pages, 64 MiB of answers, 20,000 keys). A user name that
  is empty or longer than RAM's 64 characters (from `ListUsers` or from ActionTrail's
  `UserName`), a key listed twice (for one user or under two), and a last use that
  ActionTrail dates before RAM's `CreateDate` (beyond 15 minutes of clock skew) are errors.
  In the organisation read, a member's `AccountId` must be 1 to 32 digits, and a key whose
  ActionTrail `AccountId` is not the account read is an error.
- STS, OIDC STS, the credentials URI, the ECS metadata service and the External process
  answer through the same decoder; an `Expiration` must be in the future and at most 7 days
  ahead.
- Every field present has the type the API gives it (a string where a string belongs, an
  integer for `UsedTimestamp`).

Anything else (a captive portal's or a forgotten mock's `200 {}`, a proxy's HTML page, a
truncated body, a JSON array, an answer about another key) is an error diagnostic: "the
answer of ENDPOINT to OPERATION (HTTP STATUS) was not an ActionTrail answer", with what was
wrong and the start of the body, clipped to 256 bytes and redacted. Nothing is concluded
from it, and `fail_if_used_within` does not pass.

**"Never used" looks like this**, and only this: a well-formed Info answer about the asked
key with no `UsedTimestamp` (absent, `null` or `0`) and no other sign of use (no
`ServiceName`, `Source` or `Detail`), such as
`{"RequestId":"6B4A...","AccessKeyId":"LTAI5t...","AccountId":"1234...","AccountType":"ram-user"}`.
Then `used` is `false` and the times are null. For the listings, an empty `Products`, `Ips`
or `Resources` list under its own name means no use recorded.

Also refused or bounded:

- **Redirects.** A 3xx answer is an error naming the host in its `Location`; nothing is
  sent there, because the signed request carries its signature and security token.
- **Secrets in messages.** Service messages are clipped to 1 KiB, and the values of
  `SecurityToken`, `Signature` and `AccessKeySecret` (also inside the string to sign that
  `SignatureDoesNotMatch` quotes) and URL user info are redacted. Bodies from STS and the
  ECS metadata service are never quoted: they hold credentials.
- **Large bodies.** ActionTrail's, RAM's and STS's answers are read up to 16 MiB, the
  metadata service's and the credentials endpoints' up to 64 KiB. A longer body is an error
  naming the cap, never a cut body that might still parse.
- **Plain HTTP to real hosts.** Every endpoint that carries a credential or an answer the
  gate relies on (ActionTrail, RAM, STS, a credentials URI) is refused over plain HTTP
  unless its host is loopback or `insecure_http = true`, which warns on every plan; see
  [the threat model](guides/threat-model.md). An `endpoint` or `sts_endpoint` over plain
  HTTP to loopback, or outside `aliyuncs.com` (the emulator, a proxy), gets one warning
  when the provider is configured.
- **Ctrl-C.** Terraform's StopProvider cancels reads in flight and their retries, so an
  interrupted plan ends at once, with an error, instead of waiting out a backoff.
"#;

/// One line for each data source's page: refused answers are errors, never "unused".
pub const REFUSED_NOTE: &str = "An answer that is not a well-formed ActionTrail answer (no RequestId, a missing or mistyped list, a redirect, HTML, a cut body) fails the read with an error naming the endpoint and the HTTP status; it is never taken for \"no use\". See \"What the provider refuses, and why\" in the provider's docs.";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_to_aliyuncs_com_is_strong() {
        let mut c = ClientConfig::default();
        assert!(weak_transport(&c).is_empty());
        c.endpoint = Some("http://127.0.0.1:8080".into());
        let w = weak_transport(&c);
        assert_eq!(w.len(), 1);
        assert!(w[0].contains("plain HTTP") && w[0].contains("outside aliyuncs.com"));
        c.endpoint = Some("https://actiontrail.cn-hangzhou.aliyuncs.com.evil.example".into());
        assert!(weak_transport(&c)[0].contains("outside aliyuncs.com"));
        c.endpoint = None;
        c.credentials.sts_endpoint = Some("http://sts.aliyuncs.com".into());
        assert!(
            weak_transport(&c).is_empty(),
            "an STS endpoint only counts with assume_role"
        );
        c.credentials.assume_role = Some(Default::default());
        assert!(weak_transport(&c)[0].starts_with("sts_endpoint http://sts.aliyuncs.com"));
    }
}
