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

mod client;
mod error;
pub mod events;
mod pagination;
pub mod ram;
mod retry;
mod service;
pub mod types;

pub use crate::alibaba::credentials::{AssumeRoleConfig, CredentialsConfig, OidcConfig};
pub use crate::alibaba::endpoint::Protocol;
pub use crate::alibaba::rpc::{ServiceError, SignatureAlgorithm};
pub use client::Client;
pub use error::Error;
pub use events::EventUsage;
pub use pagination::{Listing, PageOptions};
pub use ram::{AccessKeyListing, KeyStatus, RamAccessKey, RamUser, UserListing};
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
    /// RAM endpoint override (for ListUsers / ListAccessKeys), in the forms `endpoint` takes.
    pub ram_endpoint: Option<String>,
    /// The most HTTP exchanges in flight at once, over every operation.
    pub max_concurrency: usize,
}

/// Exchanges in flight at once unless configured: Terraform's own `-parallelism`.
pub const DEFAULT_MAX_CONCURRENCY: usize = 10;

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
        }
    }
}
