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

/// A cty number as Terraform encodes it: an exact integer, a float, or a decimal string for
/// anything wider.
///
/// The codec decodes numbers in canonical form (see [`Number::canonical`]): whole numbers
/// in `i64` range are always `Int`, so values compare equal exactly when equal in value.
#[derive(Clone, Debug, PartialEq)]
pub enum Number {
    /// Fits in an `i64` exactly.
    Int(i64),
    /// A binary float.
    Float(f64),
    /// Arbitrary precision, kept as its decimal text.
    Big(String),
}

impl Number {
    /// The value as an `i64`, when it is a whole number that fits.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Number::Int(i) => Some(*i),
            Number::Float(f) if f.fract() == 0.0 && f.abs() < 9.2e18 => Some(*f as i64),
            Number::Float(_) => None,
            Number::Big(s) => s.parse().ok(),
        }
    }

    /// Reads decimal text (`-12`, `0.8`, `1e400`) into the canonical form the codec uses:
    /// `Int` for whole numbers that fit an `i64`, `Float` for numbers an `f64` holds
    /// exactly, `Big` (normalised text) for the rest. `None` if the text is not a number.
    /// Exponents beyond ±10000 are refused so that a few bytes of input cannot expand
    /// into megabytes of digits.
    pub fn from_decimal(text: &str) -> Option<Number> {
        Decimal::parse(text).map(Decimal::into_number)
    }

    /// This number in its canonical form (see [`Number::from_decimal`]); `None` for NaN
    /// or a `Big` whose text is not a number. Infinities stay `Float`, as in go-cty.
    pub fn canonical(&self) -> Option<Number> {
        match self {
            Number::Int(i) => Some(Number::Int(*i)),
            Number::Float(f) if f.is_nan() => None,
            Number::Float(f) => Some(match whole_i64(*f) {
                Some(i) => Number::Int(i),
                None => Number::Float(*f),
            }),
            Number::Big(s) => Number::from_decimal(s),
        }
    }

    /// The value as an `f64` (possibly rounded).
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Number::Int(i) => Some(*i as f64),
            Number::Float(f) => Some(*f),
            Number::Big(s) => s.parse().ok(),
        }
    }
}

/// Shows the number as decimal text (floats in their shortest exact-round-trip form).
impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Number::Int(i) => write!(f, "{i}"),
            Number::Float(x) => write!(f, "{x}"),
            Number::Big(s) => f.write_str(s),
        }
    }
}

/// `f` as an `i64` when it is a whole number in range.
fn whole_i64(f: f64) -> Option<i64> {
    // 2^63 is exactly representable, so the half-open range test is exact.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    (f.fract() == 0.0 && (-LIMIT..LIMIT).contains(&f)).then_some(f as i64)
}

/// A decimal number spelled out without exponent: sign, integer digits without leading
/// zeros, fraction digits without trailing zeros. Zero is `int == "" && frac == ""`.
struct Decimal {
    negative: bool,
    int: String,
    frac: String,
}

impl Decimal {
    const MAX_EXPONENT: i64 = 10_000;

    fn parse(text: &str) -> Option<Decimal> {
        let (negative, rest) = match text.as_bytes().first()? {
            b'-' => (true, &text[1..]),
            b'+' => (false, &text[1..]),
            _ => (false, text),
        };
        let (mantissa, exponent) = match rest.find(['e', 'E']) {
            Some(i) => {
                let exp = &rest[i + 1..];
                let digits = exp.strip_prefix(['+', '-']).unwrap_or(exp);
                if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                // Saturate long exponents instead of overflowing; the range check
                // below refuses them unless the mantissa is zero.
                let significant = digits.trim_start_matches('0');
                let e: i64 = if significant.len() > 8 {
                    i64::MAX / 2
                } else {
                    significant.parse().unwrap_or(0)
                };
                (&rest[..i], if exp.starts_with('-') { -e } else { e })
            }
            None => (rest, 0),
        };
        let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        if int.is_empty() && frac.is_empty()
            || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit())
        {
            return None;
        }
        let digits: String = int.chars().chain(frac.chars()).collect();
        if digits.bytes().all(|b| b == b'0') {
            return Some(Decimal {
                negative: false,
                int: String::new(),
                frac: String::new(),
            });
        }
        if !(-Self::MAX_EXPONENT..=Self::MAX_EXPONENT).contains(&exponent) {
            return None;
        }
        // Position of the decimal point within `digits`, after applying the exponent.
        let point = int.len() as i64 + exponent;
        let (int, frac) = if point <= 0 {
            (
                String::new(),
                "0".repeat(point.unsigned_abs() as usize) + &digits,
            )
        } else if point as usize >= digits.len() {
            (
                digits.clone() + &"0".repeat(point as usize - digits.len()),
                String::new(),
            )
        } else {
            let (i, f) = digits.split_at(point as usize);
            (i.to_owned(), f.to_owned())
        };
        Some(Decimal {
            negative,
            int: int.trim_start_matches('0').to_owned(),
            frac: frac.trim_end_matches('0').to_owned(),
        })
    }

    fn into_number(self) -> Number {
        if self.int.is_empty() && self.frac.is_empty() {
            return Number::Int(0);
        }
        let text = self.to_string();
        if self.frac.is_empty() {
            if let Ok(i) = text.parse::<i64>() {
                return Number::Int(i);
            }
        }
        match text.parse::<f64>() {
            Ok(f) if f.is_finite() && self.is_exactly(f) => Number::Float(f),
            _ => Number::Big(text),
        }
    }

    /// Whether `f` is exactly this decimal (not merely its nearest float).
    fn is_exactly(&self, f: f64) -> bool {
        // 1100 fraction digits exceed the 1074 an f64 can have, so this is f's exact
        // expansion, not a rounding of it.
        let exact = format!("{:.1100}", f.abs());
        let (int, frac) = exact.split_once('.').unwrap_or((&exact, ""));
        f.is_sign_negative() == self.negative
            && int.trim_start_matches('0') == self.int
            && frac.trim_end_matches('0') == self.frac
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.negative {
            f.write_str("-")?;
        }
        f.write_str(if self.int.is_empty() { "0" } else { &self.int })?;
        if !self.frac.is_empty() {
            write!(f, ".{}", self.frac)?;
        }
        Ok(())
    }
}

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
