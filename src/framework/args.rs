//! Reading arguments out of a configuration object, with the path of each so that a
//! diagnostic points at its line of HCL. A data source declares each argument once, as an
//! [`Argument`]: its schema entry and its checked value both come from that declaration.
//!
//! At validate time any value may be unknown (it depends on something not yet applied).
//! An unknown is neither valid nor invalid and, for conflict checks, not "set": the
//! functions here return `Arg::Unknown` so that callers cannot mistake it for a value.

use crate::framework::attribute::Field;
use crate::model::{AttributePath, Diagnostic, Type, Value};

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

/// A nested single block (`assume_role { ... }`): the object, when present.
pub fn block<'a>(config: &'a Value, name: &str) -> Arg<&'a Value> {
    raw(config, name)
}

/// An argument declared once: its name, its description, whether the configuration must
/// set it, and the check that turns its configured value into a `T`. Its schema entry
/// ([`Argument::field`]) and its reading ([`Argument::get`], [`Argument::optional`]) both
/// come from this declaration, so the two cannot disagree on name or type; the
/// Absent/Unknown/Known match is written once, here; and whatever the check reports lands
/// at the argument's path by itself ([`At`]).
pub struct Argument<T> {
    name: &'static str,
    description: &'static str,
    required: bool,
    reads: Reads<T>,
}

/// What an argument holds, as the schema declares it and Terraform sends it, with the
/// check that makes a `T` of such a value (reporting what it refuses through [`At`]).
pub enum Reads<T> {
    /// A string.
    Text(fn(&str, &mut At<'_>) -> Option<T>),
    /// A whole number (a fraction is refused before the check).
    Whole(fn(i64, &mut At<'_>) -> Option<T>),
    /// A boolean.
    Flag(fn(bool, &mut At<'_>) -> Option<T>),
    /// A list of strings: the check gets its items, each of which may be unknown or (by
    /// Terraform's fault) no string.
    TextList(fn(&[Value], &mut At<'_>) -> Option<T>),
}

impl<T> Argument<T> {
    /// An argument the configuration may set.
    pub const fn new(name: &'static str, description: &'static str, reads: Reads<T>) -> Self {
        Argument {
            name,
            description,
            required: false,
            reads,
        }
    }

    /// The same argument, which the configuration must set.
    pub const fn required(self) -> Self {
        Argument {
            required: true,
            ..self
        }
    }

    /// Its name, as HCL writes it.
    pub const fn name(&self) -> &'static str {
        self.name
    }

    /// Its schema entry, for any data source's table.
    pub fn field<A>(&self) -> Field<A> {
        debug_assert!(
            !self.description.is_empty(),
            "{} is described where it is used: field_described",
            self.name
        );
        self.field_described(self.description)
    }

    /// Its schema entry with a description that depends on where it is used (a listing
    /// names what it lists).
    pub fn field_described<A>(
        &self,
        description: impl Into<std::borrow::Cow<'static, str>>,
    ) -> Field<A> {
        let ty = match self.reads {
            Reads::Text(_) => Type::String,
            Reads::Whole(_) => Type::Number,
            Reads::Flag(_) => Type::Bool,
            Reads::TextList(_) => Type::list(Type::String),
        };
        if self.required {
            Field::required(self.name, ty, description)
        } else {
            Field::optional(self.name, ty, description)
        }
    }

    /// The checked value: `None` when absent, unknown or invalid (whatever is wrong is in
    /// `diags`, at the argument's path).
    pub fn get(&self, config: &Value, diags: &mut Vec<Diagnostic>) -> Option<T> {
        self.optional(config, diags).flatten()
    }

    /// The checked value of an argument that must be set: left out, it is an error at its
    /// path saying it is required and what it is (`what`), even where Terraform did not
    /// enforce the schema. `None` when absent, unknown or invalid.
    pub fn demand(&self, config: &Value, diags: &mut Vec<Diagnostic>, what: &str) -> Option<T> {
        match self.optional(config, diags) {
            Some(None) => {
                let path = AttributePath::root(self.name);
                diags.push(invalid(
                    self.name,
                    &path,
                    format!("{} is required: {what}.", self.name),
                ));
                None
            }
            value => value.flatten(),
        }
    }

    /// The checked value, or `absent` when the configuration leaves it out; `None` when
    /// unknown or invalid.
    pub fn or(&self, config: &Value, diags: &mut Vec<Diagnostic>, absent: T) -> Option<T> {
        self.optional(config, diags).map(|v| v.unwrap_or(absent))
    }

    /// `Some(None)` when absent, `Some(Some(value))` when known and valid, `None` when
    /// unknown or invalid (the diagnostics are in `diags`, at the argument's path).
    pub fn optional(&self, config: &Value, diags: &mut Vec<Diagnostic>) -> Option<Option<T>> {
        let path = AttributePath::root(self.name);
        let value = match raw(config, self.name) {
            Arg::Absent => return Some(None),
            Arg::Unknown => return None,
            Arg::Known(v) => v,
        };
        let mut at = At {
            name: self.name,
            path,
            diags,
        };
        let checked = match self.reads {
            Reads::Text(check) => match value.as_str() {
                Some(s) => check(s, &mut at),
                None => at.wrong_kind("string", value),
            },
            Reads::Whole(check) => match whole_number(config, self.name, &at.path) {
                Ok(Arg::Known(n)) => check(n, &mut at),
                Ok(_) => None,
                Err(d) => {
                    at.diags.push(d);
                    None
                }
            },
            Reads::Flag(check) => match value {
                Value::Bool(b) => check(*b, &mut at),
                other => at.wrong_kind("bool", other),
            },
            Reads::TextList(check) => match value.as_elements() {
                Some(items) => check(items, &mut at),
                None => at.invalid(format!(
                    "{} must be a list of strings, but Terraform sent a {}.",
                    self.name,
                    value.kind()
                )),
            },
        };
        checked.map(Some)
    }
}

/// Whether `s` is a name of 1 to `max` ASCII letters, digits and the bytes in `also`
/// (a RAM user or role, a service's code name).
pub fn is_name(s: &str, max: usize, also: &[u8]) -> bool {
    (1..=max).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || also.contains(&b))
}

/// Where an argument's check reports: diagnostics made here are at the argument's path.
pub struct At<'d> {
    name: &'static str,
    path: AttributePath,
    diags: &'d mut Vec<Diagnostic>,
}

impl At<'_> {
    /// The argument's name.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The argument's path.
    pub fn path(&self) -> &AttributePath {
        &self.path
    }

    /// The value is refused, as `detail` says: an error at the argument; `None`.
    pub fn invalid<T>(&mut self, detail: impl Into<String>) -> Option<T> {
        self.diags.push(invalid(self.name, &self.path, detail));
        None
    }

    /// The value is refused, as `detail` says, at item `index` of the (list) argument.
    pub fn invalid_item(&mut self, index: usize, detail: impl Into<String>) {
        let at = self
            .path
            .clone()
            .index(i64::try_from(index).unwrap_or(i64::MAX));
        self.diags.push(invalid(self.name, &at, detail));
    }

    /// The value is taken, with a warning at the argument.
    pub fn warn(&mut self, summary: impl Into<String>, detail: impl Into<String>) {
        self.diags
            .push(Diagnostic::warning(summary, detail).at(self.path.clone()));
    }

    fn wrong_kind<T>(&mut self, want: &str, got: &Value) -> Option<T> {
        self.diags
            .push(wrong_kind(self.name, want, got, &self.path));
        None
    }
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

    /// A list argument whose items must be short, for the tests below.
    const SHORT: Argument<Vec<String>> = Argument::new(
        "short",
        "Short words.",
        Reads::TextList(|items, at| {
            let mut out = Vec::new();
            for (i, item) in items.iter().enumerate() {
                match item.as_str() {
                    Some(s) if s.len() <= 3 => out.push(s.to_owned()),
                    _ => at.invalid_item(i, "too long"),
                }
            }
            Some(out)
        }),
    );

    /// A string argument that refuses "bad" and warns on "odd".
    const WORD: Argument<String> = Argument::new(
        "s",
        "A word.",
        Reads::Text(|s, at| match s {
            "bad" => at.invalid("s is bad."),
            "odd" => {
                at.warn("Odd s", "s is odd.");
                Some(s.to_owned())
            }
            _ => Some(s.to_owned()),
        }),
    );

    #[test]
    fn a_declared_argument_gives_its_schema_entry_and_its_checked_value() {
        let attr = WORD.field::<()>().attribute();
        assert!(attr.optional && !attr.required);
        assert_eq!(
            (attr.name.as_str(), attr.description.as_str()),
            ("s", "A word.")
        );
        assert_eq!(attr.ty, Type::String);
        assert!(WORD.required().field::<()>().attribute().required);
        assert_eq!(SHORT.field::<()>().attribute().ty, Type::list(Type::String));

        let mut diags = Vec::new();
        assert_eq!(
            WORD.optional(&config(), &mut diags),
            Some(Some("x".to_owned()))
        );
        let absent = Value::object([("s", Value::Null)]);
        assert_eq!(WORD.optional(&absent, &mut diags), Some(None));
        assert_eq!(
            WORD.or(&absent, &mut diags, "d".to_owned()),
            Some("d".to_owned())
        );
        let unknown = Value::object([("s", Value::Unknown)]);
        assert_eq!(WORD.optional(&unknown, &mut diags), None);
        assert!(diags.is_empty(), "{diags:?}");
    }

    #[test]
    fn what_a_check_reports_lands_at_the_argument_and_its_items() {
        let mut diags = Vec::new();
        let bad = Value::object([("s", Value::string("bad"))]);
        assert_eq!(WORD.get(&bad, &mut diags), None);
        let odd = Value::object([("s", Value::string("odd"))]);
        assert_eq!(WORD.get(&odd, &mut diags), Some("odd".to_owned()));
        let number = Value::object([("s", Value::int(1))]);
        assert_eq!(WORD.get(&number, &mut diags), None);
        let path = Some(AttributePath::root("s"));
        let at: Vec<_> = diags
            .iter()
            .map(|d| (d.severity, d.attribute.clone(), d.detail.as_str()))
            .collect();
        assert_eq!(
            at,
            [
                (crate::model::Severity::Error, path.clone(), "s is bad."),
                (crate::model::Severity::Warning, path.clone(), "s is odd."),
                (
                    crate::model::Severity::Error,
                    path,
                    "s must be a string, but Terraform sent a number."
                ),
            ]
        );

        let mut diags = Vec::new();
        let list = Value::object([(
            "short",
            Value::List(vec![Value::string("ab"), Value::string("abcd")]),
        )]);
        assert_eq!(SHORT.get(&list, &mut diags), Some(vec!["ab".to_owned()]));
        assert_eq!(diags.len(), 1);
        assert_eq!(
            diags[0].attribute,
            Some(AttributePath::root("short").index(1))
        );
        let not_a_list = Value::object([("short", Value::string("ab"))]);
        assert_eq!(SHORT.get(&not_a_list, &mut diags), None);
        assert_eq!(diags.len(), 2);
        assert_eq!(diags[1].attribute, Some(AttributePath::root("short")));
    }

    #[test]
    fn a_number_where_a_string_belongs_is_reported_not_panicked() {
        let c = config();
        let p = AttributePath::root("n");
        assert!(string(&c, "n", &p).is_err());
    }
}
