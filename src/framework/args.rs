//! Reading arguments out of a configuration object, with the path of each so that a
//! diagnostic points at its line of HCL. A data source, an action and the provider block
//! (with its nested blocks) declare each argument once, as an [`Argument`]: its schema
//! entry and its checked value both come from that declaration.
//!
//! At validate time any value may be unknown (it depends on something not yet applied).
//! An unknown is neither valid nor invalid and, for conflict checks, not "set": the
//! functions here return `Arg::Unknown` so that callers cannot mistake it for a value.

use crate::framework::attribute::Field;
use crate::model::{Attribute, AttributePath, Diagnostic, Type, Value};

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

/// A whole-number argument; fractions are refused with a diagnostic at `path`.
fn whole_number(config: &Value, name: &str, path: &AttributePath) -> Result<Arg<i64>, Diagnostic> {
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
    sensitive: bool,
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
    /// A number, whole or not.
    Number(fn(f64, &mut At<'_>) -> Option<T>),
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
            sensitive: false,
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

    /// The same argument, whose value Terraform must not show (a secret, or what may hold
    /// one).
    pub const fn sensitive(self) -> Self {
        Argument {
            sensitive: true,
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
        let ty = self.ty();
        let field = if self.required {
            Field::required(self.name, ty, description)
        } else {
            Field::optional(self.name, ty, description)
        };
        if self.sensitive {
            field.sensitive()
        } else {
            field
        }
    }

    /// Its entry in a block the provider declares itself (the provider block and its
    /// nested blocks), which no answer fills in.
    pub fn attribute(&self) -> Attribute {
        self.field::<()>().attribute()
    }

    /// Its entry in such a block, with a description of its own there.
    pub fn attribute_described(&self, description: &'static str) -> Attribute {
        self.field_described::<()>(description).attribute()
    }

    fn ty(&self) -> Type {
        match self.reads {
            Reads::Text(_) => Type::String,
            Reads::Whole(_) | Reads::Number(_) => Type::Number,
            Reads::Flag(_) => Type::Bool,
            Reads::TextList(_) => Type::list(Type::String),
        }
    }

    /// Whether the configuration sets it, known or not, whatever its check would say: for
    /// checks across arguments, where an unknown may turn out either way.
    pub fn set(&self, config: &Value) -> Arg<()> {
        match raw(config, self.name) {
            Arg::Absent => Arg::Absent,
            Arg::Unknown => Arg::Unknown,
            Arg::Known(_) => Arg::Known(()),
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
        self.read(config, AttributePath::root(self.name), diags)
    }

    /// [`Argument::optional`] of the argument in a nested block, the object `block` at
    /// `block_path`: what is wrong lands at the argument within the block.
    pub fn optional_in(
        &self,
        block: &Value,
        block_path: &AttributePath,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<Option<T>> {
        self.read(block, block_path.clone().attr(self.name), diags)
    }

    /// [`Argument::get`] of the argument in a nested block (see [`Argument::optional_in`]).
    pub fn get_in(
        &self,
        block: &Value,
        block_path: &AttributePath,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<T> {
        self.optional_in(block, block_path, diags).flatten()
    }

    fn read(
        &self,
        config: &Value,
        path: AttributePath,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<Option<T>> {
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
            Reads::Number(check) => match value.as_number().and_then(|n| n.as_f64()) {
                Some(n) => check(n, &mut at),
                None => at.wrong_kind("number", value),
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

    /// The argument as a message names it: its name, after its block's where it is in
    /// one (`endpoints.sts`).
    pub fn label(&self) -> String {
        let names: Vec<&str> = self
            .path
            .0
            .iter()
            .filter_map(|step| match step {
                crate::model::PathStep::Attribute(name) => Some(name.as_str()),
                _ => None,
            })
            .collect();
        names.join(".")
    }

    /// The value is refused, as `detail` says: an error at the argument; `None`.
    pub fn invalid<T>(&mut self, detail: impl Into<String>) -> Option<T> {
        self.diags.push(invalid(self.name, &self.path, detail));
        None
    }

    /// `value` when `ok`; otherwise the value is refused, as `detail` says.
    pub fn check<T>(&mut self, ok: bool, value: T, detail: impl Into<String>) -> Option<T> {
        if ok {
            return Some(value);
        }
        self.invalid(detail)
    }

    /// `s` unless it is empty or only white space; then it is refused as "`<name>` is
    /// empty", followed by `; <what_to_do>` when there is something to do.
    pub fn filled<'s>(&mut self, s: &'s str, what_to_do: &str) -> Option<&'s str> {
        let detail = match what_to_do {
            "" => format!("{} is empty.", self.name),
            what => format!("{} is empty; {what}.", self.name),
        };
        self.check(!s.trim().is_empty(), s, detail)
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
#[path = "args_tests.rs"]
mod tests;
