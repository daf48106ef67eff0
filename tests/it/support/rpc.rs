//! The one request signer the tests call the emulator with: RPC (HMAC-SHA1) calls built
//! from the crate's signature functions, with knobs to break them on purpose, and
//! ACS3-HMAC-SHA256 calls.

use actiontrail_provider::alibaba::signature::{self, Acs3Request};
use serde_json::Value as J;
use std::collections::BTreeMap;

/// A UTC timestamp `offset_secs` from now, as RPC and ACS3 requests carry it.
pub fn timestamp(offset_secs: i64) -> String {
    (time::OffsetDateTime::now_utc() + time::Duration::seconds(offset_secs))
        .format(&time::macros::format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second]Z"
        ))
        .unwrap()
}

/// What an answer was: HTTP status, headers and JSON body (null when the body is not JSON).
#[derive(Debug)]
pub struct Answer {
    /// HTTP status.
    pub status: u16,
    /// The response headers (`x-acs-retry-after` on a throttled answer).
    pub headers: reqwest::header::HeaderMap,
    /// The body.
    pub body: J,
}

impl Answer {
    /// The error code, or "".
    pub fn code(&self) -> &str {
        self.body["Code"].as_str().unwrap_or("")
    }

    /// The body of a 200 answer; panics naming the body otherwise.
    pub fn ok(self) -> J {
        assert_eq!(self.status, 200, "{}", self.body);
        self.body
    }

    /// Asserts an API error with `code` and `status` and every field of the error shape.
    pub fn err(&self, code: &str, status: u16) {
        assert_eq!((self.code(), self.status), (code, status), "{}", self.body);
        for field in ["RequestId", "HostId", "Code", "Message", "Recommend"] {
            assert!(self.body[field].is_string(), "{field} in {}", self.body);
        }
    }
}

async fn answer(resp: reqwest::Response) -> Answer {
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let body = resp.json().await.unwrap_or(J::Null);
    Answer {
        status,
        headers,
        body,
    }
}

/// A signed RPC (HMAC-SHA1) call to `url`; the public fields edit the common parameters
/// before signing.
pub struct Rpc {
    /// Base URL, `http://127.0.0.1:PORT`.
    pub url: String,
    /// AccessKeyId.
    pub id: String,
    /// The secret to sign with.
    pub secret: String,
    /// SecurityToken, for temporary credentials.
    pub token: Option<String>,
    /// `POST` (form body) or `GET` (query string).
    pub method: &'static str,
    /// Version.
    pub version: &'static str,
    /// Timestamp.
    pub timestamp: String,
    /// SignatureNonce.
    pub nonce: String,
    /// A parameter to leave out (`Signature` too).
    pub omit: Option<&'static str>,
}

impl Rpc {
    /// A POST signed by `(id, secret)`, timestamped now, with a fresh nonce.
    pub fn new(url: &str, (id, secret): (&str, &str)) -> Rpc {
        Rpc {
            url: url.to_owned(),
            id: id.into(),
            secret: secret.into(),
            token: None,
            method: "POST",
            version: "2020-07-06",
            timestamp: timestamp(0),
            nonce: uuid::Uuid::new_v4().to_string(),
            omit: None,
        }
    }

    /// Every parameter of the call, `Signature` last.
    pub fn params(&self, action: &str, extra: &[(&str, &str)]) -> Vec<(String, String)> {
        let mut all: Vec<(String, String)> = [
            ("Action", action),
            ("Version", self.version),
            ("Format", "JSON"),
            ("AccessKeyId", &self.id),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureVersion", "1.0"),
            ("SignatureNonce", &self.nonce),
            ("Timestamp", &self.timestamp),
        ]
        .iter()
        .chain(extra.iter())
        .filter(|(k, _)| Some(*k) != self.omit)
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        if let Some(t) = &self.token {
            all.push(("SecurityToken".into(), t.clone()));
        }
        let sts = signature::rpc_string_to_sign(
            self.method,
            all.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        );
        if self.omit != Some("Signature") {
            all.push((
                "Signature".into(),
                signature::rpc_signature(&self.secret, &sts),
            ));
        }
        all
    }

    /// Sends the call.
    pub async fn call(&self, action: &str, extra: &[(&str, &str)]) -> Answer {
        let params = self.params(action, extra);
        let url = format!("{}/", self.url);
        let client = reqwest::Client::new();
        let req = if self.method == "GET" {
            client.get(&url).query(&params)
        } else {
            client.post(&url).form(&params)
        };
        answer(req.send().await.unwrap()).await
    }

    /// Sends the call from synchronous code.
    pub fn call_blocking(&self, action: &str, extra: &[(&str, &str)]) -> Answer {
        tokio::runtime::Runtime::new()
            .unwrap()
            .block_on(self.call(action, extra))
    }
}

/// A signed ACS3-HMAC-SHA256 call to `url` with parameters in the query string.
pub async fn acs3(
    url: &str,
    (id, secret): (&str, &str),
    token: Option<&str>,
    action: &str,
    params: &[(&str, &str)],
) -> Answer {
    let query: BTreeMap<String, String> = params
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let body_sha = signature::sha256_hex(b"");
    let host = url.strip_prefix("http://").unwrap_or(url);
    let mut headers = BTreeMap::from([
        ("host".to_string(), host.to_string()),
        ("x-acs-action".to_string(), action.to_string()),
        ("x-acs-version".to_string(), "2020-07-06".to_string()),
        ("x-acs-date".to_string(), timestamp(0)),
        (
            "x-acs-signature-nonce".to_string(),
            uuid::Uuid::new_v4().to_string(),
        ),
        ("x-acs-content-sha256".to_string(), body_sha.clone()),
    ]);
    if let Some(t) = token {
        headers.insert("x-acs-security-token".into(), t.into());
    }
    let auth = Acs3Request {
        method: "POST",
        path: "/",
        query: &query,
        headers: &headers,
        body_sha256: &body_sha,
    }
    .authorization(id, secret);
    let mut req = reqwest::Client::new()
        .post(format!("{url}/"))
        .query(&query)
        .header("authorization", auth);
    for (k, v) in &headers {
        if k != "host" {
            req = req.header(k, v);
        }
    }
    answer(req.send().await.unwrap()).await
}
