//! One lazily built HTTP client (and so one connection pool) shared by an API client and
//! the credentials chain it uses.
//!
//! Building a `reqwest::Client` loads TLS roots, which costs milliseconds; Terraform starts
//! the plugin several times per plan, often without a single API call, so the build waits
//! for the first request.
//!
//! Proxies: `HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY` (for a scheme the first two leave
//! unset) and `NO_PROXY`, or their lower-case spellings, as curl reads them, for every
//! endpoint the client calls (ActionTrail, STS, the metadata service, a credentials URI).
//! They are read explicitly so that a proxy URL that does not parse, or a SOCKS proxy
//! (this build speaks only HTTP proxies), is an error naming the variable, not a silent
//! direct connection.
//!
//! Loopback (127.0.0.0/8, `::1`, `localhost`) and the ECS metadata address
//! (100.100.100.200) are never reached through a proxy on another machine: the transport
//! policy lets plain HTTP go to them because the bytes stay on this machine or its
//! link-local hop, and a proxy elsewhere would receive the signed request, security token
//! and all, in clear (and would then call its own loopback, or its own instance's metadata
//! service). A proxy on loopback still carries them, as it carries everything else.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// A cheaply cloneable handle on one lazily built `reqwest::Client`.
#[derive(Clone, Debug)]
pub struct SharedHttp {
    cell: Arc<OnceLock<Result<reqwest::Client, String>>>,
    user_agent: Arc<str>,
    connect_timeout: Option<Duration>,
    proxies: Option<Proxies>,
}

/// The proxies to use; `Proxies::from_env` reads them as curl does.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Proxies {
    /// The proxy for `https` URLs (tunnelled with CONNECT).
    pub https: Option<String>,
    /// The proxy for `http` URLs.
    pub http: Option<String>,
    /// The proxy for either, where the one above is unset (`ALL_PROXY`).
    pub all: Option<String>,
    /// Hosts, domains, IPs and CIDR ranges reached directly; `*` for all.
    pub no_proxy: Option<String>,
}

impl std::fmt::Debug for Proxies {
    // A proxy URL may carry a user and password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let shown = |v: &Option<String>| v.as_deref().map(redact_userinfo);
        f.debug_struct("Proxies")
            .field("https", &shown(&self.https))
            .field("http", &shown(&self.http))
            .field("all", &shown(&self.all))
            .field("no_proxy", &self.no_proxy)
            .finish()
    }
}

/// `url` without its `user:password@`, with or without a scheme, for `Debug`.
fn redact_userinfo(url: &str) -> String {
    crate::alibaba::redact::redact(url)
}

/// What is wrong with `url` as a proxy URL, in words that quote none of it: a value that
/// does not parse may hold a password anywhere (`alice:pw@proxy:3128` reads as the scheme
/// `alice`).
fn proxy_url_problem(url: &str) -> Option<&'static str> {
    let Ok(parsed) = reqwest::Url::parse(url) else {
        return Some("it does not parse as a URL");
    };
    if parsed.scheme().starts_with("socks") {
        return Some("SOCKS proxies are not supported; use an http:// or https:// proxy");
    }
    if !matches!(parsed.scheme(), "http" | "https") {
        return Some("it does not start with http:// or https://");
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Some("it names no host");
    }
    None
}

/// Destinations that name this machine or this instance's metadata service, as a
/// `NO_PROXY` list: what `is_loopback` accepts, and the metadata address.
const LOCAL_DESTINATIONS: &str = "127.0.0.0/8,::1,localhost,localhost.,100.100.100.200";

impl Proxies {
    /// The upper-case variable, else the lower-case one, each only when not empty.
    pub fn from_env(get: impl Fn(&str) -> Option<String>) -> Proxies {
        let read = |upper: &str| {
            get(upper)
                .or_else(|| get(&upper.to_ascii_lowercase()))
                .filter(|v| !v.trim().is_empty())
                .map(|v| v.trim().to_owned())
        };
        Proxies {
            https: read("HTTPS_PROXY"),
            http: read("HTTP_PROXY"),
            all: read("ALL_PROXY"),
            no_proxy: read("NO_PROXY"),
        }
    }

    fn apply(&self, mut builder: reqwest::ClientBuilder) -> Result<reqwest::ClientBuilder, String> {
        // reqwest would read the environment itself, but skips a malformed URL silently.
        builder = builder.no_proxy();
        // `*` (every host direct) is curl's; reqwest's parser does not take it alone.
        if self.no_proxy.as_deref().map(str::trim) == Some("*") {
            return Ok(builder);
        }
        for (var, url, https) in [
            ("HTTPS_PROXY", &self.https, true),
            ("HTTP_PROXY", &self.http, false),
        ] {
            let (var, url) = match (url, &self.all) {
                (Some(url), _) => (var, url),
                (None, Some(all)) => ("ALL_PROXY", all),
                (None, None) => continue,
            };
            // The value is never quoted: it may carry a password.
            if let Some(problem) = proxy_url_problem(url) {
                return Err(format!(
                    "{var} is not a proxy URL such as http://proxy.example.com:3128: {problem}"
                ));
            }
            let proxy = if https {
                reqwest::Proxy::https(url.as_str())
            } else {
                reqwest::Proxy::http(url.as_str())
            }
            .map_err(|_| format!("{var} is not a proxy URL reqwest can use"))?;
            builder = builder.proxy(proxy.no_proxy(self.bypassing(url)));
        }
        Ok(builder)
    }

    /// The hosts reached directly rather than through the proxy at `proxy_url`: those
    /// `NO_PROXY` names and, unless the proxy is itself on loopback, loopback and the
    /// metadata address (see the module's comment).
    fn bypassing(&self, proxy_url: &str) -> Option<reqwest::NoProxy> {
        let user = self.no_proxy.as_deref().unwrap_or("");
        let proxy_on_loopback =
            reqwest::Url::parse(proxy_url).is_ok_and(|u| crate::alibaba::endpoint::is_loopback(&u));
        let list = if proxy_on_loopback {
            user.to_owned()
        } else {
            format!("{user},{LOCAL_DESTINATIONS}")
        };
        reqwest::NoProxy::from_string(&list)
    }
}

impl SharedHttp {
    /// A handle whose client, once built, sends `user_agent`.
    pub fn new(user_agent: &str) -> SharedHttp {
        SharedHttp {
            cell: Arc::new(OnceLock::new()),
            user_agent: Arc::from(user_agent),
            connect_timeout: None,
            proxies: None,
        }
    }

    /// This handle with `proxies` instead of those of the process environment.
    pub fn with_proxies(self, proxies: Proxies) -> SharedHttp {
        SharedHttp {
            proxies: Some(proxies),
            ..self
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
                let proxies = self
                    .proxies
                    .clone()
                    .unwrap_or_else(|| Proxies::from_env(|k| std::env::var(k).ok()));
                builder = proxies.apply(builder)?;
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

    fn env(pairs: &[(&str, &str)]) -> Proxies {
        let map: std::collections::BTreeMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Proxies::from_env(|k| map.get(k).cloned())
    }

    #[test]
    fn proxies_come_from_upper_then_lower_case_variables() {
        let p = env(&[
            ("HTTPS_PROXY", "http://upper:3128"),
            ("https_proxy", "http://lower:3128"),
            ("http_proxy", "http://plain:3128"),
            ("no_proxy", "127.0.0.1,.internal"),
        ]);
        assert_eq!(p.https.as_deref(), Some("http://upper:3128"));
        assert_eq!(p.http.as_deref(), Some("http://plain:3128"));
        assert_eq!(p.no_proxy.as_deref(), Some("127.0.0.1,.internal"));
        assert_eq!(env(&[("HTTPS_PROXY", "  ")]), Proxies::default());
    }

    #[test]
    fn a_proxy_url_that_does_not_parse_is_an_error_naming_the_variable_not_its_password() {
        let http = SharedHttp::new(&user_agent())
            .with_proxies(env(&[("HTTPS_PROXY", "ftp://user:hunter2@proxy:21")]));
        let err = http.get().unwrap_err();
        assert!(err.contains("HTTPS_PROXY"), "{err}");
        assert!(!err.contains("hunter2"), "{err}");
        let http = SharedHttp::new(&user_agent()).with_proxies(env(&[("HTTP_PROXY", "not a url")]));
        assert!(http.get().unwrap_err().contains("HTTP_PROXY"));
        let ok = SharedHttp::new(&user_agent())
            .with_proxies(env(&[("HTTPS_PROXY", "http://127.0.0.1:3128")]));
        assert!(ok.get().is_ok());
        let shown = format!("{:?}", env(&[("HTTPS_PROXY", "http://u:secret@p:1")]));
        assert!(!shown.contains("secret"), "{shown}");
    }

    #[test]
    fn all_proxy_serves_the_scheme_left_unset_and_socks_is_refused_by_name() {
        let p = env(&[("all_proxy", "http://all:3128")]);
        assert_eq!(p.all.as_deref(), Some("http://all:3128"));
        assert!(SharedHttp::new(&user_agent()).with_proxies(p).get().is_ok());
        for (pairs, var) in [
            (&[("ALL_PROXY", "socks5://127.0.0.1:1080")][..], "ALL_PROXY"),
            (
                &[
                    ("HTTPS_PROXY", "http://127.0.0.1:3128"),
                    ("ALL_PROXY", "socks5h://u:pw@127.0.0.1:1080"),
                ][..],
                "ALL_PROXY",
            ),
            (
                &[("HTTPS_PROXY", "socks5://127.0.0.1:1080")][..],
                "HTTPS_PROXY",
            ),
        ] {
            let err = SharedHttp::new(&user_agent())
                .with_proxies(env(pairs))
                .get()
                .unwrap_err();
            assert!(err.starts_with(var) && err.contains("SOCKS"), "{err}");
        }
        // With both schemes set, ALL_PROXY is not used, so not checked.
        let both = env(&[
            ("HTTPS_PROXY", "http://127.0.0.1:3128"),
            ("HTTP_PROXY", "http://127.0.0.1:3128"),
            ("ALL_PROXY", "socks5://127.0.0.1:1080"),
        ]);
        assert!(SharedHttp::new(&user_agent())
            .with_proxies(both)
            .get()
            .is_ok());
    }

    #[test]
    fn a_proxy_written_without_a_scheme_is_refused_without_quoting_its_password() {
        for var in ["HTTPS_PROXY", "HTTP_PROXY"] {
            let value = "alice:S3cretPw@proxy.corp:3128";
            let http = SharedHttp::new(&user_agent()).with_proxies(env(&[(var, value)]));
            let err = http.get().unwrap_err();
            assert!(
                err.starts_with(var) && err.contains("http://"),
                "{var}: {err}"
            );
            assert!(!err.contains("S3cretPw") && !err.contains("alice"), "{err}");
            let shown = format!("{:?}", env(&[(var, value)]));
            assert!(!shown.contains("S3cretPw"), "{shown}");
        }
    }

    /// A server on loopback answering one request with `body`; its port.
    fn answers_once(body: &'static str) -> u16 {
        use std::io::{Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            let Ok((mut conn, _)) = listener.accept() else {
                return;
            };
            let mut seen = Vec::new();
            let mut buf = [0u8; 1024];
            while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                match conn.read(&mut buf) {
                    Ok(0) | Err(_) => return,
                    Ok(n) => seen.extend_from_slice(&buf[..n]),
                }
            }
            let _ = write!(
                conn,
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        });
        port
    }

    async fn fetched(proxy: &str, url: &str) -> String {
        let http = SharedHttp::new(&user_agent()).with_proxies(env(&[("HTTP_PROXY", proxy)]));
        let client = http.get().unwrap();
        let response = client.get(url).send().await.unwrap();
        response.text().await.unwrap()
    }

    #[tokio::test]
    async fn plain_http_to_loopback_never_goes_through_a_proxy_elsewhere() {
        // 0.0.0.0 is not loopback to the policy, yet connecting to it reaches this
        // machine: a stand-in for a proxy on another host that the test can watch.
        let target = answers_once("direct");
        let elsewhere = answers_once("through the proxy");
        let got = fetched(
            &format!("http://0.0.0.0:{elsewhere}"),
            &format!("http://127.0.0.1:{target}/"),
        )
        .await;
        assert_eq!(got, "direct");
        // A proxy on loopback still carries plain HTTP to loopback.
        let target = answers_once("direct");
        let local = answers_once("through the proxy");
        let got = fetched(
            &format!("http://127.0.0.1:{local}"),
            &format!("http://localhost:{target}/"),
        )
        .await;
        assert_eq!(got, "through the proxy");
    }
}
