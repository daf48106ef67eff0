//! cty types and values: the shapes Terraform exchanges with providers.

use std::collections::BTreeMap;
use std::fmt;

/// How deep types and values may nest. Terraform schemas stay far below this; the limit
/// exists so that hostile input cannot exhaust the stack of a recursive reader.
pub const MAX_DEPTH: usize = 64;

/// Why a type's JSON form could not be read.
#[derive(Debug, thiserror::Error)]
pub enum TypeError {
    /// The bytes are not JSON at all.
    #[error("type is not valid JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// The JSON does not describe a cty type.
    #[error("invalid type JSON: {0}")]
    Invalid(String),
    /// The type nests deeper than [`MAX_DEPTH`].
    #[error("type nests deeper than {MAX_DEPTH} levels")]
    TooDeep,
}

/// A cty type. Terraform sends and expects these as JSON (see [`Type::to_json`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Type {
    /// `"string"`
    String,
    /// `"number"`
    Number,
    /// `"bool"`
    Bool,
    /// `"dynamic"`: the value on the wire carries its own type.
    Dynamic,
    /// `["list", T]`
    List(Box<Type>),
    /// `["set", T]`
    Set(Box<Type>),
    /// `["map", T]`
    Map(Box<Type>),
    /// `["object", {name: T}]`
    Object(BTreeMap<String, Type>),
    /// `["tuple", [T...]]`
    Tuple(Vec<Type>),
}

impl Type {
    /// A list of `elem`.
    pub fn list(elem: Type) -> Type {
        Type::List(Box::new(elem))
    }

    /// A map of `elem`.
    pub fn map(elem: Type) -> Type {
        Type::Map(Box::new(elem))
    }

    /// An object type from `(name, type)` pairs.
    pub fn object<I, S>(attrs: I) -> Type
    where
        I: IntoIterator<Item = (S, Type)>,
        S: Into<String>,
    {
        Type::Object(attrs.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    /// The JSON form of the type, as Terraform reads it in schemas.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::{json, Value as J};
        match self {
            Type::String => json!("string"),
            Type::Number => json!("number"),
            Type::Bool => json!("bool"),
            Type::Dynamic => json!("dynamic"),
            Type::List(t) => json!(["list", t.to_json()]),
            Type::Set(t) => json!(["set", t.to_json()]),
            Type::Map(t) => json!(["map", t.to_json()]),
            Type::Object(attrs) => {
                let m: serde_json::Map<String, J> = attrs
                    .iter()
                    .map(|(k, t)| (k.clone(), t.to_json()))
                    .collect();
                json!(["object", J::Object(m)])
            }
            Type::Tuple(elems) => {
                json!(["tuple", J::Array(elems.iter().map(Type::to_json).collect())])
            }
        }
    }
}

impl Type {
    /// Reads cty's JSON form of a type: `"string"`, `["list","string"]`,
    /// `["object",{"a":"number"}]` (also with the optional-attributes list Terraform 1.3+
    /// appends as a third element), `["tuple",["string","bool"]]`.
    pub fn from_json(v: &serde_json::Value) -> Result<Type, TypeError> {
        type_from_json(v, 0)
    }

    /// Reads a type from JSON text, as found inside a `dynamic` value on the wire.
    pub fn from_json_bytes(b: &[u8]) -> Result<Type, TypeError> {
        let v: serde_json::Value = serde_json::from_slice(b)?;
        Type::from_json(&v)
    }

    /// The JSON form as compact text, the way go-cty writes it.
    pub fn to_json_string(&self) -> String {
        self.to_json().to_string()
    }
}

/// Shows the type in its JSON form, which is also how Terraform users see it in errors.
impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_json_string())
    }
}

fn type_from_json(v: &serde_json::Value, depth: usize) -> Result<Type, TypeError> {
    use serde_json::Value as J;
    if depth >= MAX_DEPTH {
        return Err(TypeError::TooDeep);
    }
    match v {
        J::String(name) => match name.as_str() {
            "string" => Ok(Type::String),
            "number" => Ok(Type::Number),
            "bool" => Ok(Type::Bool),
            "dynamic" => Ok(Type::Dynamic),
            other => Err(TypeError::Invalid(format!(
                "unknown primitive type {:?}",
                clip(other)
            ))),
        },
        J::Array(parts) => {
            let kind = parts.first().and_then(J::as_str).ok_or_else(|| {
                TypeError::Invalid("a type array must start with its kind".to_owned())
            })?;
            match (kind, &parts[1..]) {
                ("list", [elem]) => Ok(Type::list(type_from_json(elem, depth + 1)?)),
                ("set", [elem]) => Ok(Type::Set(Box::new(type_from_json(elem, depth + 1)?))),
                ("map", [elem]) => Ok(Type::map(type_from_json(elem, depth + 1)?)),
                ("object", [J::Object(attrs)]) => object_from_json(attrs, depth),
                ("object", [J::Object(attrs), J::Array(optional)]) => {
                    // Optional attributes only steer Terraform's own conversions; the
                    // wire shape is the same, but the names must still be attributes.
                    for name in optional {
                        match name.as_str() {
                            Some(n) if attrs.contains_key(n) => {}
                            _ => {
                                return Err(TypeError::Invalid(
                                    "optional attributes must name attributes of the object"
                                        .to_owned(),
                                ))
                            }
                        }
                    }
                    object_from_json(attrs, depth)
                }
                ("tuple", [J::Array(elems)]) => elems
                    .iter()
                    .map(|e| type_from_json(e, depth + 1))
                    .collect::<Result<Vec<_>, _>>()
                    .map(Type::Tuple),
                (kind, _) => Err(TypeError::Invalid(format!(
                    "malformed {:?} type",
                    clip(kind)
                ))),
            }
        }
        _ => Err(TypeError::Invalid(
            "a type is a string or an array".to_owned(),
        )),
    }
}

fn object_from_json(
    attrs: &serde_json::Map<String, serde_json::Value>,
    depth: usize,
) -> Result<Type, TypeError> {
    attrs
        .iter()
        .map(|(k, t)| Ok((k.clone(), type_from_json(t, depth + 1)?)))
        .collect::<Result<BTreeMap<_, _>, TypeError>>()
        .map(Type::Object)
}

/// Wire text quoted in an error stays short: a hostile peer should not fill the logs.
pub(crate) fn clip(s: &str) -> &str {
    match s.char_indices().nth(64) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

pub use super::number::Number;

/// A cty value. The type is not carried: the codec reads and writes values against a
/// [`Type`] (except inside `dynamic`, where the wire carries it).
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// A null of any type.
    Null,
    /// A value not known until apply (refinements, if any, are dropped).
    Unknown,
    /// A string.
    String(String),
    /// A number.
    Number(Number),
    /// A bool.
    Bool(bool),
    /// List elements, in order.
    List(Vec<Value>),
    /// Set elements (order is not significant).
    Set(Vec<Value>),
    /// Map entries.
    Map(BTreeMap<String, Value>),
    /// Object attributes: every attribute of the type is present, `Null` where null.
    Object(BTreeMap<String, Value>),
    /// Tuple elements.
    Tuple(Vec<Value>),
    /// A `dynamic` value together with the concrete type it was encoded with.
    Dynamic(Type, Box<Value>),
}

impl Value {
    /// A string value.
    pub fn string(s: impl Into<String>) -> Value {
        Value::String(s.into())
    }

    /// An integer number value.
    pub fn int(i: i64) -> Value {
        Value::Number(Number::Int(i))
    }

    /// A string, or null when absent.
    pub fn opt_string(s: Option<impl Into<String>>) -> Value {
        s.map_or(Value::Null, |s| Value::String(s.into()))
    }

    /// An integer, or null when absent.
    pub fn opt_int(i: Option<i64>) -> Value {
        i.map_or(Value::Null, Value::int)
    }

    /// An object from `(name, value)` pairs.
    pub fn object<I, S>(attrs: I) -> Value
    where
        I: IntoIterator<Item = (S, Value)>,
        S: Into<String>,
    {
        Value::Object(attrs.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    /// What kind of value this is, for error messages (never the content, which may be
    /// secret).
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Unknown => "unknown",
            Value::String(_) => "string",
            Value::Number(_) => "number",
            Value::Bool(_) => "bool",
            Value::List(_) => "list",
            Value::Set(_) => "set",
            Value::Map(_) => "map",
            Value::Object(_) => "object",
            Value::Tuple(_) => "tuple",
            Value::Dynamic(..) => "dynamic",
        }
    }

    /// Whether this is null.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// Whether this value itself is unknown (not looking inside).
    pub fn is_unknown(&self) -> bool {
        matches!(self, Value::Unknown)
    }

    /// Whether no part of this value is unknown.
    pub fn is_wholly_known(&self) -> bool {
        match self {
            Value::Unknown => false,
            Value::List(v) | Value::Set(v) | Value::Tuple(v) => {
                v.iter().all(Value::is_wholly_known)
            }
            Value::Map(m) | Value::Object(m) => m.values().all(Value::is_wholly_known),
            Value::Dynamic(_, v) => v.is_wholly_known(),
            _ => true,
        }
    }

    /// An object's attribute (or a map's entry); `None` for other values.
    pub fn get(&self, name: &str) -> Option<&Value> {
        match self {
            Value::Object(m) | Value::Map(m) => m.get(name),
            Value::Dynamic(_, v) => v.get(name),
            _ => None,
        }
    }

    /// The string, if this is a known string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The number, if this is a known number.
    pub fn as_number(&self) -> Option<&Number> {
        match self {
            Value::Number(n) => Some(n),
            _ => None,
        }
    }

    /// The bool, if this is a known bool.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The elements, if this is a known list, set or tuple.
    pub fn as_elements(&self) -> Option<&[Value]> {
        match self {
            Value::List(v) | Value::Set(v) | Value::Tuple(v) => Some(v),
            _ => None,
        }
    }
}
