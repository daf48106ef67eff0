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
mod tests {
    use super::*;

    #[test]
    fn a_string_to_sign_loses_its_security_token_and_signature() {
        let sts = "POST&%2F&AccessKeyId%3DSTS.x%26Action%3DGetAccessKeyLastUsedInfo%26SecurityToken%3DCAISplanted%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3Dn1";
        let r = redact(&format!("Specified signature is not matched with our calculation. server string to sign is:{sts}"));
        assert!(!r.contains("CAISplanted"), "{r}");
        assert!(
            r.contains("SecurityToken%3D<redacted>%26SignatureMethod%3DHMAC-SHA1"),
            "{r}"
        );
        assert!(r.contains("SignatureNonce%3Dn1"), "{r}");
    }

    #[test]
    fn json_query_and_header_spellings_are_redacted() {
        for (text, secret) in [
            (
                r#"{"AccessKeySecret":"s3cr3t","SecurityToken": "tok3n"}"#,
                "s3cr3t",
            ),
            (
                r#"{"AccessKeySecret":"s3cr3t","SecurityToken": "tok3n"}"#,
                "tok3n",
            ),
            ("GET /?Signature=abcd%2B&x=1", "abcd"),
            ("authorization: ACS3-HMAC-SHA256", "ACS3"),
            ("x-acs-security-token=tok3n", "tok3n"),
        ] {
            let r = redact(text);
            assert!(!r.contains(secret), "{text} -> {r}");
        }
        assert_eq!(redact("SignatureNonce=abc"), "SignatureNonce=abc");
    }

    #[test]
    fn scrub_removes_known_secrets_in_every_spelling_and_the_known_shapes() {
        let token = "CAIS+scrub/known=token0001";
        crate::alibaba::secret::register(token);
        let encoded = crate::alibaba::percent::percent_encode(token);
        let text = format!(
            "stderr: {token} | url: x?t={encoded} | sts: {} | SecurityToken CAISbareTokenValue00000001 is bad | SecurityToken is invalid | jwt eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl end | Authorization: Bearer abc.def-ghi | {{\"OIDCToken\":\"opaque-oidc\"}}",
            encoded.replace('%', "%25")
        );
        let r = scrub(&text);
        for gone in [
            "CAIS+scrub",
            "scrub%2Fknown",
            "scrub%252Fknown",
            "CAISbareTokenValue",
            "eyJhbGciOiJSUzI1NiJ9",
            "abc.def-ghi",
            "opaque-oidc",
        ] {
            assert!(!r.contains(gone), "{gone} in {r}");
        }
        assert!(r.contains("SecurityToken is invalid"), "{r}");
        assert!(r.contains(" end "), "{r}");
    }

    #[test]
    fn a_helper_process_line_loses_opaque_tokens_but_keeps_its_words() {
        let line = "error: refresh failed for LTAI5tHelperKey000001 with secret Zq81kLmn0pQ3rStU9vWx (exit 3)";
        let r = opaque(line);
        assert!(!r.contains("Zq81kLmn0pQ3rStU9vWx"), "{r}");
        assert!(r.starts_with("error: refresh failed for"), "{r}");
        assert!(r.ends_with("(exit 3)"), "{r}");
    }

    #[test]
    fn short_values_of_the_plain_names_are_removed_from_a_helpers_line() {
        let line = "login failed: secret=shortpw1 token: tok3n9 password=hunter2 (exit 3)";
        // The name rules alone (`opaque` adds the process-wide known secrets, which other
        // tests fill with words such as "secret").
        let r = redact(line);
        for gone in ["shortpw1", "tok3n9", "hunter2"] {
            assert!(!r.contains(gone), "{gone} in {r}");
        }
        assert!(
            r.starts_with("login failed: secret=") && r.ends_with("(exit 3)"),
            "{r}"
        );
        // Longer names that begin with them are still whole names.
        assert_eq!(redact("secret_key=abcdef"), "secret_key=<redacted>");
        assert_eq!(redact("token_type=bearer"), "token_type=bearer");
    }

    #[test]
    fn userinfo_is_stripped_from_urls() {
        assert_eq!(
            redact("cannot reach http://user:pa55@127.0.0.1:9/x and https://h/"),
            "cannot reach http://<redacted>@127.0.0.1:9/x and https://h/"
        );
    }

    #[test]
    fn userinfo_without_a_scheme_is_stripped_too() {
        for (text, want) in [
            (
                "HTTPS_PROXY=alice:S3cretPw@proxy.corp:3128",
                "HTTPS_PROXY=<redacted>@proxy.corp:3128",
            ),
            (
                "the endpoint \"ops:Hunter2pw@host\" has user info",
                "the endpoint \"<redacted>@host\" has user info",
            ),
            ("u:p@ss@sts.internal:443", "<redacted>@sts.internal:443"),
            ("http://token0@h/x", "http://<redacted>@h/x"),
            ("http://[::1]:9/a@b", "http://[::1]:9/a@b"),
            ("write to bob@example.com", "write to bob@example.com"),
        ] {
            assert_eq!(redact(text), want, "{text}");
        }
    }

    #[test]
    fn known_secrets_are_removed_wherever_they_appear() {
        let e = excerpt(
            "<html>\nyour token is CAISplanted\n</html>",
            &["CAISplanted"],
        );
        assert_eq!(e, "<html> your token is <redacted> </html>");
    }

    #[test]
    fn json_shape_never_quotes_a_value() {
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct T {
            #[serde(rename = "A")]
            a: u32,
        }
        let wrong = serde_json::from_str::<T>(r#"{"A":"planted"}"#).unwrap_err();
        assert!(
            !json_shape(&wrong).contains("planted"),
            "{}",
            json_shape(&wrong)
        );
        let missing = serde_json::from_str::<T>("{}").unwrap_err();
        assert_eq!(json_shape(&missing), "the field `A` is missing");
        let cut = serde_json::from_str::<T>(r#"{"A":1"#).unwrap_err();
        assert!(json_shape(&cut).contains("cut off"));
    }

    proptest::proptest! {
        #[test]
        fn any_text_redacts_without_panicking_and_loses_planted_values(
            prefix in ".{0,64}",
            name in proptest::sample::select(vec!["SecurityToken=", "SecurityToken%3D", "\"AccessKeySecret\":\"", "Signature: "]),
            suffix in ".{0,64}",
        ) {
            let text = format!("{prefix} {name}PLANTEDvalue&{suffix}");
            let r = redact(&text);
            proptest::prop_assert!(!r.contains("PLANTEDvalue"), "{}", r);
            let _ = message(&prefix);
        }
    }

    #[test]
    fn an_excerpt_of_megabytes_of_short_secret_values_scans_each_byte_a_bounded_number_of_times() {
        let body = "password=x ".repeat(300_000);
        // Each value's end is found by looking at its own two bytes: the budget is the
        // body's length, twice over.
        work::budget(2 * body.len());
        let e = excerpt(&body, &[]);
        work::budget(usize::MAX);
        assert!(
            e.starts_with("password=<redacted> password=<redacted>"),
            "{e}"
        );
    }

    #[test]
    fn a_word_of_many_jwt_headers_is_measured_once() {
        for text in [
            "x".to_owned() + &"eyJ".repeat(400_000),
            "eyJ-".repeat(300_000),
        ] {
            work::budget(2 * text.len());
            let r = scrub(&text);
            work::budget(usize::MAX);
            assert_eq!(r.len(), text.len(), "no token in it");
        }
        let jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";
        assert_eq!(
            scrub(&format!("a eyJ.x b {jwt} c")),
            "a eyJ.x b <redacted> c"
        );
    }

    #[test]
    fn messages_are_clipped_at_a_char_boundary() {
        let m = message(&"é".repeat(2000));
        assert!(m.len() <= MESSAGE_BYTES + 3 && m.ends_with("..."));
        assert_eq!(clip("short", 256), "short");
    }
}
