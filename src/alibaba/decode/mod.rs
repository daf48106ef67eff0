//! The one strict decoder every answer goes through: ActionTrail's five operations, RAM,
//! STS AssumeRole, OIDC STS, the credentials URI, the ECS metadata service and the External
//! credential process. One set of rules, in one place:
//!
//! - **Duplicate members are an error**, at any depth. JSON leaves a repeated name's meaning
//!   open; serde's derived decoding refuses repeats of the fields it knows only, and a
//!   decode through `serde_json::Value` keeps the last one silently, so
//!   `{"UsedTimestamp": <2 days ago>, ..., "UsedTimestamp": 0}` would read as never used. A
//!   first pass over the text refuses any repeat; only then is the typed decode made.
//! - **A body over its cap is an error naming the cap** ([`over_cap`]), never a cut body
//!   that may still parse.
//! - **Every time is checked against the window it can come from**: ActionTrail's
//!   `UsedTimestamp` ([`UsedTimestamp`]), RAM's `CreateDate` ([`create_date`]) and STS's
//!   `Expiration` ([`expiration`]).
//! - **Consistency decides "used"** ([`last_use`]): any sign of use means a use, whose time
//!   is the most recent plausible one.
//!
//! Errors keep serde's line and column and never quote a value of the body: a broken
//! answer may carry anything, a secret too.

use serde::de::{DeserializeOwned, DeserializeSeed, Error as _, MapAccess, SeqAccess, Visitor};
use std::collections::HashSet;
use std::fmt;

mod time;

pub use self::time::{
    create_date, event_time, expiration, last_use, EpochMs, Signs, UsedTimestamp,
    ACTIONTRAIL_FLOOR_MS, CLOCK_SKEW_MS, MAX_EXPIRATION_AHEAD_MS,
};

/// Why an answer is not what its operation returns; quotes no value of the body.
pub type Reason = String;

/// What a repeated member's error starts with, so [`shape`] can tell it from a type error.
const DUPLICATE: &str = "duplicate member";

/// `text` decoded as `T`, after a pass that refuses duplicate members anywhere; trailing
/// data is refused too.
pub fn strict<T: DeserializeOwned>(text: &str) -> Result<T, Reason> {
    no_duplicates(text)?;
    serde_json::from_str(text).map_err(|e| shape(&e))
}

/// [`strict`] over bytes: anything but UTF-8 is not JSON.
pub fn strict_slice<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Reason> {
    let text = std::str::from_utf8(bytes).map_err(|e| not_utf8(e.valid_up_to()))?;
    strict(text)
}

/// Why a body whose first bad byte is at `offset` is no answer: every reader of bytes
/// (this decoder, the API exchange, the credentials endpoints) says it so.
pub fn not_utf8(offset: usize) -> Reason {
    format!("it is not UTF-8 text (a bad byte at offset {offset})")
}

/// Refuses a repeated member name in any object of `text`, at any depth.
pub fn no_duplicates(text: &str) -> Result<(), Reason> {
    let mut de = serde_json::Deserializer::from_str(text);
    Unique
        .deserialize(&mut de)
        .and_then(|()| de.end())
        .map_err(|e| shape(&e))
}

/// What is wrong with a body, in words that quote none of its values; line and column kept.
pub fn shape(e: &serde_json::Error) -> Reason {
    let text = e.to_string();
    match text.strip_prefix(DUPLICATE) {
        Some(rest) => {
            let name = rest
                .trim_start()
                .split(" at line")
                .next()
                .unwrap_or_default();
            format!(
                "the member {name} appears twice in one object (line {}, column {}); JSON leaves a repeated name's meaning open, so the answer cannot be trusted",
                e.line(),
                e.column()
            )
        }
        None => super::redact::json_shape(e),
    }
}

/// A member name as an error may quote it: a short API-style identifier, else nothing of it.
fn quotable(name: &str) -> String {
    if !name.is_empty()
        && name.len() <= 64
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        format!("`{name}`")
    } else {
        "(a name not quoted)".to_owned()
    }
}

/// Walks any JSON value, refusing repeated member names; keeps nothing.
struct Unique;

impl<'de> DeserializeSeed<'de> for Unique {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Unique {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(Unique)?.is_some() {}
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen = HashSet::new();
        while let Some(name) = map.next_key::<String>()? {
            if seen.contains(&name) {
                return Err(A::Error::custom(format!("{DUPLICATE} {}", quotable(&name))));
            }
            seen.insert(name);
            map.next_value_seed(Unique)?;
        }
        Ok(())
    }
}

/// The error for a body longer than `cap` bytes: the cap is named, nothing is decoded.
pub fn over_cap(cap: usize) -> Reason {
    format!(
        "the body is larger than the {} cap ({cap} bytes), so it is not an answer; nothing of it was decoded",
        human_bytes(cap)
    )
}

/// `16 MiB`, `64 KiB`, or bytes.
pub fn human_bytes(n: usize) -> String {
    const KIB: usize = 1024;
    const MIB: usize = 1024 * 1024;
    if n >= MIB && n.is_multiple_of(MIB) {
        format!("{} MiB", n / MIB)
    } else if n >= KIB && n.is_multiple_of(KIB) {
        format!("{} KiB", n / KIB)
    } else {
        format!("{n} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    struct Answer {
        #[serde(rename = "RequestId")]
        _request_id: String,
        #[serde(rename = "UsedTimestamp")]
        _used_timestamp: Option<i64>,
    }

    #[test]
    fn duplicate_members_are_refused_at_any_depth_with_line_and_column() {
        let top = "{\"RequestId\":\"r\",\n\"UsedTimestamp\":1,\"UsedTimestamp\":0}";
        let e = strict::<Answer>(top).unwrap_err();
        assert!(e.contains("`UsedTimestamp` appears twice"), "{e}");
        assert!(e.contains("line 2, column"), "{e}");
        let deep = r#"{"RequestId":"r","X":[{"A":{"B":1,"B":2}}]}"#;
        assert!(strict::<serde_json::Value>(deep)
            .unwrap_err()
            .contains("`B` appears twice"));
        let escaped = r#"{"RequestId":"r","UsedTimestamp":1,"Used\u0054imestamp":0}"#;
        assert!(strict::<Answer>(escaped)
            .unwrap_err()
            .contains("appears twice"));
        let odd = "{\"a b\":1,\"a b\":2}";
        let e = strict::<serde_json::Value>(odd).unwrap_err();
        assert!(e.contains("not quoted") && !e.contains("a b"), "{e}");
        assert!(strict::<serde_json::Value>(r#"{"A":{"B":1},"C":{"B":1}}"#).is_ok());
    }

    #[test]
    fn trailing_data_and_wrong_types_are_refused_without_quoting_values() {
        assert!(strict::<serde_json::Value>("{} {}").is_err());
        let e = strict::<Answer>(r#"{"RequestId":"r","UsedTimestamp":"planted"}"#).unwrap_err();
        assert!(!e.contains("planted") && e.contains("wrong type"), "{e}");
        assert!(strict_slice::<serde_json::Value>(b"{\"a\":\"\xff\"}").is_err());
    }

    #[test]
    fn the_cap_is_named() {
        assert!(over_cap(16 * 1024 * 1024).contains("16 MiB cap (16777216 bytes)"));
        assert_eq!(human_bytes(64 * 1024), "64 KiB");
    }
}
