//! What an operation of the emulator is: its Action, its API and its answer. Each
//! operation's file builds one; the routing table (`operations.rs`) lists them.

use super::auth::Principal;
use super::error::ApiError;
use super::SimState;
use serde_json::Value;
use std::collections::BTreeMap;

/// A request's parameters, URL query and form body together.
pub type Params = BTreeMap<String, String>;

/// What the operations of one API share.
#[derive(Debug)]
pub struct Api {
    /// The Version a request must name.
    pub version: &'static str,
    /// Its OpenAPI product code, as an error's `Recommend` link names it.
    pub product: &'static str,
    /// Whether the fault knobs (latency, throttling, server errors) apply.
    pub faults: bool,
}

/// How an operation answers.
#[derive(Clone, Copy, Debug)]
pub enum Handler {
    /// After the request's signature is verified, for the principal who signed it.
    Signed(fn(&SimState, &Params, &Principal) -> Result<Value, ApiError>),
    /// Without a signature: the request carries its own proof (an OIDC token).
    Unsigned(fn(&SimState, &Params) -> Result<Value, ApiError>),
}

/// One operation the emulator serves.
#[derive(Debug)]
pub struct Operation {
    /// Its Action.
    pub action: &'static str,
    /// The API it belongs to.
    pub api: &'static Api,
    /// Its answer.
    pub handler: Handler,
}

impl Operation {
    /// An operation answered after the request's signature is verified.
    pub const fn signed(
        action: &'static str,
        api: &'static Api,
        answer: fn(&SimState, &Params, &Principal) -> Result<Value, ApiError>,
    ) -> Operation {
        Operation {
            action,
            api,
            handler: Handler::Signed(answer),
        }
    }

    /// An operation answered without a signature check.
    pub const fn unsigned(
        action: &'static str,
        api: &'static Api,
        answer: fn(&SimState, &Params) -> Result<Value, ApiError>,
    ) -> Operation {
        Operation {
            action,
            api,
            handler: Handler::Unsigned(answer),
        }
    }
}

/// A parameter's value, trimmed, when present and not blank.
pub fn trimmed<'a>(params: &'a Params, name: &str) -> Option<&'a str> {
    params.get(name).map(|s| s.trim()).filter(|s| !s.is_empty())
}

/// Declares an API's operation modules and the operations it serves (`SERVED`), from one
/// list: each file declares its own [`Operation`], so naming the file here routes it.
macro_rules! served {
    ($($operation:ident),* $(,)?) => {
        $(pub mod $operation;)*

        /// The operations this API serves, each as its file declares it.
        pub const SERVED: &[$crate::sim::operation::Operation] =
            &[$($operation::OPERATION),*];
    };
}
pub(crate) use served;
