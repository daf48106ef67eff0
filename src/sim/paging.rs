//! The opaque continuation tokens ActionTrail's NextToken and RAM's Marker carry: an offset
//! and a hash binding it to the query it came from, so a token forged, or replayed against
//! another query, is refused.

use super::error::ApiError;
use base64::Engine as _;
use sha2::{Digest, Sha256};

fn token_mac(offset: usize, scope: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"actiontrail-sim NextToken\0");
    h.update(scope.as_bytes());
    h.update(b"\0");
    h.update(offset.to_string().as_bytes());
    hex::encode(&h.finalize()[..12])
}

/// An opaque NextToken: the offset and a hash binding it to the query it came from.
pub(super) fn encode_token(offset: usize, scope: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(format!("{offset}:{}", token_mac(offset, scope)))
}

/// The offset in a token [`encode_token`] issued for `scope`; an error for any other.
pub(super) fn decode_token(token: &str, scope: &str, len: usize) -> Result<usize, ApiError> {
    let invalid = || {
        ApiError::invalid_query(
            "The parameter NextToken is invalid: it was not issued for this query.",
        )
    };
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token.trim())
        .map_err(|_| invalid())?;
    let text = String::from_utf8(raw).map_err(|_| invalid())?;
    let (offset, mac) = text.split_once(':').ok_or_else(invalid)?;
    let offset: usize = offset.parse().map_err(|_| invalid())?;
    if mac != token_mac(offset, scope) || offset > len {
        return Err(invalid());
    }
    Ok(offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_token_round_trips_only_for_its_own_query() {
        let t = encode_token(40, "a|k|ecs");
        assert_eq!(decode_token(&t, "a|k|ecs", 100).unwrap(), 40);
        assert!(decode_token(&t, "a|k|oss", 100).is_err());
        assert!(decode_token(&t, "a|k|ecs", 10).is_err());
        assert!(decode_token("bm9wZQ", "a|k|ecs", 100).is_err());
        assert!(decode_token("%%%", "a|k|ecs", 100).is_err());
    }
}
