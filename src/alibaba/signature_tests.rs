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
