//! cty values in msgpack, the encoding of Terraform's DynamicValue.
//!
//! The rules are go-cty's (`cty/msgpack`), which Terraform uses on its side:
//! - null is msgpack nil; an unknown is any extension (Terraform writes fixext1 type 0,
//!   `d4 00 00`; 1.6+ writes type 12 carrying refinements, which are dropped here);
//! - numbers are ints when exactly an `i64`, else float64 when exact, else decimal text;
//! - lists, sets and tuples are arrays; maps are maps with string keys in sorted order;
//! - an object is a map carrying every attribute of its type (nil where null), sorted;
//! - a `dynamic` value is the array `[type JSON as bin, value encoded with that type]`.
//!
//! The decoder is stricter than go-cty where go-cty would build a value that does not
//! match its type (an object missing attributes, a short tuple, a duplicate key) and
//! refuses trailing bytes. It never trusts a length from the wire further than the bytes
//! that remain, and gives up past [`MAX_DEPTH`] levels of nesting.

use std::collections::btree_map::Entry;
use std::collections::BTreeMap;
use std::fmt;

use rmp::decode::NumValueReadError;
use rmp::Marker;

use super::cty::{clip, Number, Type, TypeError, Value, MAX_DEPTH};
use super::diag::{AttributePath, PathStep};

pub use super::json::decode_json;

/// Why bytes from Terraform could not be read as a value of the expected type.
#[derive(Debug, thiserror::Error)]
pub struct DecodeError {
    /// Where in the value the fault is (empty for the value itself).
    pub path: AttributePath,
    /// What is wrong there.
    pub kind: DecodeErrorKind,
}

/// The fault a [`DecodeError`] reports.
#[derive(Debug, thiserror::Error)]
pub enum DecodeErrorKind {
    /// The input stops in the middle of a value.
    #[error("the value ends before it is complete")]
    Truncated,
    /// The wire holds another kind of value than the type asks for.
    #[error("{0} is required")]
    Expected(&'static str),
    /// A string is not UTF-8.
    #[error("a string is not valid UTF-8")]
    InvalidUtf8,
    /// A number is NaN or text that is not a decimal number.
    #[error("invalid number")]
    InvalidNumber,
    /// An object does not carry exactly the attributes of its type.
    #[error("an object with {expected} attributes is required ({given} given)")]
    AttributeCount {
        /// Attributes in the type.
        expected: usize,
        /// Entries on the wire.
        given: usize,
    },
    /// An object carries an attribute its type does not have.
    #[error("unsupported attribute {0:?}")]
    UnsupportedAttribute(String),
    /// A map or object carries the same key twice.
    #[error("duplicate key {0:?}")]
    DuplicateKey(String),
    /// A tuple has the wrong number of elements.
    #[error("a tuple of length {expected} is required ({given} given)")]
    TupleLength {
        /// Elements in the type.
        expected: usize,
        /// Elements on the wire.
        given: usize,
    },
    /// A `dynamic` value is not a `[type, value]` pair.
    #[error("a dynamic value must be a [type, value] pair")]
    DynamicShape,
    /// The type inside a `dynamic` value is not valid.
    #[error("invalid type in dynamic value: {0}")]
    DynamicType(#[from] TypeError),
    /// Values nest deeper than [`MAX_DEPTH`].
    #[error("the value nests deeper than {MAX_DEPTH} levels")]
    TooDeep,
    /// Bytes remain after the value.
    #[error("{0} unexpected bytes after the value")]
    TrailingBytes(usize),
    /// The input is not JSON (for [`decode_json`]).
    #[error("invalid JSON: {0}")]
    Json(String),
}

/// Why a value could not be encoded against a type.
#[derive(Debug, thiserror::Error)]
pub struct EncodeError {
    /// Where in the value the fault is (empty for the value itself).
    pub path: AttributePath,
    /// What is wrong there.
    pub kind: EncodeErrorKind,
}

/// The fault an [`EncodeError`] reports.
#[derive(Debug, thiserror::Error)]
pub enum EncodeErrorKind {
    /// The value does not have the shape of the type.
    #[error("a {found} value cannot be encoded as {expected}")]
    Mismatch {
        /// The type, in its JSON form.
        expected: String,
        /// The kind of value given.
        found: &'static str,
    },
    /// An object value lacks an attribute of its type.
    #[error("attribute {0:?} is missing")]
    MissingAttribute(String),
    /// An object value has an attribute its type does not.
    #[error("attribute {0:?} is not in the type")]
    UnexpectedAttribute(String),
    /// A tuple value has the wrong number of elements.
    #[error("a tuple of length {expected} is required ({given} given)")]
    TupleLength {
        /// Elements in the type.
        expected: usize,
        /// Elements in the value.
        given: usize,
    },
    /// A number is NaN or a `Big` whose text is not a number.
    #[error("invalid number")]
    InvalidNumber,
    /// A value for a `dynamic` slot that does not say its concrete type.
    #[error("a dynamic value needs its concrete type (Value::Dynamic)")]
    UntypedDynamic,
    /// A string, collection or map longer than msgpack can express.
    #[error("longer than msgpack allows")]
    TooLong,
    /// Values nest deeper than [`MAX_DEPTH`].
    #[error("the value nests deeper than {MAX_DEPTH} levels")]
    TooDeep,
    /// The output could not be written (not expected for a `Vec`).
    #[error("write failed: {0}")]
    Write(String),
}

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

/// Encodes `value` as msgpack against `ty`, checking that it conforms.
pub fn encode(value: &Value, ty: &Type) -> Result<Vec<u8>, EncodeError> {
    let mut out = Vec::new();
    encode_into(value, ty, &mut out)?;
    Ok(out)
}

/// Like [`encode`], appending to `out`; on error `out` is left as it was.
pub fn encode_into(value: &Value, ty: &Type, out: &mut Vec<u8>) -> Result<(), EncodeError> {
    let start = out.len();
    let result = write_value(value, ty, out, 0).map_err(Fault::into_encode_error);
    if result.is_err() {
        out.truncate(start);
    }
    result
}

/// A fault on its way up from where it happened. The path is collected innermost first
/// while unwinding, so nothing is allocated for paths on success.
pub(crate) struct Fault<K> {
    reversed_path: Vec<PathStep>,
    kind: K,
}

impl<K> Fault<K> {
    pub(crate) fn new(kind: K) -> Self {
        Fault {
            reversed_path: Vec::new(),
            kind,
        }
    }

    pub(crate) fn within(mut self, step: PathStep) -> Self {
        self.reversed_path.push(step);
        self
    }

    fn into_path(mut reversed: Vec<PathStep>) -> AttributePath {
        reversed.reverse();
        AttributePath(reversed)
    }
}

impl<K> From<K> for Fault<K> {
    fn from(kind: K) -> Self {
        Fault::new(kind)
    }
}

impl Fault<DecodeErrorKind> {
    pub(crate) fn into_decode_error(self) -> DecodeError {
        DecodeError {
            path: Fault::<DecodeErrorKind>::into_path(self.reversed_path),
            kind: self.kind,
        }
    }
}

impl Fault<EncodeErrorKind> {
    fn into_encode_error(self) -> EncodeError {
        EncodeError {
            path: Fault::<EncodeErrorKind>::into_path(self.reversed_path),
            kind: self.kind,
        }
    }
}

/// Writes a path the way Terraform users read it: `rows[3].name`, `tags["env"]`.
struct ShowPath<'a>(&'a AttributePath);

impl fmt::Display for ShowPath<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, step) in self.0 .0.iter().enumerate() {
            match step {
                PathStep::Attribute(name) if i == 0 => f.write_str(clip(name))?,
                PathStep::Attribute(name) => write!(f, ".{}", clip(name))?,
                PathStep::ElementKeyString(key) => write!(f, "[{:?}]", clip(key))?,
                PathStep::ElementKeyInt(index) => write!(f, "[{index}]")?,
            }
        }
        Ok(())
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.0.is_empty() {
            write!(f, "{}", self.kind)
        } else {
            write!(f, "at {}: {}", ShowPath(&self.path), self.kind)
        }
    }
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.0.is_empty() {
            write!(f, "{}", self.kind)
        } else {
            write!(f, "at {}: {}", ShowPath(&self.path), self.kind)
        }
    }
}

type DecodeResult<T> = Result<T, Fault<DecodeErrorKind>>;

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

    fn value(&mut self, ty: &Type, depth: usize) -> DecodeResult<Value> {
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
        match self.peek()? {
            Marker::FixArray(_) | Marker::Array16 | Marker::Array32 => {}
            _ => return Err(DecodeErrorKind::Expected(what).into()),
        }
        let len = rmp::decode::read_array_len(&mut self.rest).map_err(short)?;
        self.plausible(len, 1)
    }

    fn map_len(&mut self, what: &'static str) -> DecodeResult<usize> {
        match self.peek()? {
            Marker::FixMap(_) | Marker::Map16 | Marker::Map32 => {}
            _ => return Err(DecodeErrorKind::Expected(what).into()),
        }
        let len = rmp::decode::read_map_len(&mut self.rest).map_err(short)?;
        self.plausible(len, 2)
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
        let mut out = BTreeMap::new();
        for _ in 0..len {
            let name = self.string("an attribute name")?;
            let Some(ty) = attrs.get(&name) else {
                return Err(DecodeErrorKind::UnsupportedAttribute(clip(&name).to_owned()).into());
            };
            let v = self
                .value(ty, depth + 1)
                .map_err(|f| f.within(PathStep::Attribute(name.clone())))?;
            // With as many entries as attributes and no repeats, every attribute is there.
            match out.entry(name) {
                Entry::Vacant(slot) => {
                    slot.insert(v);
                }
                Entry::Occupied(slot) => {
                    return Err(DecodeErrorKind::DuplicateKey(clip(slot.key()).to_owned()).into())
                }
            }
        }
        Ok(Value::Object(out))
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

fn write_value(value: &Value, ty: &Type, out: &mut Vec<u8>, depth: usize) -> EncodeResult {
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
            if let Some(extra) = values.keys().find(|k| !attrs.contains_key(*k)) {
                return Err(EncodeErrorKind::UnexpectedAttribute(extra.clone()).into());
            }
            rmp::encode::write_map_len(out, len_u32(attrs.len())?).map_err(write_failed)?;
            for (name, attr_ty) in attrs {
                let Some(item) = values.get(name) else {
                    return Err(EncodeErrorKind::MissingAttribute(name.clone()).into());
                };
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
