//! The ActionTrail API client: operations, pagination, errors and retries.
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
mod error;
mod pagination;
mod retry;
pub mod types;

pub use crate::alibaba::credentials::{AssumeRoleConfig, CredentialsConfig};
pub use crate::alibaba::endpoint::Protocol;
pub use crate::alibaba::rpc::{ServiceError, SignatureAlgorithm};
pub use client::Client;
pub use error::Error;
pub use pagination::{Listing, PageOptions};
pub use retry::Backoff;
pub use types::{AccessKeyLastUsedInfo, IpUsage, ProductUsage, ProductsPage, ResourceUsage};

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
#[derive(Clone, Debug, PartialEq)]
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
        assert!(weak_transport(&c).is_empty(), "an STS endpoint only counts with assume_role");
        c.credentials.assume_role = Some(Default::default());
        assert!(weak_transport(&c)[0].starts_with("sts_endpoint http://sts.aliyuncs.com"));
    }
}
