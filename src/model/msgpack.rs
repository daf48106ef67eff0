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

mod decode;
mod encode;

use std::fmt;

use super::cty::{clip, Type, TypeError, Value, MAX_DEPTH};
use super::diag::{AttributePath, PathStep};

pub use super::json::decode_json;
pub use decode::decode;

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

/// Encodes `value` as msgpack against `ty`, checking that it conforms.
pub fn encode(value: &Value, ty: &Type) -> Result<Vec<u8>, EncodeError> {
    let mut out = Vec::new();
    encode_into(value, ty, &mut out)?;
    Ok(out)
}

/// Like [`encode`], appending to `out`; on error `out` is left as it was.
pub fn encode_into(value: &Value, ty: &Type, out: &mut Vec<u8>) -> Result<(), EncodeError> {
    let start = out.len();
    let result = encode::write_value(value, ty, out, 0).map_err(Fault::into_encode_error);
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

/// `kind`, after the path to where it happened unless that is the value itself.
fn write_at(
    f: &mut fmt::Formatter<'_>,
    path: &AttributePath,
    kind: &dyn fmt::Display,
) -> fmt::Result {
    if path.0.is_empty() {
        write!(f, "{kind}")
    } else {
        write!(f, "at {}: {kind}", ShowPath(path))
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_at(f, &self.path, &self.kind)
    }
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_at(f, &self.path, &self.kind)
    }
}
