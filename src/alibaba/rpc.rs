//! RPC-style requests (`POST /?Action=...&Version=...`): the common parameters, both
//! signature algorithms, one HTTP exchange, and the standard error body.
//!
//! Every parameter travels in the query string, as the official SDKs send RPC calls, so the
//! bytes signed are the bytes sent and the body stays empty.

use super::access_key::Credentials;
use super::endpoint::Endpoint;
use super::redact;
use super::signature::{canonicalized_query, percent_encode, rpc_signature, rpc_string_to_sign_of};
use super::signature::{sha256_hex, Acs3Request};
use std::collections::BTreeMap;
use std::time::Duration;
use time::OffsetDateTime;

/// How requests are signed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum SignatureAlgorithm {
    /// RPC signature version 1.0, HMAC-SHA1 over the sorted query (the default: every
    /// Alibaba endpoint and emulator understands it).
    #[default]
    HmacSha1,
    /// ACS3-HMAC-SHA256 with the `x-acs-*` headers and an `Authorization` header.
    Acs3HmacSha256,
}

/// One RPC call before signing.
#[derive(Clone, Debug)]
pub struct RpcRequest<'a> {
    /// The `Action`, e.g. `GetAccessKeyLastUsedInfo`.
    pub action: &'a str,
    /// The API `Version`, e.g. `2020-07-06`.
    pub version: &'a str,
    /// The operation's own parameters.
    pub params: &'a BTreeMap<String, String>,
}

/// A signed request, ready to send as `POST`.
#[derive(Clone)]
pub struct SignedRequest {
    /// Full URL including the query string.
    pub url: String,
    /// Extra headers (ACS3 headers and `Authorization`; none for HMAC-SHA1).
    pub headers: Vec<(String, String)>,
}

impl std::fmt::Debug for SignedRequest {
    // The URL and headers hold signatures and security tokens: never print them.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignedRequest").finish_non_exhaustive()
    }
}

/// `YYYY-MM-DDThh:mm:ssZ` in UTC, the form both signature algorithms require.
pub fn timestamp(now: OffsetDateTime) -> String {
    let t = now.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// A fresh SignatureNonce: a random (version 4) UUID drawn from the thread's
/// cryptographic generator, which the OS seeds, rather than a system call per request.
pub fn nonce() -> String {
    uuid::Builder::from_random_bytes(rand::random())
        .into_uuid()
        .to_string()
}

/// Signs `req` for `endpoint` with `credentials`, at `now` with `nonce`.
pub fn sign(
    req: &RpcRequest<'_>,
    endpoint: &Endpoint,
    credentials: &Credentials,
    algorithm: SignatureAlgorithm,
    now: OffsetDateTime,
    nonce: &str,
) -> SignedRequest {
    let ts = timestamp(now);
    match algorithm {
        SignatureAlgorithm::HmacSha1 => {
            let mut all: BTreeMap<&str, &str> = req
                .params
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            all.insert("Action", req.action);
            all.insert("Version", req.version);
            all.insert("Format", "JSON");
            all.insert("AccessKeyId", &credentials.access_key_id);
            all.insert("SignatureMethod", "HMAC-SHA1");
            all.insert("SignatureVersion", "1.0");
            all.insert("SignatureNonce", nonce);
            all.insert("Timestamp", &ts);
            if let Some(token) = credentials.token() {
                all.insert("SecurityToken", token);
            }
            // The query sent is the one signed, built once.
            let query = canonicalized_query(all.iter().map(|(k, v)| (*k, *v)));
            let string_to_sign = rpc_string_to_sign_of("POST", &query);
            let signature = rpc_signature(credentials.access_key_secret.expose(), &string_to_sign);
            SignedRequest {
                url: format!(
                    "{}/?{query}&Signature={}",
                    endpoint.base_url,
                    percent_encode(&signature)
                ),
                headers: Vec::new(),
            }
        }
        SignatureAlgorithm::Acs3HmacSha256 => {
            let body_sha256 = sha256_hex(b"");
            let mut headers = BTreeMap::new();
            headers.insert("host".to_owned(), endpoint.host.clone());
            headers.insert("x-acs-action".to_owned(), req.action.to_owned());
            headers.insert("x-acs-version".to_owned(), req.version.to_owned());
            headers.insert("x-acs-date".to_owned(), ts);
            headers.insert("x-acs-signature-nonce".to_owned(), nonce.to_owned());
            headers.insert("x-acs-content-sha256".to_owned(), body_sha256.clone());
            if let Some(token) = credentials.token() {
                headers.insert("x-acs-security-token".to_owned(), token.to_owned());
            }
            let acs3 = Acs3Request {
                method: "POST",
                path: "/",
                query: req.params,
                headers: &headers,
                body_sha256: &body_sha256,
            };
            let authorization = acs3.authorization(
                &credentials.access_key_id,
                credentials.access_key_secret.expose(),
            );
            let query =
                canonicalized_query(req.params.iter().map(|(k, v)| (k.as_str(), v.as_str())));
            // reqwest writes `host` itself from the URL, with the same value signed here.
            let mut out: Vec<(String, String)> =
                headers.into_iter().filter(|(k, _)| k != "host").collect();
            out.push(("authorization".to_owned(), authorization));
            let url = if query.is_empty() {
                format!("{}/", endpoint.base_url)
            } else {
                format!("{}/?{query}", endpoint.base_url)
            };
            SignedRequest { url, headers: out }
        }
    }
}

/// A response as received: status, the `x-acs-retry-after` hint and the body text.
#[derive(Clone, Debug)]
pub struct RawResponse {
    /// HTTP status.
    pub status: u16,
    /// `x-acs-retry-after`, milliseconds, when the server sent it.
    pub retry_after: Option<Duration>,
    /// The `Location` header of a redirect, when sent.
    pub location: Option<String>,
    /// The body, lossily decoded as UTF-8.
    pub body: String,
}

/// Why an exchange produced no response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SendFailure {
    /// The body was longer than the cap: an error naming the cap, never a cut body that
    /// may still parse (a never-used answer, padding, then the real one).
    TooLarge {
        /// HTTP status of the answer.
        http_status: u16,
        /// The cap, in bytes.
        cap: usize,
    },
    /// The connect or the whole exchange exceeded its time limit.
    Timeout {
        /// Whether the request may have reached the server (false: connect timeout).
        may_have_been_sent: bool,
        /// What the HTTP stack said.
        detail: String,
    },
    /// The connection failed or broke.
    Transport {
        /// Whether the request may have reached the server (false: never connected).
        may_have_been_sent: bool,
        /// What the HTTP stack said.
        detail: String,
    },
}

/// The largest body read: a page of 100 events is a few hundred kilobytes, so anything
/// near this is not an ActionTrail answer and must not exhaust memory.
pub const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// Sends `req` as `POST` and reads the whole answer within `timeout`.
pub async fn send(
    http: &reqwest::Client,
    req: &SignedRequest,
    timeout: Duration,
) -> Result<RawResponse, SendFailure> {
    let mut builder = http.post(&req.url).timeout(timeout);
    for (k, v) in &req.headers {
        builder = builder.header(k.as_str(), v.as_str());
    }
    let response = builder.send().await.map_err(classify)?;
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get("x-acs-retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_millis);
    let location = response
        .headers()
        .get(reqwest::header::LOCATION)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    Ok(RawResponse {
        status,
        retry_after,
        location,
        body: read_body(response, MAX_BODY_BYTES).await?,
    })
}

/// The whole body of `response` as text, or [`SendFailure::TooLarge`] when it is longer
/// than `cap`: never a cut body.
pub async fn read_body(response: reqwest::Response, cap: usize) -> Result<String, SendFailure> {
    let http_status = response.status().as_u16();
    let (bytes, cut) = read_capped(response, cap).await.map_err(classify)?;
    if cut {
        return Err(SendFailure::TooLarge { http_status, cap });
    }
    Ok(body_text(bytes))
}

/// An answer's body as text: valid UTF-8, as the API's JSON is, is kept without a copy;
/// anything else has its bad bytes replaced, so it fails to parse as the API's answer.
fn body_text(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Reads at most `cap` bytes of `response`'s body; the flag says whether more came, and
/// every caller refuses a body that was cut (see [`SendFailure::TooLarge`]).
pub async fn read_capped(
    mut response: reqwest::Response,
    cap: usize,
) -> Result<(Vec<u8>, bool), reqwest::Error> {
    let mut bytes = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        let room = cap.saturating_sub(bytes.len());
        if chunk.len() > room {
            bytes.extend_from_slice(chunk.get(..room).unwrap_or_default());
            return Ok((bytes, true));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok((bytes, false))
}

/// The host a redirect points at (never its path or query, which may carry anything).
pub fn location_host(location: Option<&str>) -> String {
    let Some(loc) = location else {
        return "(no Location header)".to_owned();
    };
    match reqwest::Url::parse(loc) {
        Ok(url) => match (url.host_str(), url.port()) {
            (Some(h), Some(p)) => format!("{h}:{p}"),
            (Some(h), None) => h.to_owned(),
            _ => "(a Location without a host)".to_owned(),
        },
        // A relative Location points back at the same host.
        Err(_) => "(a path on the same host)".to_owned(),
    }
}

/// Sorts a reqwest failure into timeout or transport, and whether it may have been sent.
pub fn classify(e: reqwest::Error) -> SendFailure {
    let connect = e.is_connect();
    let detail = error_chain(&e);
    if e.is_timeout() {
        SendFailure::Timeout {
            may_have_been_sent: !connect,
            detail,
        }
    } else {
        SendFailure::Transport {
            may_have_been_sent: !connect && !e.is_builder(),
            detail,
        }
    }
}

/// `e` and its sources, joined with `: ` (reqwest's top-level message hides the cause).
/// URLs are stripped because RPC URLs carry signatures and tokens.
pub fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut cur = e.source();
    while let Some(s) = cur {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        cur = s.source();
    }
    redact::redact(&redact_query(&out))
}

pub use super::service_error::ServiceError;

/// Removes query strings from any URL in `text`.
fn redact_query(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(q) = rest.find('?') {
        out.push_str(&rest[..q]);
        let tail = &rest[q..];
        let end = tail
            .find(|c: char| c.is_whitespace() || c == ')' || c == '"')
            .unwrap_or(tail.len());
        out.push_str("?<redacted>");
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alibaba::signature::rpc_string_to_sign;

    #[test]
    fn a_body_that_is_not_utf8_has_its_bad_bytes_replaced() {
        assert_eq!(body_text(b"{\"a\":1}".to_vec()), "{\"a\":1}");
        assert_eq!(body_text(vec![b'{', 0xff, b'}']), "{\u{FFFD}}");
    }

    #[test]
    fn nonces_are_fresh_version_4_uuids() {
        let a = nonce();
        let b = nonce();
        assert_ne!(a, b);
        for n in [&a, &b] {
            let u = uuid::Uuid::parse_str(n).expect("a nonce is a UUID");
            assert_eq!(u.get_version_num(), 4, "{n}");
            assert_eq!(n.len(), 36);
        }
    }

    fn creds(token: Option<&str>) -> Credentials {
        Credentials {
            access_key_id: "testid".into(),
            access_key_secret: "testsecret".into(),
            security_token: token.map(Into::into),
            expiration: None,
        }
    }

    fn params(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    /// `action` with `pairs` to `ep`, signed with `algorithm` by the test key (and `token`)
    /// at Unix time `unix`.
    fn signed_at(
        ep: &Endpoint,
        action: &str,
        pairs: &[(&str, &str)],
        token: Option<&str>,
        algorithm: SignatureAlgorithm,
        unix: i64,
    ) -> SignedRequest {
        let p = params(pairs);
        let req = RpcRequest {
            action,
            version: "2020-07-06",
            params: &p,
        };
        let now = OffsetDateTime::from_unix_timestamp(unix).unwrap();
        sign(&req, ep, &creds(token), algorithm, now, "n1")
    }

    fn query_of(url: &str) -> BTreeMap<String, String> {
        let q = url.split_once('?').map(|(_, q)| q).unwrap_or("");
        form_urlencoded::parse(q.as_bytes()).into_owned().collect()
    }

    #[test]
    fn hmac_sha1_request_carries_every_common_parameter_and_verifies() {
        let ep = Endpoint::parse("http://127.0.0.1:1", Default::default()).unwrap();
        let signed = signed_at(
            &ep,
            "GetAccessKeyLastUsedIps",
            &[("AccessKey", "LTAI ~*é"), ("PageSize", "100")],
            Some("tok"),
            SignatureAlgorithm::HmacSha1,
            1_700_000_000,
        );
        let q = query_of(&signed.url);
        assert_eq!(q["Timestamp"], "2023-11-14T22:13:20Z");
        assert_eq!(q["SecurityToken"], "tok");
        assert_eq!(q["AccessKey"], "LTAI ~*é");
        assert_eq!(q["SignatureMethod"], "HMAC-SHA1");
        // The server's view: recompute over everything but Signature.
        let mut rest = q.clone();
        let sig = rest.remove("Signature").unwrap();
        let sts = rpc_string_to_sign("POST", rest.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        assert_eq!(sig, rpc_signature("testsecret", &sts));
        // What is sent is the canonical encoding: `%20` not `+`, `~` bare, `*` encoded.
        assert!(signed.url.contains("AccessKey=LTAI%20~%2A%C3%A9"));
    }

    #[test]
    fn acs3_request_signs_the_x_acs_headers_and_host() {
        let ep = Endpoint::parse("127.0.0.1:8", super::super::endpoint::Protocol::Http).unwrap();
        let signed = signed_at(
            &ep,
            "GetAccessKeyLastUsedInfo",
            &[("AccessKey", "k")],
            None,
            SignatureAlgorithm::Acs3HmacSha256,
            0,
        );
        let h: BTreeMap<_, _> = signed.headers.iter().cloned().collect();
        assert_eq!(h["x-acs-date"], "1970-01-01T00:00:00Z");
        assert!(!h.contains_key("x-acs-security-token"));
        assert!(h["authorization"].starts_with(
            "ACS3-HMAC-SHA256 Credential=testid,SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature="
        ));
        assert_eq!(signed.url, "http://127.0.0.1:8/?AccessKey=k");
    }

    #[test]
    fn the_signed_request_debug_hides_url_and_headers() {
        let s = SignedRequest {
            url: "http://h/?Signature=abc&SecurityToken=tok".into(),
            headers: vec![("authorization".into(), "sig".into())],
        };
        let d = format!("{s:?}");
        assert!(!d.contains("abc") && !d.contains("tok") && !d.contains("sig\""));
    }

    #[test]
    fn error_text_never_carries_a_query_string() {
        assert_eq!(
            redact_query("error sending request for url (http://h/?Signature=x&SecurityToken=y)"),
            "error sending request for url (http://h/?<redacted>)"
        );
    }

    #[test]
    fn a_redirect_is_named_by_its_host_alone() {
        assert_eq!(
            location_host(Some("http://127.0.0.1:9/?SecurityToken=x")),
            "127.0.0.1:9"
        );
        assert_eq!(
            location_host(Some("/elsewhere")),
            "(a path on the same host)"
        );
        assert_eq!(location_host(None), "(no Location header)");
    }
}
