//! The contract between the protocol layer and the provider's own logic.

use super::{Diagnostic, Function, FunctionError, Schema, Value};

/// The outcome of reading a data source.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ReadResult {
    /// The new state: a wholly known object conforming to the data source's schema, or
    /// `None` when an error prevented the read.
    pub state: Option<Value>,
    /// Errors and warnings.
    pub diagnostics: Vec<Diagnostic>,
}

impl ReadResult {
    /// A read that failed with one diagnostic.
    pub fn failed(diagnostic: Diagnostic) -> ReadResult {
        ReadResult {
            state: None,
            diagnostics: vec![diagnostic],
        }
    }
}

impl From<Result<Value, Diagnostic>> for ReadResult {
    fn from(result: Result<Value, Diagnostic>) -> ReadResult {
        match result {
            Ok(state) => ReadResult {
                state: Some(state),
                diagnostics: Vec::new(),
            },
            Err(diagnostic) => ReadResult::failed(diagnostic),
        }
    }
}

/// A data source, or an ephemeral resource (which reads like one), as a protocol call
/// reaches it: found once by its type name, then asked for its schema, checked or read.
#[async_trait::async_trait]
pub trait Readable: Send + Sync {
    /// Its schema.
    fn schema(&self) -> &Schema;

    /// Static checks of its block; values may be unknown.
    fn validate(&self, config: &Value) -> Vec<Diagnostic>;

    /// Reads from its (wholly known) configuration.
    async fn read(&self, config: Value) -> ReadResult;
}

/// A Terraform provider, in terms of the model alone. `tfproto` serves any implementation
/// of this over tfplugin5 and tfplugin6.
#[async_trait::async_trait]
pub trait Provider: Send + Sync + 'static {
    /// The provider block's schema.
    fn provider_schema(&self) -> &Schema;

    /// Every data source: its type name and schema, sorted by name.
    fn data_source_schemas(&self) -> &[(String, Schema)];

    /// Static checks of the provider block; values may be unknown.
    fn validate_provider_config(&self, config: &Value) -> Vec<Diagnostic>;

    /// The data source `type_name`, looked up once for the whole call; `None` when this
    /// provider has none of that name.
    fn data_source(&self, type_name: &str) -> Option<Box<dyn Readable + '_>>;

    /// Configures the provider from its (wholly known) block.
    async fn configure(&self, config: Value) -> Vec<Diagnostic>;

    /// Every provider function, sorted by name.
    fn functions(&self) -> &[Function] {
        &[]
    }

    /// Calls function `name` with arguments already checked against its parameters' types
    /// (null only where a parameter allows it). Must be pure: no clock, no network.
    fn call_function(&self, name: &str, args: &[Value]) -> Result<Value, FunctionError> {
        let _ = args;
        Err(FunctionError::call(format!(
            "This provider has no function named {:?}.",
            super::cty::clip(name)
        )))
    }

    /// Every ephemeral resource: its type name and schema, sorted by name.
    fn ephemeral_resource_schemas(&self) -> &[(String, Schema)] {
        &[]
    }

    /// The ephemeral resource `type_name`, looked up once for the whole call; opening it
    /// is reading it, and the result is never written to state or plan files.
    fn ephemeral_resource(&self, type_name: &str) -> Option<Box<dyn Readable + '_>> {
        let _ = type_name;
        None
    }

    /// Every action (Terraform 1.14 and later): its type name and schema, sorted by name.
    fn action_schemas(&self) -> &[(String, Schema)] {
        &[]
    }

    /// The action `type_name`, looked up once for the whole call; `None` when this
    /// provider has none of that name.
    fn action(&self, type_name: &str) -> Option<Box<dyn Invocable + '_>> {
        let _ = type_name;
        None
    }

    /// Terraform's StopProvider (Ctrl-C): cancel reads in flight and their retries, so
    /// they end now with an error instead of waiting out backoffs.
    fn stop(&self) {}
}

/// An action (Terraform 1.14 and later) as a protocol call reaches it: found once by its
/// type name, then asked for its schema, checked, planned or invoked.
#[async_trait::async_trait]
pub trait Invocable: Send + Sync {
    /// The schema of its `config` block.
    fn schema(&self) -> &Schema;

    /// Static checks of its `config` block; values may be unknown.
    fn validate(&self, config: &Value) -> Vec<Diagnostic>;

    /// PlanAction: what it says at plan time. Terraform does not call it again when a
    /// saved plan is applied, so nothing it learns may be relied on at apply; by default
    /// it is the static checks alone.
    fn plan(&self, config: &Value) -> Vec<Diagnostic> {
        self.validate(config)
    }

    /// InvokeAction: runs it from its (wholly known) configuration during apply, telling
    /// `progress` what it does as it goes; its errors fail the apply (and, for an action
    /// triggered before a change, stop that change).
    async fn invoke(
        &self,
        config: Value,
        progress: &(dyn Fn(String) + Send + Sync),
    ) -> Vec<Diagnostic>;
}
