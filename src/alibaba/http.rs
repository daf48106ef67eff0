//! One lazily built HTTP client (and so one connection pool) shared by an API client and
//! the credentials chain it uses.
//!
//! Building a `reqwest::Client` loads TLS roots, which costs milliseconds; Terraform starts
//! the plugin several times per plan, often without a single API call, so the build waits
//! for the first request.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// A cheaply cloneable handle on one lazily built `reqwest::Client`.
#[derive(Clone, Debug)]
pub struct SharedHttp {
    cell: Arc<OnceLock<Result<reqwest::Client, String>>>,
    user_agent: Arc<str>,
    connect_timeout: Option<Duration>,
}

impl SharedHttp {
    /// A handle whose client, once built, sends `user_agent`.
    pub fn new(user_agent: &str) -> SharedHttp {
        SharedHttp {
            cell: Arc::new(OnceLock::new()),
            user_agent: Arc::from(user_agent),
            connect_timeout: None,
        }
    }

    /// A handle whose connects give up after `limit`. Set it a little below the
    /// per-request timeout, so a connect that cannot finish is reported as a connect
    /// failure (the request was surely not sent) rather than a bare timeout.
    pub fn with_connect_timeout(user_agent: &str, limit: Duration) -> SharedHttp {
        SharedHttp {
            connect_timeout: Some(limit),
            ..SharedHttp::new(user_agent)
        }
    }

    /// The client, built on first use. Timeouts are set per request, not here.
    pub fn get(&self) -> Result<&reqwest::Client, String> {
        self.cell
            .get_or_init(|| {
                // The OS trust store (so a company's own CA works) and, beside it,
                // Mozilla's roots, so a minimal container without ca-certificates still
                // reaches *.aliyuncs.com.
                let mozilla = webpki_root_certs::TLS_SERVER_ROOT_CERTS
                    .iter()
                    .filter_map(|der| reqwest::Certificate::from_der(der).ok());
                let mut builder = reqwest::Client::builder()
                    .user_agent(&*self.user_agent)
                    .tls_certs_merge(mozilla)
                    // A redirect would re-send the signed request, security token and
                    // all, to whatever host it names, and that host's answer would be
                    // trusted: every 3xx is handed back to the caller as an error.
                    .redirect(reqwest::redirect::Policy::none())
                    .pool_idle_timeout(Duration::from_secs(60));
                if let Some(limit) = self.connect_timeout {
                    builder = builder.connect_timeout(limit);
                }
                builder
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

/// The largest body read from the metadata service or a credentials endpoint: their
/// answers are a few hundred bytes, so this leaves room and bounds memory.
pub const CREDENTIALS_BODY_BYTES: usize = 64 * 1024;

/// The User-Agent every request carries: the provider's name and version.
pub fn user_agent() -> String {
    format!(
        "terraform-provider-actiontrail/{} (rust; reqwest)",
        env!("CARGO_PKG_VERSION")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_with_the_os_store_and_mozillas_roots_on_first_use_only() {
        let http = SharedHttp::new(&user_agent());
        assert!(
            !http.is_built(),
            "nothing is loaded before the first request"
        );
        // The platform verifier refuses extra roots it cannot merge: building proves they
        // were taken.
        assert!(http.get().is_ok(), "{:?}", http.get().err());
        assert!(http.is_built());
        assert!(!webpki_root_certs::TLS_SERVER_ROOT_CERTS.is_empty());
    }
}
