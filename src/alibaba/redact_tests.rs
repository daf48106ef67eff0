//! The redaction's tests.

use super::*;

#[test]
fn a_string_to_sign_loses_its_security_token_and_signature() {
    let sts = "POST&%2F&AccessKeyId%3DSTS.x%26Action%3DGetAccessKeyLastUsedInfo%26SecurityToken%3DCAISplanted%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3Dn1";
    let r = redact(&format!(
        "Specified signature is not matched with our calculation. server string to sign is:{sts}"
    ));
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
    let line =
        "error: refresh failed for LTAI5tHelperKey000001 with secret Zq81kLmn0pQ3rStU9vWx (exit 3)";
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
