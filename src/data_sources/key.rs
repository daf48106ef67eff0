//! The argument every data source takes: the AccessKey to look up.

use crate::actiontrail::AccessKeyId;
use crate::framework::args::{self, Arg};
use crate::framework::attribute::Field;
use crate::model::{AttributePath, Diagnostic, Type, Value};

/// The argument's name.
pub const ACCESS_KEY_ID: &str = "access_key_id";

/// The `access_key_id` argument.
pub fn argument<A>() -> Field<A> {
    Field::required(
        ACCESS_KEY_ID,
        Type::String,
        "The AccessKey ID to look up: a permanent key (`LTAI...`), an STS key (`STS....`) or an older 16-character ID.",
    )
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

/// Checks `access_key_id`; the key, when it is known and plausible.
pub fn parse(config: &Value, diags: &mut Vec<Diagnostic>) -> Option<AccessKeyId> {
    let path = AttributePath::root(ACCESS_KEY_ID);
    match args::string(config, ACCESS_KEY_ID, &path) {
        Ok(Arg::Known(id)) => {
            let key = AccessKeyId::parse(id);
            if key.is_none() {
                diags.push(args::invalid(
                    ACCESS_KEY_ID,
                    &path,
                    format!("access_key_id {id:?} is not an AccessKey ID: it has 8 to 128 letters, digits or dots, like \"LTAI5tExampleKey0001\" or \"STS.NUgYrLnoC37mZZCNnAbez2Ha6\"."),
                ));
            }
            key
        }
        Ok(_) => None,
        Err(d) => {
            diags.push(d);
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spaces_slashes_and_short_strings_are_refused_at_the_path() {
        let mut diags = Vec::new();
        parse(
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
        parse(
            &Value::object([("access_key_id", Value::Unknown)]),
            &mut diags,
        );
        assert!(diags.is_empty());
    }
}
