//! The argument every data source takes, the AccessKey to look up, and [`AccessKeyId`],
//! the id it parses into.

use crate::framework::args::{Argument, At, Reads};
use crate::framework::attribute::Field;
use crate::model::{Type, Value};

/// The argument's name.
pub const ACCESS_KEY_ID: &str = "access_key_id";

/// The `access_key_id` argument: declared, described and checked here, once.
pub const ACCESS_KEY: Argument<AccessKeyId> = Argument::new(
    ACCESS_KEY_ID,
    "The AccessKey ID to look up: a permanent key (`LTAI...`), an STS key (`STS....`) or an older 16-character ID.",
    Reads::Text(check),
).required();

fn check(id: &str, at: &mut At<'_>) -> Option<AccessKeyId> {
    AccessKeyId::parse(id).or_else(|| at.invalid(format!("access_key_id {id:?} is not an AccessKey ID: it has 8 to 128 letters, digits or dots, like \"LTAI5tExampleKey0001\" or \"STS.NUgYrLnoC37mZZCNnAbez2Ha6\".")))
}

/// What an id that is no AccessKey ID is not, as a diagnostic says it.
pub const NOT_AN_ACCESS_KEY_ID: &str = "is not an AccessKey ID (8 to 128 letters, digits or dots)";

/// An AccessKey ID, checked once where it enters (the `access_key_id` argument, the
/// `access_key_ids` lists, a key RAM lists) and carried as such to the operation that
/// names it in its request. Its shape is one a key can have: 8 to 128 letters, digits or
/// dots. Real IDs come in several shapes (`LTAI` + 12-20 characters, `STS.` + 20-30,
/// legacy 16-character ones), so this refuses only what no key can be. Not a secret: it
/// names the key.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AccessKeyId(String);

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

/// What an answer about one key knows: the key.
pub trait Keyed {
    /// The AccessKey ID looked up.
    fn access_key_id(&self) -> &AccessKeyId;
}

/// `id`: the AccessKey ID, for data sources about one key as a whole.
pub fn id<A: Keyed>() -> Field<A> {
    Field::computed("id", Type::String, "The AccessKey ID.", |a: &A| {
        Value::string(a.access_key_id().as_str())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::AttributePath;

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
        assert!(AccessKeyId::parse("STS.NUgYrLnoC37mZZCNnAbez2Ha6").is_some_and(|k| k.is_sts()));
    }

    #[test]
    fn spaces_slashes_and_short_strings_are_refused_at_the_path() {
        for id in [
            "LTAI 5t/bad",
            "short",
            "",
            "LTAI5t-abc-def-ghi",
            &"A".repeat(129),
        ] {
            assert_eq!(AccessKeyId::parse(id), None, "{id}");
        }
        let mut diags = Vec::new();
        ACCESS_KEY.get(
            &Value::object([("access_key_id", Value::string("LTAI 5t/bad"))]),
            &mut diags,
        );
        assert_eq!(diags.len(), 1);
        assert_eq!(
            diags[0].attribute,
            Some(AttributePath::root("access_key_id"))
        );
        assert!(diags[0].detail.contains("access_key_id"));
    }

    #[test]
    fn an_unknown_key_is_accepted() {
        let mut diags = Vec::new();
        ACCESS_KEY.get(
            &Value::object([("access_key_id", Value::Unknown)]),
            &mut diags,
        );
        assert!(diags.is_empty());
    }
}
