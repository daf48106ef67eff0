//! Request signing: RPC HMAC-SHA1 (SignatureVersion 1.0) and ACS3-HMAC-SHA256.
//!
//! Both the client (to sign) and the emulator (to verify) use these functions, and the unit
//! tests reproduce the signatures Alibaba's official SDKs compute
//! (`shared/vectors/alibaba-signatures.json`).

use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// Everything but `A-Za-z0-9-_.~` is percent-encoded (RFC 3986 unreserved), as Alibaba
/// requires: space is `%20`, `*` is `%2A`, `~` stays. Bytes past ASCII are those of the
/// UTF-8 encoding, each encoded on its own.
fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~')
}

/// Appends `s` to `out`, percent-encoded the way Alibaba's signature algorithms require.
/// Every request signs and sends a few hundred encoded bytes, so this writes them
/// straight into the buffer rather than through a formatter.
fn percent_encode_into(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in s.as_bytes() {
        if is_unreserved(b) {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0xF)]));
        }
    }
}

/// Percent-encodes `s` the way Alibaba's signature algorithms require.
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 2);
    percent_encode_into(&mut out, s);
    out
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn vectors() -> Value {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/alibaba-signatures.json"
        );
        let text = std::fs::read_to_string(path).expect("signature vectors are in tests/data");
        serde_json::from_str(&text).unwrap()
    }

    fn string_map(v: &Value) -> BTreeMap<String, String> {
        v.as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
            .collect()
    }

    #[test]
    fn reproduces_every_official_rpc_hmac_sha1_vector() {
        let v = vectors();
        let cases = v["rpc_hmac_sha1"].as_array().unwrap();
        assert!(cases.len() >= 4);
        for case in cases {
            let params = string_map(&case["params"]);
            let pairs = || params.iter().map(|(k, v)| (k.as_str(), v.as_str()));
            let name = case["name"].as_str().unwrap();
            assert_eq!(
                canonicalized_query(pairs()),
                case["canonicalized_query_string"].as_str().unwrap(),
                "{name}"
            );
            let sts = rpc_string_to_sign(case["method"].as_str().unwrap(), pairs());
            assert_eq!(sts, case["string_to_sign"].as_str().unwrap(), "{name}");
            assert_eq!(
                rpc_signature(case["secret"].as_str().unwrap(), &sts),
                case["signature"].as_str().unwrap(),
                "{name}"
            );
        }
    }

    #[test]
    fn reproduces_every_official_acs3_vector() {
        let v = vectors();
        let cases = v["acs3_hmac_sha256"].as_array().unwrap();
        assert!(!cases.is_empty());
        for case in cases {
            let query = string_map(&case["query"]);
            let headers = string_map(&case["headers"]);
            let body_sha = sha256_hex(case["body"].as_str().unwrap().as_bytes());
            let req = Acs3Request {
                method: case["method"].as_str().unwrap(),
                path: case["path"].as_str().unwrap(),
                query: &query,
                headers: &headers,
                body_sha256: &body_sha,
            };
            assert_eq!(
                req.canonical_request(),
                case["canonical_request"].as_str().unwrap()
            );
            assert_eq!(
                req.string_to_sign(),
                case["string_to_sign"].as_str().unwrap()
            );
            assert_eq!(
                req.authorization(
                    case["access_key_id"].as_str().unwrap(),
                    case["secret"].as_str().unwrap()
                ),
                case["authorization"].as_str().unwrap()
            );
        }
    }

    #[test]
    fn percent_encodes_only_outside_the_unreserved_set() {
        assert_eq!(
            percent_encode("a b*~é+/=-_."),
            "a%20b%2A~%C3%A9%2B%2F%3D-_."
        );
    }

    #[test]
    fn percent_encodes_every_byte_outside_the_unreserved_set_as_uppercase_hex() {
        for c in (0u8..=0x7F).map(char::from).chain(['é', '中', '\u{1F600}']) {
            let s = c.to_string();
            let want: String = if c.is_ascii_alphanumeric() || "-_.~".contains(c) {
                s.clone()
            } else {
                s.bytes().map(|b| format!("%{b:02X}")).collect()
            };
            assert_eq!(percent_encode(&s), want, "{c:?}");
        }
    }

    #[test]
    fn the_string_to_sign_of_a_canonical_query_is_that_of_its_parameters() {
        let params = [("Action", "A b"), ("Key", "k/1*")];
        assert_eq!(
            rpc_string_to_sign_of("post", &canonicalized_query(params)),
            rpc_string_to_sign("POST", params)
        );
    }

    #[test]
    fn canonicalizes_space_tilde_star_plus_and_unicode() {
        let q = canonicalized_query([
            ("Name", "a b"),
            ("Tilde", "~x~"),
            ("Star", "*"),
            ("Plus", "1+1"),
            ("Han", "中文"),
            ("Emoji", "\u{1F600}"),
        ]);
        assert_eq!(
            q,
            "Emoji=%F0%9F%98%80&Han=%E4%B8%AD%E6%96%87&Name=a%20b&Plus=1%2B1&Star=%2A&Tilde=~x~"
        );
    }

    #[test]
    fn canonicalization_sorts_by_encoded_key_and_keeps_empty_values() {
        // `_` (0x5F) sorts after upper-case letters and before lower-case ones.
        let q = canonicalized_query([("b", ""), ("a_b", "1"), ("aB", "2"), ("A", "3")]);
        assert_eq!(q, "A=3&aB=2&a_b=1&b=");
    }

    #[test]
    fn the_string_to_sign_encodes_the_query_a_second_time() {
        let sts = rpc_string_to_sign("post", [("K", "a b"), ("T", "~")]);
        assert_eq!(sts, "POST&%2F&K%3Da%2520b%26T%3D~");
    }

    #[test]
    fn an_empty_secret_still_signs() {
        assert_eq!(rpc_signature("", "x").len(), 28);
    }
}
