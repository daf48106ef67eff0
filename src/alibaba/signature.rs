//! Request signing: RPC HMAC-SHA1 (SignatureVersion 1.0) and ACS3-HMAC-SHA256, and
//! [`sign`], which turns one RPC call into the request sent, common parameters and all.
//!
//! Every parameter travels in the query string, as the official SDKs send RPC calls, so the
//! bytes signed are the bytes sent and the body stays empty. Both the client (to sign) and
//! the emulator (to verify) use these functions, and the unit tests reproduce the
//! signatures Alibaba's official SDKs compute (`shared/vectors/alibaba-signatures.json`).

use super::access_key::Credentials;
use super::endpoint::Endpoint;
use super::percent::{percent_encode, percent_encode_into};
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use time::OffsetDateTime;

/// The canonicalized query string: parameters sorted by key, each key and value
/// percent-encoded, joined `k=v` with `&`.
pub fn canonicalized_query<'a, I>(params: I) -> String
where
    I: IntoIterator<Item = (&'a str, &'a str)>,
{
    let mut pairs: Vec<(String, String)> = params
        .into_iter()
        .map(|(k, v)| (percent_encode(k), percent_encode(v)))
        .collect();
    pairs.sort();
    let mut out = String::with_capacity(pairs.iter().map(|(k, v)| k.len() + v.len() + 2).sum());
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(k);
        out.push('=');
        out.push_str(v);
    }
    out
}

/// The RPC StringToSign: `METHOD&%2F&` + percentEncode(canonicalized query). The
/// `Signature` parameter itself must not be among `params`.
pub fn rpc_string_to_sign<'a, I>(method: &str, params: I) -> String
where
    I: IntoIterator<Item = (&'a str, &'a str)>,
{
    rpc_string_to_sign_of(method, &canonicalized_query(params))
}

/// The RPC StringToSign of a query already canonicalized, so that a request sends the
/// very string it signed without building it twice.
pub fn rpc_string_to_sign_of(method: &str, canonical_query: &str) -> String {
    let mut out = String::with_capacity(method.len() + 5 + canonical_query.len() * 3 / 2);
    out.push_str(&method.to_ascii_uppercase());
    out.push_str("&%2F&");
    percent_encode_into(&mut out, canonical_query);
    out
}

/// The RPC signature: base64(HMAC-SHA1(secret + "&", string_to_sign)).
pub fn rpc_signature(secret: &str, string_to_sign: &str) -> String {
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(format!("{secret}&").as_bytes())
        .expect("HMAC accepts a key of any length");
    mac.update(string_to_sign.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// Lowercase hex SHA-256 of `data`.
pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// An ACS3-HMAC-SHA256 request to sign. Header names must be lowercase; every header given
/// is signed.
#[derive(Clone, Debug)]
pub struct Acs3Request<'a> {
    /// HTTP method.
    pub method: &'a str,
    /// Canonical URI, `/` for RPC-style APIs.
    pub path: &'a str,
    /// Query parameters.
    pub query: &'a BTreeMap<String, String>,
    /// Lowercase header names and their values (host, x-acs-*, content-type...).
    pub headers: &'a BTreeMap<String, String>,
    /// Hex SHA-256 of the body (the `x-acs-content-sha256` value).
    pub body_sha256: &'a str,
}

impl Acs3Request<'_> {
    /// The `;`-joined names of the signed headers.
    pub fn signed_headers(&self) -> String {
        self.headers
            .keys()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join(";")
    }

    /// The CanonicalRequest.
    pub fn canonical_request(&self) -> String {
        let query = canonicalized_query(self.query.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        let mut headers = String::new();
        for (k, v) in self.headers {
            headers.push_str(k);
            headers.push(':');
            headers.push_str(v.trim());
            headers.push('\n');
        }
        format!(
            "{}\n{}\n{}\n{}\n{}\n{}",
            self.method.to_ascii_uppercase(),
            self.path,
            query,
            headers,
            self.signed_headers(),
            self.body_sha256
        )
    }

    /// `ACS3-HMAC-SHA256\n` + hex(sha256(CanonicalRequest)).
    pub fn string_to_sign(&self) -> String {
        format!(
            "ACS3-HMAC-SHA256\n{}",
            sha256_hex(self.canonical_request().as_bytes())
        )
    }

    /// The hex signature over the string to sign.
    pub fn signature(&self, secret: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes())
            .expect("HMAC accepts a key of any length");
        mac.update(self.string_to_sign().as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    /// The `Authorization` header value.
    pub fn authorization(&self, access_key_id: &str, secret: &str) -> String {
        format!(
            "ACS3-HMAC-SHA256 Credential={},SignedHeaders={},Signature={}",
            access_key_id,
            self.signed_headers(),
            self.signature(secret)
        )
    }
}

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

#[cfg(test)]
#[path = "signature_tests.rs"]
mod tests;
