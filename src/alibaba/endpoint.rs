//! Endpoint resolution: the default `https://<product>.<region>.aliyuncs.com`, or an
//! override given as a URL (`http://127.0.0.1:PORT`, `https://host`) or a bare `host[:port]`
//! whose scheme the configured protocol decides.

/// The scheme requests use when an endpoint does not name one.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Protocol {
    /// TLS (the default, and what Alibaba Cloud's public endpoints require).
    #[default]
    Https,
    /// Plain HTTP, for emulators and local tests.
    Http,
}

impl Protocol {
    /// `https` or `http`.
    pub fn scheme(self) -> &'static str {
        match self {
            Protocol::Https => "https",
            Protocol::Http => "http",
        }
    }
}

/// The one transport policy every endpoint that carries a credential, or an answer the
/// rotation gate relies on, passes (ActionTrail, RAM, STS, OIDC's STS, a credentials URI,
/// the ECS metadata service): HTTPS, or plain HTTP to a loopback host (an emulator on this
/// machine), or plain HTTP anywhere when the provider block opts in with
/// `insecure_http = true`. Over plain HTTP to another host, anyone on the path reads the
/// SecurityToken and can answer "never used". The metadata service alone may also be
/// reached over plain HTTP at its own address, [`METADATA_HOST`]: Alibaba serves it so,
/// link-local, on every instance.
/// Loopback and the metadata address are never sent through a proxy on another machine
/// ([`crate::alibaba::http`]), so what this admits as local stays local.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct TransportPolicy {
    /// `insecure_http`: plain HTTP allowed to any host (emulators and test rigs only).
    pub insecure_http: bool,
}

impl TransportPolicy {
    /// Whether `url` may be called: not plain HTTP, or plain HTTP to loopback, or any
    /// plain HTTP when `insecure_http` is on. The refusal names `what` (the argument or
    /// environment variable) and says what to do.
    pub fn admit_url(&self, url: &reqwest::Url, what: &str) -> Result<(), String> {
        self.admit_plain(url, what, false)
    }

    /// [`TransportPolicy::admit_url`] for the ECS metadata service, which may also be
    /// plain HTTP to [`METADATA_HOST`].
    pub fn admit_metadata_url(&self, url: &reqwest::Url, what: &str) -> Result<(), String> {
        self.admit_plain(url, what, true)
    }

    /// [`TransportPolicy::admit_metadata_url`] for a resolved endpoint.
    pub fn admit_metadata(&self, endpoint: &Endpoint, what: &str) -> Result<(), String> {
        self.admit_metadata_url(&url_of(endpoint, what)?, what)
    }

    /// [`TransportPolicy::admit_url`] for a resolved endpoint.
    pub fn admit(&self, endpoint: &Endpoint, what: &str) -> Result<(), String> {
        self.admit_url(&url_of(endpoint, what)?, what)
    }

    /// The one rule: plain HTTP only where it stays local (for the metadata service, its
    /// own address too), or anywhere with `insecure_http`.
    fn admit_plain(&self, url: &reqwest::Url, what: &str, metadata: bool) -> Result<(), String> {
        if url.scheme() != "http" || self.insecure_http || stays_local(url, metadata) {
            return Ok(());
        }
        let refused = plain_http_refused(what, &shown_url(url));
        Err(if metadata {
            format!("{refused} The metadata service may also be plain HTTP to its own address, http://{METADATA_HOST}.")
        } else {
            refused
        })
    }
}

/// `endpoint`'s base URL, parsed; the error names `what`.
fn url_of(endpoint: &Endpoint, what: &str) -> Result<reqwest::Url, String> {
    reqwest::Url::parse(&endpoint.base_url)
        .map_err(|e| format!("{what}: {:?} is not a URL: {e}", endpoint.base_url))
}

/// The refusal of plain HTTP to `shown` (a URL without query or user info) for `what`.
pub fn plain_http_refused(what: &str, shown: &str) -> String {
    format!(
        "{what} is {shown}: plain HTTP to a host that is not loopback. Credentials and the answers the rotation gate relies on would travel in clear, so anyone on the path could read the security token or answer \"never used\". Use https:// (the default), or HTTP only to 127.0.0.1, ::1 or localhost; for an emulator or test rig elsewhere, set insecure_http = true in the provider block."
    )
}

/// The address every ECS instance reaches its metadata service at, over plain HTTP.
pub const METADATA_HOST: &str = "100.100.100.200";

/// Whether plain HTTP to `url` stays on this machine or its link-local hop, so needs no
/// `insecure_http`: a loopback host, or, for the metadata service (`metadata`), its own
/// address.
pub fn stays_local(url: &reqwest::Url, metadata: bool) -> bool {
    is_loopback(url) || (metadata && url.host_str() == Some(METADATA_HOST))
}

/// Whether `url`'s host is loopback: 127.0.0.0/8, ::1 or `localhost`.
pub fn is_loopback(url: &reqwest::Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    match bare.parse::<std::net::IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => host.trim_end_matches('.').eq_ignore_ascii_case("localhost"),
    }
}

/// `url` as messages and logs may show it: scheme, host, port and path; never its user
/// info or query, where brokers and proxies put their secrets.
pub fn shown_url(url: &reqwest::Url) -> String {
    let mut shown = url.clone();
    shown.set_query(None);
    shown.set_fragment(None);
    let _ = shown.set_username("");
    let _ = shown.set_password(None);
    shown.to_string()
}

/// A resolved endpoint: the base URL requests go to and the `host` header value signed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    /// `scheme://host[:port]`, without a trailing slash.
    pub base_url: String,
    /// `host[:port]` as sent in the `Host` header (the port only when not the default).
    pub host: String,
}

impl Endpoint {
    /// Resolves `spec` (a URL or bare `host[:port]`), using `protocol` when it has no scheme.
    /// A path other than `/` is refused: RPC APIs are served at the root.
    pub fn parse(spec: &str, protocol: Protocol) -> Result<Endpoint, String> {
        let spec = spec.trim();
        if spec.is_empty() {
            return Err("the endpoint is empty".into());
        }
        // Errors quote the endpoint without its user info, which may be a password.
        let shown = crate::alibaba::redact::redact(spec);
        let with_scheme = if spec.contains("://") {
            spec.to_owned()
        } else {
            format!("{}://{spec}", protocol.scheme())
        };
        let url = reqwest::Url::parse(&with_scheme)
            .map_err(|e| format!("the endpoint {shown:?} is not a valid URL or host: {e}"))?;
        if url.scheme() != "http" && url.scheme() != "https" {
            return Err(format!(
                "the endpoint {shown:?} must use http or https, not {}",
                url.scheme()
            ));
        }
        let host = url
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or_else(|| format!("the endpoint {shown:?} names no host"))?;
        if url.path() != "/" && !url.path().is_empty() {
            return Err(format!(
                "the endpoint {shown:?} has a path; give only scheme, host and port"
            ));
        }
        if url.query().is_some() || !url.username().is_empty() || url.password().is_some() {
            return Err(format!(
                "the endpoint {shown:?} has a query or user info; give only scheme, host and port"
            ));
        }
        let host = match url.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_owned(),
        };
        Ok(Endpoint {
            base_url: format!("{}://{host}", url.scheme()),
            host,
        })
    }

    /// The public endpoint of `product` (e.g. `actiontrail`) in `region`.
    pub fn regional(product: &str, region: &str, protocol: Protocol) -> Result<Endpoint, String> {
        let valid = !region.is_empty()
            && region
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !valid {
            return Err(format!(
                "the region {region:?} is not a region id such as cn-hangzhou"
            ));
        }
        Endpoint::parse(&format!("{product}.{region}.aliyuncs.com"), protocol)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_info_is_refused_without_being_quoted() {
        for spec in [
            "http://admin:hunter22@127.0.0.1:1",
            "https://:hunter22@h",
            "ops:hunter22@host",
            "u:hunter22@sts.internal:443",
        ] {
            let e = Endpoint::parse(spec, Protocol::Https).unwrap_err();
            assert!(e.contains("user info") && !e.contains("hunter22"), "{e}");
        }
    }

    #[test]
    fn a_bare_host_takes_the_protocols_scheme() {
        let e = Endpoint::parse("127.0.0.1:8080", Protocol::Http).unwrap();
        assert_eq!(e.base_url, "http://127.0.0.1:8080");
        assert_eq!(e.host, "127.0.0.1:8080");
        let e = Endpoint::parse("actiontrail.example.com", Protocol::Https).unwrap();
        assert_eq!(e.base_url, "https://actiontrail.example.com");
    }

    #[test]
    fn a_url_keeps_its_own_scheme_and_drops_a_trailing_slash() {
        let e = Endpoint::parse("http://127.0.0.1:9/", Protocol::Https).unwrap();
        assert_eq!(e.base_url, "http://127.0.0.1:9");
        let e = Endpoint::parse("https://host:443", Protocol::Http).unwrap();
        assert_eq!(e.base_url, "https://host");
        assert_eq!(e.host, "host");
    }

    #[test]
    fn refuses_paths_other_schemes_and_empty_hosts() {
        assert!(Endpoint::parse("http://h/api", Protocol::Http).is_err());
        assert!(Endpoint::parse("ftp://h", Protocol::Http).is_err());
        assert!(Endpoint::parse("", Protocol::Http).is_err());
        assert!(Endpoint::parse("http://", Protocol::Http).is_err());
    }

    #[test]
    fn plain_http_is_refused_unless_loopback_or_opted_in() {
        let strict = TransportPolicy::default();
        let open = TransportPolicy {
            insecure_http: true,
        };
        for (spec, loopback) in [
            ("http://127.0.0.1:9", true),
            ("http://127.8.9.10", true),
            ("http://[::1]:80", true),
            ("http://localhost:8080", true),
            ("http://LOCALHOST.", true),
            ("http://actiontrail.cn-hangzhou.aliyuncs.com", false),
            ("http://10.0.0.1", false),
            ("http://localhost.example.com", false),
            ("http://[::2]", false),
            ("http://128.0.0.1", false),
        ] {
            let e = Endpoint::parse(spec, Protocol::Https).unwrap();
            assert_eq!(strict.admit(&e, "endpoint").is_ok(), loopback, "{spec}");
            assert!(open.admit(&e, "endpoint").is_ok(), "{spec}");
        }
        let e = Endpoint::regional("actiontrail", "cn-hangzhou", Protocol::Http).unwrap();
        let why = strict.admit(&e, "protocol").unwrap_err();
        assert!(
            why.starts_with("protocol is http://actiontrail.cn-hangzhou.aliyuncs.com/")
                && why.contains("insecure_http = true"),
            "{why}"
        );
        let e = Endpoint::regional("actiontrail", "cn-hangzhou", Protocol::Https).unwrap();
        assert!(strict.admit(&e, "endpoint").is_ok());
    }

    #[test]
    fn a_shown_url_keeps_no_query_or_user_info() {
        let u = reqwest::Url::parse("http://u:p4ss@broker:9/creds?token=s3cret#x").unwrap();
        assert_eq!(shown_url(&u), "http://broker:9/creds");
    }

    #[test]
    fn the_regional_endpoint_follows_the_public_pattern() {
        let e = Endpoint::regional("actiontrail", "cn-hangzhou", Protocol::Https).unwrap();
        assert_eq!(e.base_url, "https://actiontrail.cn-hangzhou.aliyuncs.com");
        assert!(Endpoint::regional("actiontrail", "cn hangzhou/..", Protocol::Https).is_err());
    }
}
