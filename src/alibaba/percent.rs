//! Percent-encoding as Alibaba's signature algorithms require it, which the request signing
//! and the redaction of secrets (a secret may appear encoded) both use.

/// Everything but `A-Za-z0-9-_.~` is percent-encoded (RFC 3986 unreserved), as Alibaba
/// requires: space is `%20`, `*` is `%2A`, `~` stays. Bytes past ASCII are those of the
/// UTF-8 encoding, each encoded on its own.
fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~')
}

/// Appends `s` to `out`, percent-encoded the way Alibaba's signature algorithms require.
/// Every request signs and sends a few hundred encoded bytes, so this writes them
/// straight into the buffer rather than through a formatter.
pub(super) fn percent_encode_into(out: &mut String, s: &str) {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
