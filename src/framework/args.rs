//! Reading arguments out of a configuration object, with the path of each so that a
//! diagnostic points at its line of HCL.
//!
//! At validate time any value may be unknown (it depends on something not yet applied).
//! An unknown is neither valid nor invalid and, for conflict checks, not "set": the
//! functions here return `Arg::Unknown` so that callers cannot mistake it for a value.

use crate::model::{AttributePath, Diagnostic, Value};

/// One argument as configured.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Arg<T> {
    /// Not set (null).
    Absent,
    /// Set to something not known until apply.
    Unknown,
    /// Set to this.
    Known(T),
}

impl<T> Arg<T> {
    /// The value, when known.
    pub fn known(self) -> Option<T> {
        match self {
            Arg::Known(v) => Some(v),
            _ => None,
        }
    }

    /// Whether the argument is known to be set (an unknown does not count).
    pub fn is_known_set(&self) -> bool {
        matches!(self, Arg::Known(_))
    }
}

fn raw<'a>(config: &'a Value, name: &str) -> Arg<&'a Value> {
    match config.get(name) {
        None | Some(Value::Null) => Arg::Absent,
        Some(Value::Unknown) => Arg::Unknown,
        Some(v) => Arg::Known(v),
    }
}

/// A string argument. Terraform has converted the HCL value to the schema's type already,
/// so a known value of another kind is a protocol fault, reported as such.
pub fn string<'a>(
    config: &'a Value,
    name: &str,
    path: &AttributePath,
) -> Result<Arg<&'a str>, Diagnostic> {
    match raw(config, name) {
        Arg::Absent => Ok(Arg::Absent),
        Arg::Unknown => Ok(Arg::Unknown),
        Arg::Known(v) => v
            .as_str()
            .map(Arg::Known)
            .ok_or_else(|| wrong_kind(name, "string", v, path)),
    }
}

/// A string argument; when Terraform sent something else, the diagnostic goes to
/// `diags` and the argument counts as unknown.
pub fn string_collecting<'a>(
    config: &'a Value,
    name: &str,
    path: AttributePath,
    diags: &mut Vec<Diagnostic>,
) -> Arg<&'a str> {
    match string(config, name, &path) {
        Ok(a) => a,
        Err(d) => {
            diags.push(d);
            Arg::Unknown
        }
    }
}

/// A boolean argument.
pub fn boolean(config: &Value, name: &str, path: &AttributePath) -> Result<Arg<bool>, Diagnostic> {
    match raw(config, name) {
        Arg::Absent => Ok(Arg::Absent),
        Arg::Unknown => Ok(Arg::Unknown),
        Arg::Known(Value::Bool(b)) => Ok(Arg::Known(*b)),
        Arg::Known(v) => Err(wrong_kind(name, "bool", v, path)),
    }
}

/// A whole-number argument; fractions are refused with a diagnostic at `path`.
pub fn whole_number(
    config: &Value,
    name: &str,
    path: &AttributePath,
) -> Result<Arg<i64>, Diagnostic> {
    match raw(config, name) {
        Arg::Absent => Ok(Arg::Absent),
        Arg::Unknown => Ok(Arg::Unknown),
        Arg::Known(v) => {
            let n = v
                .as_number()
                .ok_or_else(|| wrong_kind(name, "number", v, path))?;
            n.as_i64().map(Arg::Known).ok_or_else(|| {
                Diagnostic::error(
                    format!("Invalid {name}"),
                    format!("{name} must be a whole number, not {n}."),
                )
                .at(path.clone())
            })
        }
    }
}

/// An optional argument `name`, read by `read` ([`string`], [`whole_number`]) and checked
/// by `check`, which pushes its own diagnostic (at the path it is given) when the value is
/// wrong: `Some(None)` when absent, `Some(Some(value))` when valid, `None` when unknown or
/// invalid. The Absent/Unknown/Known match and the path are written here, once, for every
/// argument that uses it.
pub fn optional<'a, V, T>(
    config: &'a Value,
    name: &str,
    diags: &mut Vec<Diagnostic>,
    read: fn(&'a Value, &str, &AttributePath) -> Result<Arg<V>, Diagnostic>,
    check: impl FnOnce(V, &AttributePath, &mut Vec<Diagnostic>) -> Option<T>,
) -> Option<Option<T>> {
    let path = AttributePath::root(name);
    match read(config, name, &path) {
        Ok(Arg::Known(v)) => check(v, &path, diags).map(Some),
        Ok(Arg::Absent) => Some(None),
        Ok(Arg::Unknown) => None,
        Err(d) => {
            diags.push(d);
            None
        }
    }
}

/// A nested single block (`assume_role { ... }`): the object, when present.
pub fn block<'a>(config: &'a Value, name: &str) -> Arg<&'a Value> {
    raw(config, name)
}

fn wrong_kind(name: &str, want: &str, got: &Value, path: &AttributePath) -> Diagnostic {
    Diagnostic::error(
        format!("Invalid {name}"),
        format!(
            "{name} must be a {want}, but Terraform sent a {}.",
            got.kind()
        ),
    )
    .at(path.clone())
}

/// An error about argument `name` at `path`.
pub fn invalid(name: &str, path: &AttributePath, detail: impl Into<String>) -> Diagnostic {
    Diagnostic::error(format!("Invalid {name}"), detail).at(path.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> Value {
        Value::object([
            ("s", Value::string("x")),
            ("n", Value::int(3)),
            ("f", Value::Number(crate::model::Number::Float(2.5))),
            ("u", Value::Unknown),
            ("z", Value::Null),
        ])
    }

    #[test]
    fn unknown_and_null_are_distinct_from_values() {
        let c = config();
        let p = AttributePath::root("s");
        assert_eq!(string(&c, "s", &p), Ok(Arg::Known("x")));
        assert_eq!(string(&c, "u", &p), Ok(Arg::Unknown));
        assert_eq!(string(&c, "z", &p), Ok(Arg::Absent));
        assert_eq!(string(&c, "missing", &p), Ok(Arg::Absent));
        assert!(!Arg::<i64>::Unknown.is_known_set());
    }

    #[test]
    fn fractions_are_refused_at_their_path() {
        let c = config();
        let p = AttributePath::root("f");
        assert_eq!(whole_number(&c, "n", &p), Ok(Arg::Known(3)));
        let d = whole_number(&c, "f", &p).unwrap_err();
        assert_eq!(d.attribute, Some(p));
        assert!(d.detail.contains("whole number"));
    }

    #[test]
    fn a_number_where_a_string_belongs_is_reported_not_panicked() {
        let c = config();
        let p = AttributePath::root("n");
        assert!(string(&c, "n", &p).is_err());
    }
}
