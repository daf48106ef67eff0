//! One lazily built HTTP client (and so one connection pool) shared by an API client and
//! the credentials chain it uses.
//!
//! Building a `reqwest::Client` loads TLS roots, which costs milliseconds; Terraform starts
//! the plugin several times per plan, often without a single API call, so the build waits
//! for the first request.

use std::sync::{Arc, OnceLock};

/// A cheaply cloneable handle on one lazily built `reqwest::Client`.
#[derive(Clone, Debug)]
pub struct SharedHttp {
    cell: Arc<OnceLock<Result<reqwest::Client, String>>>,
    user_agent: Arc<str>,
}

impl SharedHttp {
    /// A handle whose client, once built, sends `user_agent`.
    pub fn new(user_agent: &str) -> SharedHttp {
        SharedHttp {
            cell: Arc::new(OnceLock::new()),
            user_agent: Arc::from(user_agent),
        }
    }

    /// The client, built on first use. Timeouts are set per request, not here.
    pub fn get(&self) -> Result<&reqwest::Client, String> {
        self.cell
            .get_or_init(|| {
                reqwest::Client::builder()
                    .user_agent(&*self.user_agent)
                    .pool_idle_timeout(std::time::Duration::from_secs(60))
                    .build()
                    .map_err(|e| format!("cannot build the HTTP client: {e}"))
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Whether the client has been built yet (start-up cost tests read it).
    pub fn is_built(&self) -> bool {
        self.cell.get().is_some()
    }
}

/// The User-Agent every request carries: the provider's name and version.
pub fn user_agent() -> String {
    format!(
        "terraform-provider-actiontrail/{} (rust; reqwest)",
        env!("CARGO_PKG_VERSION")
    )
}
