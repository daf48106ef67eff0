//! The msgpack decoder: bytes from Terraform read as a value of a given type, refusing
//! what does not match it and never trusting a length past the bytes that remain.

use std::collections::btree_map::Entry;
use std::collections::BTreeMap;

use rmp::decode::NumValueReadError;
use rmp::Marker;

use super::{DecodeError, DecodeErrorKind, Fault};
use crate::model::cty::{clip, Number, Type, Value, MAX_DEPTH};
use crate::model::diag::{AttributePath, PathStep};

type DecodeResult<T> = Result<T, Fault<DecodeErrorKind>>;

/// Reads a DynamicValue's msgpack bytes as a value of type `ty`.
pub fn decode(bytes: &[u8], ty: &Type) -> Result<Value, DecodeError> {
    let mut reader = Reader { rest: bytes };
    let value = reader.value(ty, 0).map_err(Fault::into_decode_error)?;
    if !reader.rest.is_empty() {
        return Err(DecodeError {
            path: AttributePath::default(),
            kind: DecodeErrorKind::TrailingBytes(reader.rest.len()),
        });
    }
    Ok(value)
}

/// The unread rest of the input. Reading advances the slice.
struct Reader<'a> {
    rest: &'a [u8],
}

/// rmp reports a short read as an I/O error on the slice; a type mismatch cannot happen
/// because every read is chosen from the peeked marker.
fn short<E>(_: E) -> DecodeErrorKind {
    DecodeErrorKind::Truncated
}

impl<'a> Reader<'a> {
    fn peek(&self) -> DecodeResult<Marker> {
        match self.rest.first() {
            Some(&b) => Ok(Marker::from_u8(b)),
            None => Err(DecodeErrorKind::Truncated.into()),
        }
    }

    fn take(&mut self, len: u32) -> DecodeResult<&'a [u8]> {
        let len = usize::try_from(len).map_err(short)?;
        if len > self.rest.len() {
            return Err(DecodeErrorKind::Truncated.into());
        }
        let (taken, rest) = self.rest.split_at(len);
        self.rest = rest;
        Ok(taken)
    }

    /// Refuses a count of items that the remaining bytes cannot hold (each item takes at
    /// least `min_bytes`), before anything is allocated for them.
    fn plausible(&self, count: u32, min_bytes: usize) -> DecodeResult<usize> {
        let count = usize::try_from(count).map_err(short)?;
        if count.saturating_mul(min_bytes) > self.rest.len() {
            return Err(DecodeErrorKind::Truncated.into());
        }
        Ok(count)
    }

    pub(super) fn value(&mut self, ty: &Type, depth: usize) -> DecodeResult<Value> {
        if depth > MAX_DEPTH {
            return Err(DecodeErrorKind::TooDeep.into());
        }
        let marker = self.peek()?;
        if is_ext(marker) {
            let meta = rmp::decode::read_ext_meta(&mut self.rest).map_err(short)?;
            self.take(meta.size)?;
            return Ok(Value::Unknown);
        }
        if *ty == Type::Dynamic {
            return self.dynamic(depth);
        }
        if marker == Marker::Null {
            self.rest = &self.rest[1..];
            return Ok(Value::Null);
        }
        match ty {
            Type::String => self.string("a string").map(Value::String),
            Type::Number => self.number().map(Value::Number),
            Type::Bool => match marker {
                Marker::True | Marker::False => {
                    self.rest = &self.rest[1..];
                    Ok(Value::Bool(marker == Marker::True))
                }
                _ => Err(DecodeErrorKind::Expected("a bool").into()),
            },
            Type::List(elem) => self.sequence(elem, depth, true).map(Value::List),
            Type::Set(elem) => self.sequence(elem, depth, false).map(Value::Set),
            Type::Tuple(elems) => self.tuple(elems, depth),
            Type::Map(elem) => self.map(elem, depth),
            Type::Object(attrs) => self.object(attrs, depth),
            Type::Dynamic => self.dynamic(depth),
        }
    }

    /// A string, also accepted as bin (the msgpack library Terraform uses reads both).
    fn string(&mut self, what: &'static str) -> DecodeResult<String> {
        let len = match self.peek()? {
            Marker::FixStr(_) | Marker::Str8 | Marker::Str16 | Marker::Str32 => {
                rmp::decode::read_str_len(&mut self.rest).map_err(short)?
            }
            Marker::Bin8 | Marker::Bin16 | Marker::Bin32 => {
                rmp::decode::read_bin_len(&mut self.rest).map_err(short)?
            }
            _ => return Err(DecodeErrorKind::Expected(what).into()),
        };
        let bytes = self.take(len)?;
        match std::str::from_utf8(bytes) {
            Ok(s) => Ok(s.to_owned()),
            Err(_) => Err(DecodeErrorKind::InvalidUtf8.into()),
        }
    }

    fn number(&mut self) -> DecodeResult<Number> {
        let number = match self.peek()? {
            Marker::U64 => {
                let u = rmp::decode::read_u64(&mut self.rest).map_err(short)?;
                match i64::try_from(u) {
                    Ok(i) => Number::Int(i),
                    // Past i64: a float when exact (2^63), else decimal text.
                    Err(_) => Number::from_decimal(&u.to_string())
                        .ok_or(DecodeErrorKind::InvalidNumber)?,
                }
            }
            Marker::FixPos(_)
            | Marker::FixNeg(_)
            | Marker::U8
            | Marker::U16
            | Marker::U32
            | Marker::I8
            | Marker::I16
            | Marker::I32
            | Marker::I64 => Number::Int(rmp::decode::read_int(&mut self.rest).map_err(
                |e: NumValueReadError<std::io::Error>| match e {
                    NumValueReadError::OutOfRange => DecodeErrorKind::InvalidNumber,
                    _ => DecodeErrorKind::Truncated,
                },
            )?),
            Marker::F32 => float(rmp::decode::read_f32(&mut self.rest).map_err(short)?.into())?,
            Marker::F64 => float(rmp::decode::read_f64(&mut self.rest).map_err(short)?)?,
            _ => {
                let text = self.string("a number")?;
                Number::from_decimal(&text).ok_or(DecodeErrorKind::InvalidNumber)?
            }
        };
        Ok(number)
    }

    fn array_len(&mut self, what: &'static str) -> DecodeResult<usize> {
        let is_array = |m| matches!(m, Marker::FixArray(_) | Marker::Array16 | Marker::Array32);
        self.container_len(what, is_array, rmp::decode::read_array_len, 1)
    }

    fn map_len(&mut self, what: &'static str) -> DecodeResult<usize> {
        let is_map = |m| matches!(m, Marker::FixMap(_) | Marker::Map16 | Marker::Map32);
        self.container_len(what, is_map, rmp::decode::read_map_len, 2)
    }

    /// The length of the array or map `is_kind` recognises by its marker, read by `read`,
    /// when `bytes_per_entry` times it could still be in the input.
    fn container_len<E>(
        &mut self,
        what: &'static str,
        is_kind: fn(Marker) -> bool,
        read: fn(&mut &'a [u8]) -> Result<u32, E>,
        bytes_per_entry: usize,
    ) -> DecodeResult<usize> {
        if !is_kind(self.peek()?) {
            return Err(DecodeErrorKind::Expected(what).into());
        }
        let len = read(&mut self.rest).map_err(short)?;
        self.plausible(len, bytes_per_entry)
    }

    /// A list's or a set's elements. Only list faults name an index: Terraform addresses
    /// set elements by value, so a path into a set stops at the set.
    fn sequence(&mut self, elem: &Type, depth: usize, is_list: bool) -> DecodeResult<Vec<Value>> {
        let len = self.array_len(if is_list { "a list" } else { "a set" })?;
        let mut out = Vec::with_capacity(len);
        for i in 0..len {
            let v = self.value(elem, depth + 1).map_err(|f| {
                if is_list {
                    f.within(PathStep::ElementKeyInt(i as i64))
                } else {
                    f
                }
            })?;
            out.push(v);
        }
        Ok(out)
    }

    fn tuple(&mut self, elems: &[Type], depth: usize) -> DecodeResult<Value> {
        let len = self.array_len("a tuple")?;
        if len != elems.len() {
            return Err(DecodeErrorKind::TupleLength {
                expected: elems.len(),
                given: len,
            }
            .into());
        }
        let mut out = Vec::with_capacity(len);
        for (i, ty) in elems.iter().enumerate() {
            let v = self
                .value(ty, depth + 1)
                .map_err(|f| f.within(PathStep::ElementKeyInt(i as i64)))?;
            out.push(v);
        }
        Ok(Value::Tuple(out))
    }

    fn map(&mut self, elem: &Type, depth: usize) -> DecodeResult<Value> {
        let len = self.map_len("a map")?;
        let mut out = BTreeMap::new();
        for _ in 0..len {
            let key = self.string("a string map key")?;
            let v = self
                .value(elem, depth + 1)
                .map_err(|f| f.within(PathStep::ElementKeyString(key.clone())))?;
            match out.entry(key) {
                Entry::Vacant(slot) => {
                    slot.insert(v);
                }
                Entry::Occupied(slot) => {
                    return Err(DecodeErrorKind::DuplicateKey(clip(slot.key()).to_owned()).into())
                }
            }
        }
        Ok(Value::Map(out))
    }

    fn object(&mut self, attrs: &BTreeMap<String, Type>, depth: usize) -> DecodeResult<Value> {
        let len = self.map_len("an object")?;
        if len != attrs.len() {
            return Err(DecodeErrorKind::AttributeCount {
                expected: attrs.len(),
                given: len,
            }
            .into());
        }
        // Terraform writes an object's attributes sorted by name, the order `attrs` holds
        // them in: while the names come in that order, each is matched against the next
        // expected one. A name out of that order is looked up instead.
        let mut expected = attrs.iter();
        let mut in_order: Vec<(String, Value)> = Vec::with_capacity(len);
        let mut out: Option<BTreeMap<String, Value>> = None;
        for _ in 0..len {
            let name = self.string("an attribute name")?;
            let next = if out.is_none() { expected.next() } else { None };
            let ty = match next {
                Some((k, ty)) if *k == name => ty,
                _ => {
                    if out.is_none() {
                        out = Some(std::mem::take(&mut in_order).into_iter().collect());
                    }
                    let Some(ty) = attrs.get(&name) else {
                        return Err(
                            DecodeErrorKind::UnsupportedAttribute(clip(&name).to_owned()).into(),
                        );
                    };
                    ty
                }
            };
            let v = self
                .value(ty, depth + 1)
                .map_err(|f| f.within(PathStep::Attribute(name.clone())))?;
            let Some(map) = out.as_mut() else {
                in_order.push((name, v));
                continue;
            };
            // With as many entries as attributes and no repeats, every attribute is there.
            match map.entry(name) {
                Entry::Vacant(slot) => {
                    slot.insert(v);
                }
                Entry::Occupied(slot) => {
                    return Err(DecodeErrorKind::DuplicateKey(clip(slot.key()).to_owned()).into())
                }
            }
        }
        // In order, every name was a distinct attribute, as many as there are.
        Ok(Value::Object(
            out.unwrap_or_else(|| in_order.into_iter().collect()),
        ))
    }

    fn dynamic(&mut self, depth: usize) -> DecodeResult<Value> {
        if self.peek()? == Marker::Null {
            self.rest = &self.rest[1..];
            return Ok(Value::Null);
        }
        if self.array_len("a dynamic value")? != 2 {
            return Err(DecodeErrorKind::DynamicShape.into());
        }
        let type_json = match self.peek()? {
            Marker::Bin8 | Marker::Bin16 | Marker::Bin32 => {
                let len = rmp::decode::read_bin_len(&mut self.rest).map_err(short)?;
                self.take(len)?
            }
            Marker::FixStr(_) | Marker::Str8 | Marker::Str16 | Marker::Str32 => {
                let len = rmp::decode::read_str_len(&mut self.rest).map_err(short)?;
                self.take(len)?
            }
            _ => return Err(DecodeErrorKind::DynamicShape.into()),
        };
        let ty = Type::from_json_bytes(type_json).map_err(DecodeErrorKind::DynamicType)?;
        let v = self.value(&ty, depth + 1)?;
        Ok(Value::Dynamic(ty, Box::new(v)))
    }
}

fn is_ext(marker: Marker) -> bool {
    matches!(
        marker,
        Marker::FixExt1
            | Marker::FixExt2
            | Marker::FixExt4
            | Marker::FixExt8
            | Marker::FixExt16
            | Marker::Ext8
            | Marker::Ext16
            | Marker::Ext32
    )
}

/// cty has no NaN. Whole floats become `Int`, so that decoded numbers are always in
/// canonical form and compare equal exactly when they are the same number.
fn float(f: f64) -> Result<Number, DecodeErrorKind> {
    Number::Float(f)
        .canonical()
        .ok_or(DecodeErrorKind::InvalidNumber)
}
