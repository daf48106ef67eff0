//! Provider-defined functions (Terraform 1.8 and later) in model terms: signatures and the
//! error a call can end in.

use super::Type;

/// One parameter of a provider function.
#[derive(Clone, Debug, PartialEq)]
pub struct Parameter {
    /// Its name, as documentation and error messages show it.
    pub name: String,
    /// Its cty type.
    pub ty: Type,
    /// Whether Terraform may pass null (otherwise Terraform refuses null before calling).
    pub allow_null: bool,
    /// What it means (Markdown).
    pub description: String,
}

impl Parameter {
    /// A parameter that refuses null.
    pub fn new(name: &str, ty: Type, description: &str) -> Parameter {
        Parameter {
            name: name.to_owned(),
            ty,
            allow_null: false,
            description: description.to_owned(),
        }
    }

    /// The same parameter, accepting null.
    pub fn nullable(mut self) -> Parameter {
        self.allow_null = true;
        self
    }
}

/// A provider function's signature and documentation.
#[derive(Clone, Debug, PartialEq)]
pub struct Function {
    /// The name users write after `provider::<provider>::`.
    pub name: String,
    /// Its parameters, in order.
    pub parameters: Vec<Parameter>,
    /// The type of its result.
    pub return_type: Type,
    /// One line on what it does.
    pub summary: String,
    /// What it does in full (Markdown).
    pub description: String,
}

/// Why a function call failed: a message and, when one argument is at fault, its index
/// (Terraform then points at that argument in the HCL).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FunctionError {
    /// What was wrong and how to fix it.
    pub text: String,
    /// The zero-based index of the argument at fault.
    pub argument: Option<usize>,
}

impl FunctionError {
    /// An error about argument `index`.
    pub fn argument(index: usize, text: impl Into<String>) -> FunctionError {
        FunctionError {
            text: text.into(),
            argument: Some(index),
        }
    }

    /// An error about the call as a whole.
    pub fn call(text: impl Into<String>) -> FunctionError {
        FunctionError {
            text: text.into(),
            argument: None,
        }
    }
}
