//! What the provider may quote of text it did not write: service messages, answer
//! excerpts, HTTP stack errors. Everything quoted goes through here first.
//!
//! A service's message can carry secrets: `SignatureDoesNotMatch` quotes the server's
//! string to sign, which holds the SecurityToken in HMAC-SHA1 mode; a proxy's page can
//! echo the signed URL. So names that carry secrets have their values replaced, in every
//! spelling a message uses (`k=v`, `"k":"v"`, `k: v`, and percent-encoded `k%3Dv` as in a
//! string to sign), URL userinfo is dropped, and the result is clipped.

/// How much of a service's message a diagnostic quotes.
pub const MESSAGE_BYTES: usize = 1024;

/// How much of an answer that is not an API answer a diagnostic quotes.
pub const EXCERPT_BYTES: usize = 256;

/// The placeholder for a removed value (the secret type's own, so both read the same).
pub use super::secret::REDACTED;

/// Names whose values are secret, compared without regard to case. `Signature` does not
/// match `SignatureNonce` or `SignatureMethod`: a separator must follow the name. The
/// first name a text starts with is the one tried, so a longer name comes before its
/// prefix (`secret_key` before `secret`). The bare `secret`, `token` and `password` are
/// what a helper process or a proxy writes (`secret=...`, `token: ...`).
const SECRET_NAMES: &[&str] = &[
    "securitytoken",
    "security_token",
    "security-token",
    "signature",
    "accesskeysecret",
    "access_key_secret",
    "secret_key",
    "secretkey",
    "authorization",
    "x-aliyun-ecs-metadata-token",
    "oidctoken",
    "oidc_token",
    "sts_token",
    "password",
    "client_secret",
    "secret",
    "token",
];

/// A value this long in a token's alphabet, after a secret name and a space (`the
/// SecurityToken CAIS... is invalid`), is taken for the secret itself.
const BARE_TOKEN_CHARS: usize = 16;

/// Separators between a name and its value, lower case.
const SEPARATORS: &[&str] = &["%253d", "%3d", "=", ":"];

/// Where a value ends.
const TERMINATORS: &[&str] = &[
    "%2526", "%26", "&", "\"", "'", ",", "}", ";", ")", "<", "\\",
];

/// `text` with secret values and URL userinfo removed.
pub fn redact(text: &str) -> String {
    strip_userinfo(&redact_named(text))
}

/// `text` with `known` secrets (the credentials in use) removed, then [`redact`]ed.
pub fn redact_known(text: &str, known: &[&str]) -> String {
    let mut out = text.to_owned();
    for secret in known.iter().filter(|s| s.len() >= 4) {
        out = out.replace(secret, REDACTED);
    }
    redact(&out)
}

/// `text` as it may leave the process, in a diagnostic or a log line: every secret the
/// process knows ([`crate::alibaba::secret::known`]) removed wherever it appears, as is or
/// percent-encoded (as in a URL or a string to sign), then the secret-bearing shapes
/// ([`redact`], JWTs, `Bearer` values). The one scrubber both boundaries call.
pub fn scrub(text: &str) -> String {
    let mut out = text.to_owned();
    for secret in crate::alibaba::secret::known() {
        if out.contains(&*secret) {
            out = out.replace(&*secret, REDACTED);
        }
        let encoded = crate::alibaba::percent::percent_encode(&secret);
        if encoded != *secret {
            for form in [encoded.replace('%', "%25"), encoded] {
                if out.contains(&form) {
                    out = out.replace(&form, REDACTED);
                }
            }
        }
    }
    redact(&redact_jwts(&redact_bearer(&out)))
}

/// A word at least this long, of a token's alphabet and holding both letters and digits,
/// is taken for an opaque credential when the text comes from a helper process.
const OPAQUE_WORD_CHARS: usize = 20;

/// [`scrub`]bed `text` with every opaque token-like word removed too: for what a helper
/// process printed, which may hold credentials the process has not registered (yet).
pub fn opaque(text: &str) -> String {
    let scrubbed = scrub(text);
    let mut out = String::with_capacity(scrubbed.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        let opaque = word.len() >= OPAQUE_WORD_CHARS
            && word.bytes().any(|b| b.is_ascii_digit())
            && word.bytes().any(|b| b.is_ascii_alphabetic());
        out.push_str(if opaque { REDACTED } else { word });
        word.clear();
    };
    for c in scrubbed.chars() {
        if c.is_ascii() && is_token_byte(c as u8) {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

/// At most `max` bytes of `text`, cut at a char boundary, with `...` when cut.
pub fn clip(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &text[..end])
}

/// A service message as a diagnostic may show it: scrubbed, then clipped.
pub fn message(text: &str) -> String {
    clip(&scrub(text), MESSAGE_BYTES)
}

/// An excerpt of an unexpected body: redacted (known secrets too), clipped, and with
/// control characters escaped so an HTML page stays one readable line.
pub fn excerpt(body: &str, known: &[&str]) -> String {
    let cleaned: String = redact_known(body, known)
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    clip(cleaned.trim(), EXCERPT_BYTES)
}

/// What is wrong with a JSON body, in words that quote none of its values: serde's own
/// message for a wrong type quotes the value found, which may be a secret.
pub fn json_shape(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let at = format!("line {}, column {}", e.line(), e.column());
    match e.classify() {
        Category::Eof => format!("the JSON ends early ({at}), as if cut off"),
        Category::Syntax => format!("it is not JSON ({at})"),
        Category::Io => "it could not be read".to_owned(),
        Category::Data => {
            let text = e.to_string();
            match text.strip_prefix("missing field ") {
                // `missing field `X` at line 1 column 2`: the name is the schema's, not data.
                Some(rest) => format!(
                    "the field {} is missing",
                    rest.split(" at line").next().unwrap_or(rest)
                ),
                None => format!("a field has the wrong type ({at})"),
            }
        }
    }
}

fn redact_named(text: &str) -> String {
    // ASCII lower-casing keeps byte offsets, so positions found in `lower` index `text`.
    let lower = text.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut at = 0;
    while at < text.len() {
        let Some((name_end, value_start, bare)) = secret_at(&lower, at) else {
            at += lower[at..].chars().next().map_or(1, char::len_utf8);
            continue;
        };
        let value_end = value_end(&lower, value_start);
        // A name followed by a mere word ("SecurityToken is invalid") is no secret.
        let token_like = !bare
            || (value_end - value_start >= BARE_TOKEN_CHARS
                && lower[value_start..value_end].bytes().all(is_token_byte));
        if value_end > value_start && token_like {
            out.push_str(&text[copied..value_start]);
            out.push_str(REDACTED);
            copied = value_end;
            at = value_end;
        } else {
            at = name_end;
        }
    }
    out.push_str(&text[copied..]);
    out
}

/// When a secret name starts at `at` (and is not the tail of a longer word), where the name
/// ends, where its value starts, and whether only whitespace separates them.
fn secret_at(lower: &str, at: usize) -> Option<(usize, usize, bool)> {
    let head = &lower[..at];
    let before = head.chars().next_back();
    // `%26` (an encoded `&`, as in a string to sign) ends a word like any separator.
    let encoded_separator = ["%26", "%3f", "%2526"].iter().any(|e| head.ends_with(e));
    if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') && !encoded_separator {
        return None;
    }
    let rest = &lower[at..];
    let name = SECRET_NAMES.iter().find(|n| rest.starts_with(**n))?;
    let name_end = at + name.len();
    let mut i = name_end;
    i += usize::from(lower[i..].starts_with('"'));
    let space = ws(&lower[i..]);
    i += space;
    let Some(sep) = SEPARATORS.iter().find(|s| lower[i..].starts_with(**s)) else {
        return (space > 0).then_some((name_end, i, true));
    };
    i += sep.len();
    i += ws(&lower[i..]);
    i += usize::from(lower[i..].starts_with('"'));
    Some((name_end, i, false))
}

/// Bytes a token (base64, base64url, hex, an STS token) is made of.
fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'-' | b'_' | b'.')
}

/// Removes JWT-shaped tokens (`eyJ...` header, payload and signature in base64url, joined
/// by dots): an OIDC token quoted back by an identity provider or STS.
fn redact_jwts(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut from = 0;
    while let Some(p) = text[from..].find("eyJ") {
        let at = from + p;
        let starts_word = !text[..at]
            .bytes()
            .next_back()
            .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if !starts_word {
            from = at + 3;
            continue;
        }
        let len = text[at..]
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
            .count();
        work::charge(len);
        if text[at..at + len].matches('.').count() >= 2 && len >= 20 {
            out.push_str(&text[copied..at]);
            out.push_str(REDACTED);
            copied = at + len;
        }
        // No token starts inside a word that is none: one after a dot would be shorter
        // and have fewer dots. So the word is measured once.
        from = at + len;
    }
    out.push_str(&text[copied..]);
    out
}

/// Removes the credential after `Bearer ` (any case), as an `Authorization` header quoted
/// without its name carries it.
fn redact_bearer(text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut from = 0;
    while let Some(p) = lower[from..].find("bearer ") {
        let start = from + p + "bearer ".len();
        let len = lower[start..]
            .bytes()
            .take_while(|b| is_token_byte(*b))
            .count();
        if len > 0 {
            out.push_str(&text[copied..start]);
            out.push_str(REDACTED);
            copied = start + len;
        }
        from = start + len;
    }
    out.push_str(&text[copied..]);
    out
}

fn ws(s: &str) -> usize {
    s.len() - s.trim_start_matches([' ', '\t']).len()
}

/// Where the value starting at `start` ends: at the first whitespace or terminator, found
/// in one forward scan that stops there. (Searching the rest of the text for each
/// terminator in turn would cost the whole rest per value: quadratic over a body of many
/// short values.)
fn value_end(lower: &str, start: usize) -> usize {
    let rest = &lower[start..];
    // An `Authorization: ACS3-HMAC-SHA256 Credential=...` value has spaces; the scheme
    // alone is no secret, and the signature is caught by its own name.
    let end = rest
        .char_indices()
        .find(|&(i, c)| c.is_whitespace() || TERMINATORS.iter().any(|t| rest[i..].starts_with(t)))
        .map_or(rest.len(), |(i, _)| i);
    work::charge(end + 1);
    start + end
}

/// The bytes the redaction scans, counted in tests against a budget, so a scan that is
/// not linear fails a test by the work it does rather than by the time it takes.
#[cfg(test)]
mod work {
    use std::cell::Cell;
    thread_local! {
        static SPENT: Cell<usize> = const { Cell::new(0) };
        static BUDGET: Cell<usize> = const { Cell::new(usize::MAX) };
    }

    /// Counts `bytes` scanned; panics past the budget.
    pub fn charge(bytes: usize) {
        let spent = SPENT.with(|s| {
            s.set(s.get().saturating_add(bytes));
            s.get()
        });
        let budget = BUDGET.with(Cell::get);
        assert!(
            spent <= budget,
            "redaction scanned {spent} bytes, past its budget of {budget}"
        );
    }

    /// Starts counting afresh against `budget`.
    pub fn budget(budget: usize) {
        SPENT.with(|s| s.set(0));
        BUDGET.with(|b| b.set(budget));
    }
}

#[cfg(not(test))]
mod work {
    #[inline(always)]
    pub fn charge(_: usize) {}
}

/// Removes the user info from every authority in `text`: whatever precedes the last `@`
/// of an authority after `://` (`http://token@host`), and, with no scheme, a
/// `user:password@` (`alice:pw@proxy:3128`, as a proxy or endpoint variable may be
/// written). A word such as `bob@example.com`, with no `:` before its `@` and no scheme,
/// is no credential and stays. One pass over `text`.
fn strip_userinfo(text: &str) -> String {
    // Where an authority (or a word that may be one) starts and ends.
    let boundary = |c: char| {
        c.is_whitespace()
            || matches!(
                c,
                '/' | '?'
                    | '#'
                    | '"'
                    | '\''
                    | '('
                    | ')'
                    | '<'
                    | '>'
                    | '['
                    | ']'
                    | '{'
                    | '}'
                    | ','
                    | ';'
                    | '='
                    | '|'
                    | '`'
            )
    };
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while !rest.is_empty() {
        let start = rest.find(|c: char| !boundary(c)).unwrap_or(rest.len());
        out.push_str(&rest[..start]);
        let after_scheme = out.ends_with("://");
        rest = &rest[start..];
        let end = rest.find(boundary).unwrap_or(rest.len());
        let word = &rest[..end];
        match word.rfind('@') {
            Some(at) if at > 0 && (after_scheme || word[..at].contains(':')) => {
                out.push_str(REDACTED);
                out.push_str(&word[at..]);
            }
            _ => out.push_str(word),
        }
        rest = &rest[end..];
    }
    out
}

#[cfg(test)]
#[path = "redact_tests.rs"]
mod tests;
