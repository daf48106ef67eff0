//! The msgpack encoder: a value written against its type, checking that it conforms.

use std::fmt;

use super::{EncodeErrorKind, Fault};
use crate::model::cty::{Number, Type, Value, MAX_DEPTH};
use crate::model::diag::PathStep;

type EncodeResult = Result<(), Fault<EncodeErrorKind>>;

fn write_failed<E: fmt::Display>(e: E) -> Fault<EncodeErrorKind> {
    EncodeErrorKind::Write(e.to_string()).into()
}

fn len_u32(len: usize) -> Result<u32, Fault<EncodeErrorKind>> {
    u32::try_from(len).map_err(|_| EncodeErrorKind::TooLong.into())
}

fn write_str(out: &mut Vec<u8>, s: &str) -> EncodeResult {
    len_u32(s.len())?;
    rmp::encode::write_str(out, s).map_err(write_failed)
}

pub(super) fn write_value(
    value: &Value,
    ty: &Type,
    out: &mut Vec<u8>,
    depth: usize,
) -> EncodeResult {
    if depth > MAX_DEPTH {
        return Err(EncodeErrorKind::TooDeep.into());
    }
    match (value, ty) {
        (Value::Unknown, _) => {
            // Terraform's own spelling of "unknown": fixext1, type 0, one zero byte.
            rmp::encode::write_ext_meta(out, 1, 0).map_err(write_failed)?;
            out.push(0);
            Ok(())
        }
        (Value::Null, _) => rmp::encode::write_nil(out).map_err(write_failed),
        (Value::Dynamic(inner_ty, inner), Type::Dynamic) => {
            if *inner_ty == Type::Dynamic {
                return Err(EncodeErrorKind::UntypedDynamic.into());
            }
            rmp::encode::write_array_len(out, 2).map_err(write_failed)?;
            rmp::encode::write_bin(out, inner_ty.to_json_string().as_bytes())
                .map_err(write_failed)?;
            write_value(inner, inner_ty, out, depth + 1)
        }
        (_, Type::Dynamic) => Err(EncodeErrorKind::UntypedDynamic.into()),
        // A value that carries the very type the slot has needs no wrapping.
        (Value::Dynamic(inner_ty, inner), _) if inner_ty == ty => {
            write_value(inner, ty, out, depth + 1)
        }
        (Value::String(s), Type::String) => write_str(out, s),
        (Value::Bool(b), Type::Bool) => rmp::encode::write_bool(out, *b).map_err(write_failed),
        (Value::Number(n), Type::Number) => write_number(n, out),
        (Value::List(items), Type::List(elem)) => {
            rmp::encode::write_array_len(out, len_u32(items.len())?).map_err(write_failed)?;
            for (i, item) in items.iter().enumerate() {
                write_value(item, elem, out, depth + 1)
                    .map_err(|f| f.within(PathStep::ElementKeyInt(i as i64)))?;
            }
            Ok(())
        }
        // Set elements are addressed by value in Terraform, so a fault's path stops here.
        (Value::Set(items), Type::Set(elem)) => {
            rmp::encode::write_array_len(out, len_u32(items.len())?).map_err(write_failed)?;
            for item in items {
                write_value(item, elem, out, depth + 1)?;
            }
            Ok(())
        }
        (Value::Tuple(items), Type::Tuple(elems)) => {
            if items.len() != elems.len() {
                return Err(EncodeErrorKind::TupleLength {
                    expected: elems.len(),
                    given: items.len(),
                }
                .into());
            }
            rmp::encode::write_array_len(out, len_u32(items.len())?).map_err(write_failed)?;
            for (i, (item, ty)) in items.iter().zip(elems).enumerate() {
                write_value(item, ty, out, depth + 1)
                    .map_err(|f| f.within(PathStep::ElementKeyInt(i as i64)))?;
            }
            Ok(())
        }
        (Value::Map(entries), Type::Map(elem)) => {
            rmp::encode::write_map_len(out, len_u32(entries.len())?).map_err(write_failed)?;
            // BTreeMap order is byte order, the order go-cty sorts keys in.
            for (key, item) in entries {
                write_str(out, key)?;
                write_value(item, elem, out, depth + 1)
                    .map_err(|f| f.within(PathStep::ElementKeyString(key.clone())))?;
            }
            Ok(())
        }
        (Value::Object(values), Type::Object(attrs)) => {
            // Both maps are sorted by name, so when they hold the same names the values
            // pair up with the attributes in step; only other names are looked up, to say
            // which one is wrong.
            let same_names = values.len() == attrs.len() && values.keys().eq(attrs.keys());
            if !same_names {
                if let Some(extra) = values.keys().find(|k| !attrs.contains_key(*k)) {
                    return Err(EncodeErrorKind::UnexpectedAttribute(extra.clone()).into());
                }
                if let Some(missing) = attrs.keys().find(|k| !values.contains_key(*k)) {
                    return Err(EncodeErrorKind::MissingAttribute(missing.clone()).into());
                }
            }
            rmp::encode::write_map_len(out, len_u32(attrs.len())?).map_err(write_failed)?;
            for ((name, attr_ty), item) in attrs.iter().zip(values.values()) {
                write_str(out, name)?;
                write_value(item, attr_ty, out, depth + 1)
                    .map_err(|f| f.within(PathStep::Attribute(name.clone())))?;
            }
            Ok(())
        }
        (value, ty) => Err(EncodeErrorKind::Mismatch {
            expected: ty.to_json_string(),
            found: value.kind(),
        }
        .into()),
    }
}

/// go-cty's choice: an int when the value is exactly an `i64`, else a float64 when
/// exact, else the decimal text.
fn write_number(n: &Number, out: &mut Vec<u8>) -> EncodeResult {
    match n.canonical().ok_or(EncodeErrorKind::InvalidNumber)? {
        Number::Int(i) => rmp::encode::write_sint(out, i)
            .map(drop)
            .map_err(write_failed),
        Number::Float(f) => rmp::encode::write_f64(out, f).map_err(write_failed),
        Number::Big(text) => write_str(out, &text),
    }
}
