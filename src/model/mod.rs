//! The provider's view of Terraform's type system, schemas, values and diagnostics.
//!
//! Nothing here does I/O or knows about gRPC: `tfproto` converts these types to and from
//! the wire, and the framework and the data sources build and read them.

pub mod cty;
pub mod diag;
pub mod function;
pub mod json;
pub mod msgpack;
pub mod number;
pub mod provider;
pub mod schema;

pub use cty::{Number, Type, Value};
pub use diag::{AttributePath, Diagnostic, Diagnostics, PathStep, Severity};
pub use function::{Function, FunctionError, Parameter};
pub use provider::{Provider, ReadResult, Readable};
pub use schema::{Attribute, Block, NestedBlock, Nesting, Schema};
