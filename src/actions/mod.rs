//! The provider's actions (Terraform 1.14 and later), one file each; the provider lists
//! them (`crate::provider::actions`).
//!
//! An action runs during apply, when a resource's `lifecycle { action_trigger { ... } }`
//! fires or `terraform apply -invoke=action.TYPE.NAME` asks for it. Its checks and reads go
//! through the same [`Client`] (decoding, caching, diagnostics) as the data sources; what it
//! adds is the moment: the data sources answer at plan time, an action at apply time.

pub mod accesskey_gate;
pub mod docs;

use crate::actiontrail::Client;
use crate::model::provider::Invocable;
use crate::model::{Diagnostic, Schema, Value};

/// One action: Metadata (its type name), Schema, ValidateActionConfig and InvokeAction, in
/// the terms of terraform-plugin-framework.
#[async_trait::async_trait]
pub trait Action: Send + Sync {
    /// The type name users write after `action`.
    fn type_name(&self) -> &'static str;
    /// The schema of its `config` block.
    fn schema(&self) -> &Schema;
    /// The section its docs page adds after the example (markdown).
    fn guide(&self) -> &'static str;
    /// Static checks of `config`; values may be unknown. PlanAction says the same: it is
    /// not called again when a saved plan is applied, so it reads nothing.
    fn validate(&self, config: &Value) -> Vec<Diagnostic>;
    /// Runs the action from a wholly known `config`, telling `progress` what it does.
    async fn invoke(
        &self,
        client: &Client,
        config: &Value,
        progress: &(dyn Fn(String) + Send + Sync),
    ) -> Vec<Diagnostic>;
}

/// An action as a protocol call reaches it ([`Invocable`]): found once by its type name,
/// with the client the provider configured, or the diagnostic saying why there is none.
pub struct Invoked<'p> {
    action: &'p dyn Action,
    client: Result<Client, Diagnostic>,
}

impl<'p> Invoked<'p> {
    /// `action`, invoked through `client`.
    pub fn new(action: &'p dyn Action, client: Result<Client, Diagnostic>) -> Invoked<'p> {
        Invoked { action, client }
    }
}

#[async_trait::async_trait]
impl Invocable for Invoked<'_> {
    fn schema(&self) -> &Schema {
        self.action.schema()
    }

    fn validate(&self, config: &Value) -> Vec<Diagnostic> {
        self.action.validate(config)
    }

    async fn invoke(
        &self,
        config: Value,
        progress: &(dyn Fn(String) + Send + Sync),
    ) -> Vec<Diagnostic> {
        match &self.client {
            Ok(client) => self.action.invoke(client, &config, progress).await,
            Err(d) => vec![d.clone()],
        }
    }
}
