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
        for spec in ["http://admin:hunter22@127.0.0.1:1", "https://:hunter22@h"] {
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
    fn the_regional_endpoint_follows_the_public_pattern() {
        let e = Endpoint::regional("actiontrail", "cn-hangzhou", Protocol::Https).unwrap();
        assert_eq!(e.base_url, "https://actiontrail.cn-hangzhou.aliyuncs.com");
        assert!(Endpoint::regional("actiontrail", "cn hangzhou/..", Protocol::Https).is_err());
    }
}
