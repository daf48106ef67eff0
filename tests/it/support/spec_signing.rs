//! Alibaba Cloud's two request signatures written again from the published algorithm,
//! without the crate's signing code, so that a test checking a signature does not check
//! the crate against itself. [`check_official_vectors`] pins this copy to the vectors the
//! official SDKs computed (`tests/data/alibaba-signatures.json`); every test that signs or
//! verifies with it calls that first.
//!
//! RPC (SignatureVersion 1.0, HMAC-SHA1): the parameters, each name and value
//! percent-encoded (RFC 3986 unreserved characters kept, everything else `%XX` in upper
//! case), sorted by encoded name and joined as `name=value&...`; the string to sign is
//! `METHOD&%2F&` and that query percent-encoded once more; the signature is the base64 of
//! HMAC-SHA1 keyed with `secret&`.
//!
//! ACS3-HMAC-SHA256: the canonical request is method, path, the sorted encoded query,
//! `name:value` lines of the signed headers (lower case, sorted), their names joined by
//! `;`, and the body's SHA-256 in hex, one per line; the string to sign is
//! `ACS3-HMAC-SHA256\n` and the canonical request's SHA-256 in hex; the signature is
//! HMAC-SHA256 keyed with the secret, in hex.

use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::Digest as _;
use std::collections::BTreeMap;

/// RFC 3986 percent-encoding as Alibaba's signatures use it.
pub fn encode(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The sorted, encoded `name=value&...` of `params`.
pub fn canonical_query<'a>(params: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut pairs: Vec<(String, String)> = params
        .into_iter()
        .map(|(k, v)| (encode(k), encode(v)))
        .collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// An RPC call's string to sign (`Signature` must not be among `params`).
pub fn rpc_string_to_sign<'a>(
    method: &str,
    params: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> String {
    format!("{method}&%2F&{}", encode(&canonical_query(params)))
}

/// An RPC call's signature.
pub fn rpc_signature(secret: &str, string_to_sign: &str) -> String {
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(format!("{secret}&").as_bytes()).unwrap();
    mac.update(string_to_sign.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// SHA-256 in lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(sha2::Sha256::digest(bytes))
}

/// An ACS3-HMAC-SHA256 `Authorization` header for a request whose signed headers are
/// `headers` (lower-case names).
pub fn acs3_authorization(
    method: &str,
    path: &str,
    query: &BTreeMap<String, String>,
    headers: &BTreeMap<String, String>,
    body_sha256: &str,
    (id, secret): (&str, &str),
) -> String {
    let signed: Vec<&str> = headers.keys().map(String::as_str).collect();
    let header_lines: String = headers
        .iter()
        .map(|(k, v)| format!("{k}:{}\n", v.trim()))
        .collect();
    let canonical = format!(
        "{method}\n{path}\n{}\n{header_lines}\n{}\n{body_sha256}",
        canonical_query(query.iter().map(|(k, v)| (k.as_str(), v.as_str()))),
        signed.join(";")
    );
    let string_to_sign = format!("ACS3-HMAC-SHA256\n{}", sha256_hex(canonical.as_bytes()));
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(string_to_sign.as_bytes());
    format!(
        "ACS3-HMAC-SHA256 Credential={id},SignedHeaders={},Signature={}",
        signed.join(";"),
        hex::encode(mac.finalize().into_bytes())
    )
}

/// Asserts that this copy computes every official vector.
pub fn check_official_vectors() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/alibaba-signatures.json"
    );
    let vectors: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let strings = |v: &serde_json::Value| -> BTreeMap<String, String> {
        v.as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
            .collect()
    };
    let rpc = vectors["rpc_hmac_sha1"].as_array().unwrap();
    assert!(!rpc.is_empty());
    for v in rpc {
        let params = strings(&v["params"]);
        let sts = rpc_string_to_sign(
            v["method"].as_str().unwrap(),
            params.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        );
        assert_eq!(sts, v["string_to_sign"], "{}", v["name"]);
        let signature = rpc_signature(v["secret"].as_str().unwrap(), &sts);
        assert_eq!(signature, v["signature"], "{}", v["name"]);
    }
    let acs3 = vectors["acs3_hmac_sha256"].as_array().unwrap();
    assert!(!acs3.is_empty());
    for v in acs3 {
        let auth = acs3_authorization(
            v["method"].as_str().unwrap(),
            v["path"].as_str().unwrap(),
            &strings(&v["query"]),
            &strings(&v["headers"]),
            &sha256_hex(v["body"].as_str().unwrap().as_bytes()),
            (
                v["access_key_id"].as_str().unwrap(),
                v["secret"].as_str().unwrap(),
            ),
        );
        assert_eq!(auth, v["authorization"], "{}", v["name"]);
    }
}
