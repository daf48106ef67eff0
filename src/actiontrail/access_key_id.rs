//! [`AccessKeyId`]: the id that names an AccessKey, checked once where it enters (an HCL
//! argument, a RAM answer) and carried as such to where a request names it.

use serde::{Deserialize, Deserializer, Serialize};

/// An AccessKey ID of a shape a key can have: 8 to 128 letters, digits or dots. Real IDs
/// come in several shapes (`LTAI` + 12-20 characters, `STS.` + 20-30, legacy 16-character
/// ones), so this refuses only what no key can be. Not a secret: it names the key.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct AccessKeyId(String);

/// What an id that is no AccessKey ID is not, as a diagnostic or an error says it.
pub const NOT_AN_ACCESS_KEY_ID: &str = "is not an AccessKey ID (8 to 128 letters, digits or dots)";

impl AccessKeyId {
    /// `id` as an AccessKey ID, when it could be one.
    pub fn parse(id: &str) -> Option<AccessKeyId> {
        Self::plausible(id).then(|| AccessKeyId(id.to_owned()))
    }

    /// An id RAM's ListAccessKeys listed, which its answer's checks (an id, at most 128
    /// characters) already passed: RAM names its own keys, so the argument's shape rule is
    /// not applied again.
    pub(crate) fn listed(id: &str) -> AccessKeyId {
        AccessKeyId(id.to_owned())
    }

    /// Whether `id` could be an AccessKey ID.
    pub fn plausible(id: &str) -> bool {
        (8..=128).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.')
    }

    /// The id, as requests and state carry it.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether this is an STS (temporary) key's id.
    pub fn is_sts(&self) -> bool {
        self.0.starts_with("STS.")
    }
}

impl std::fmt::Display for AccessKeyId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for AccessKeyId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl PartialEq<str> for AccessKeyId {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl<'de> Deserialize<'de> for AccessKeyId {
    /// A RAM answer's id, refused when no key can have it: a hostile or broken endpoint's
    /// id would otherwise reach a request and a state. The error quotes no value.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<AccessKeyId, D::Error> {
        let id = String::deserialize(d)?;
        AccessKeyId::parse(&id).ok_or_else(|| {
            serde::de::Error::custom(format!("an AccessKeyId {NOT_AN_ACCESS_KEY_ID}"))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_real_key_shape_is_accepted() {
        for id in [
            "LTAI5tRecentUse000000001",
            "STS.NUgYrLnoC37mZZCNnAbez2Ha6",
            "abcdEFGH12345678",
            "LTAI4Fw2XXXXXXXXXXXX",
        ] {
            assert_eq!(
                AccessKeyId::parse(id).map(|k| k.to_string()),
                Some(id.to_owned())
            );
        }
    }

    #[test]
    fn spaces_slashes_and_short_strings_are_refused() {
        for id in [
            "LTAI 5t/bad",
            "short",
            "",
            "LTAI5t-abc-def-ghi",
            &"A".repeat(129),
        ] {
            assert_eq!(AccessKeyId::parse(id), None, "{id}");
        }
    }

    #[test]
    fn an_answer_with_an_implausible_id_does_not_decode() {
        let ok: AccessKeyId = serde_json::from_str("\"LTAI5tRecentUse000000001\"").unwrap();
        assert!(ok.as_str() == "LTAI5tRecentUse000000001" && !ok.is_sts());
        let err = serde_json::from_str::<AccessKeyId>("\"no/such key\"").unwrap_err();
        assert!(
            err.to_string().contains("is not an AccessKey ID")
                && !err.to_string().contains("no/such")
        );
    }
}
