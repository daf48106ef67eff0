//! cty values in JSON, the other encoding of Terraform's DynamicValue.
//!
//! go-cty's `cty/json` rules: objects and maps are JSON objects, lists, sets and tuples
//! are arrays, `null` is null, numbers are JSON numbers (or numeric strings), and a
//! `dynamic` value is `{"type": T, "value": V}`. JSON cannot say "unknown". An object may
//! leave out attributes (they read as null) but may not carry ones its type lacks.
//!
//! Numbers go through `serde_json` without arbitrary precision: integer literals beyond
//! `u64` and decimals a float cannot hold exactly arrive rounded to the nearest `f64`.

use std::collections::BTreeMap;

use serde_json::Value as J;

use super::cty::{clip, Number, Type, Value, MAX_DEPTH};
use super::diag::PathStep;
use super::msgpack::{DecodeError, DecodeErrorKind, Fault};

type JsonResult = Result<Value, Fault<DecodeErrorKind>>;

/// Reads a DynamicValue's JSON bytes as a value of type `ty`.
pub fn decode_json(bytes: &[u8], ty: &Type) -> Result<Value, DecodeError> {
    // serde_json refuses nesting past 128 levels, so parsing cannot exhaust the stack.
    let json: J = serde_json::from_slice(bytes)
        .map_err(|e| Fault::new(DecodeErrorKind::Json(e.to_string())).into_decode_error())?;
    value(&json, ty, 0).map_err(Fault::into_decode_error)
}

fn expected(what: &'static str) -> Fault<DecodeErrorKind> {
    Fault::new(DecodeErrorKind::Expected(what))
}

fn value(json: &J, ty: &Type, depth: usize) -> JsonResult {
    if depth > MAX_DEPTH {
        return Err(DecodeErrorKind::TooDeep.into());
    }
    if json.is_null() {
        return Ok(Value::Null);
    }
    match ty {
        Type::String => match json {
            J::String(s) => Ok(Value::String(s.clone())),
            // cty converts these to strings rather than refusing them.
            J::Number(n) => Ok(Value::String(n.to_string())),
            J::Bool(b) => Ok(Value::String(b.to_string())),
            _ => Err(expected("a string")),
        },
        Type::Number => match json {
            J::Number(n) => number(n).map(Value::Number),
            J::String(s) => Number::from_decimal(s)
                .map(Value::Number)
                .ok_or_else(|| DecodeErrorKind::InvalidNumber.into()),
            _ => Err(expected("a number")),
        },
        Type::Bool => match json {
            J::Bool(b) => Ok(Value::Bool(*b)),
            J::String(s) if s == "true" => Ok(Value::Bool(true)),
            J::String(s) if s == "false" => Ok(Value::Bool(false)),
            _ => Err(expected("a bool")),
        },
        Type::List(elem) => elements(json, elem, depth, true).map(Value::List),
        Type::Set(elem) => elements(json, elem, depth, false).map(Value::Set),
        Type::Tuple(elems) => {
            let J::Array(items) = json else {
                return Err(expected("a tuple"));
            };
            if items.len() != elems.len() {
                return Err(DecodeErrorKind::TupleLength {
                    expected: elems.len(),
                    given: items.len(),
                }
                .into());
            }
            items
                .iter()
                .zip(elems)
                .enumerate()
                .map(|(i, (item, ty))| {
                    value(item, ty, depth + 1)
                        .map_err(|f| f.within(PathStep::ElementKeyInt(i as i64)))
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Tuple)
        }
        Type::Map(elem) => {
            let J::Object(entries) = json else {
                return Err(expected("a map"));
            };
            entries
                .iter()
                .map(|(k, item)| {
                    value(item, elem, depth + 1)
                        .map(|v| (k.clone(), v))
                        .map_err(|f| f.within(PathStep::ElementKeyString(k.clone())))
                })
                .collect::<Result<BTreeMap<_, _>, _>>()
                .map(Value::Map)
        }
        Type::Object(attrs) => {
            let J::Object(entries) = json else {
                return Err(expected("an object"));
            };
            if let Some(extra) = entries.keys().find(|k| !attrs.contains_key(*k)) {
                return Err(DecodeErrorKind::UnsupportedAttribute(clip(extra).to_owned()).into());
            }
            attrs
                .iter()
                .map(|(name, attr_ty)| {
                    let v = match entries.get(name) {
                        Some(item) => value(item, attr_ty, depth + 1)
                            .map_err(|f| f.within(PathStep::Attribute(name.clone())))?,
                        None => Value::Null,
                    };
                    Ok((name.clone(), v))
                })
                .collect::<Result<BTreeMap<_, _>, _>>()
                .map(Value::Object)
        }
        Type::Dynamic => {
            let J::Object(parts) = json else {
                return Err(expected("a {\"type\", \"value\"} object"));
            };
            if parts.keys().any(|k| k != "type" && k != "value") {
                return Err(DecodeErrorKind::DynamicShape.into());
            }
            let (Some(type_json), Some(inner)) = (parts.get("type"), parts.get("value")) else {
                return Err(DecodeErrorKind::DynamicShape.into());
            };
            let inner_ty = Type::from_json(type_json).map_err(DecodeErrorKind::DynamicType)?;
            let v = value(inner, &inner_ty, depth + 1)?;
            Ok(Value::Dynamic(inner_ty, Box::new(v)))
        }
    }
}

/// A list's or a set's elements; as in the msgpack reader, only list faults name an
/// index, since Terraform addresses set elements by value.
fn elements(
    json: &J,
    elem: &Type,
    depth: usize,
    is_list: bool,
) -> Result<Vec<Value>, Fault<DecodeErrorKind>> {
    let J::Array(items) = json else {
        return Err(expected(if is_list { "a list" } else { "a set" }));
    };
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            value(item, elem, depth + 1).map_err(|f| {
                if is_list {
                    f.within(PathStep::ElementKeyInt(i as i64))
                } else {
                    f
                }
            })
        })
        .collect()
}

fn number(n: &serde_json::Number) -> Result<Number, Fault<DecodeErrorKind>> {
    if let Some(i) = n.as_i64() {
        return Ok(Number::Int(i));
    }
    if let Some(u) = n.as_u64() {
        return Number::from_decimal(&u.to_string())
            .ok_or_else(|| DecodeErrorKind::InvalidNumber.into());
    }
    match n.as_f64() {
        Some(f) => Number::Float(f)
            .canonical()
            .ok_or_else(|| DecodeErrorKind::InvalidNumber.into()),
        None => Err(DecodeErrorKind::InvalidNumber.into()),
    }
}
