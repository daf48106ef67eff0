//! One HTTP exchange of an RPC-style request (`POST /?Action=...&Version=...`), signed
//! by `signature.rs`: the answer read whole within its cap and time limit, transport
//! failures sorted by whether the request may have been sent, and the standard error body.

use super::redact;
use super::signature::SignedRequest;
use std::time::Duration;

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
    /// Where the body stops being UTF-8 text, when it does: its bad bytes are replaced in
    /// `body` for a quoted excerpt, and no answer may be read from it (a replaced byte in a
    /// member's name would make the member one the answer does not define).
    pub not_utf8_at: Option<usize>,
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
    let location = location(&response);
    let (body, not_utf8_at) = read_body(response, MAX_BODY_BYTES).await?;
    Ok(RawResponse {
        status,
        retry_after,
        location,
        body,
        not_utf8_at,
    })
}

/// The `Location` header of `response`, when it has one (a redirect's target, which
/// [`location_host`] names by its host alone).
pub fn location(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get(reqwest::header::LOCATION)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
}

/// The whole body of `response` as text, with where it stops being UTF-8 if it does ([`body_text`]),
/// or [`SendFailure::TooLarge`] when it is longer than `cap`: never a cut body.
pub async fn read_body(
    response: reqwest::Response,
    cap: usize,
) -> Result<(String, Option<usize>), SendFailure> {
    let http_status = response.status().as_u16();
    let (bytes, cut) = read_capped(response, cap).await.map_err(classify)?;
    if cut {
        return Err(SendFailure::TooLarge { http_status, cap });
    }
    Ok(body_text(bytes))
}

/// An answer's body as text: valid UTF-8, as the API's JSON is, is kept without a copy;
/// anything else has its bad bytes replaced, for an excerpt only, and the offset of the
/// first, by which every reader refuses it as an answer.
fn body_text(bytes: Vec<u8>) -> (String, Option<usize>) {
    match String::from_utf8(bytes) {
        Ok(text) => (text, None),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            (String::from_utf8_lossy(e.as_bytes()).into_owned(), Some(at))
        }
    }
}

/// Why `raw` holds no answer to read, when its body is not UTF-8 text.
pub fn not_text(raw: &RawResponse) -> Option<String> {
    raw.not_utf8_at.map(crate::alibaba::decode::not_utf8)
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

    #[test]
    fn a_body_that_is_not_utf8_has_its_bad_bytes_replaced_and_says_where() {
        assert_eq!(
            body_text(b"{\"a\":1}".to_vec()),
            ("{\"a\":1}".to_owned(), None)
        );
        assert_eq!(
            body_text(vec![b'{', 0xff, b'}']),
            ("{\u{FFFD}}".to_owned(), Some(1))
        );
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
