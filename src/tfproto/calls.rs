//! The protocol's calls in model terms, shared by tfplugin5 and tfplugin6: decoding
//! DynamicValues against schemas, calling the provider, encoding its state.

use crate::model::msgpack::{self, DecodeError};
use crate::model::provider::Invocable;
use crate::model::{
    Diagnostic, FunctionError, Provider, ReadResult, Readable, Schema, Type, Value,
};

/// A DynamicValue's two encodings, borrowed from the request; `None` when absent.
pub(crate) type Wire<'a> = Option<(&'a [u8], &'a [u8])>;

/// Reads a DynamicValue as a value of `ty`: msgpack when present, else JSON.
pub(crate) fn decode(wire: Wire<'_>, ty: &Type, what: &str) -> Result<Value, Diagnostic> {
    let (mp, json) = wire.unwrap_or((&[], &[]));
    let result = if !mp.is_empty() {
        msgpack::decode(mp, ty)
    } else if !json.is_empty() {
        msgpack::decode_json(json, ty)
    } else {
        return Err(Diagnostic::error(
            format!("Missing {what}"),
            format!("Terraform sent no {what}. This is a bug in Terraform or in the provider."),
        ));
    };
    result.map_err(|e| decode_diagnostic(&e, what))
}

fn decode_diagnostic(e: &DecodeError, what: &str) -> Diagnostic {
    let d = Diagnostic::error(
        format!("Invalid {what}"),
        format!(
            "The provider could not read the {what} Terraform sent: {}. This is a bug in \
             Terraform or in the provider.",
            e.kind
        ),
    );
    if e.path.0.is_empty() {
        d
    } else {
        d.at(e.path.clone())
    }
}

/// The kinds of block Terraform names by type: each RPC about one finds it here, once, and
/// decodes its configuration here, and nowhere else.
#[derive(Clone, Copy)]
pub(crate) enum Kind {
    /// A data source.
    DataSource,
    /// An ephemeral resource.
    EphemeralResource,
    /// An action.
    Action,
}

impl Kind {
    /// The kind as the diagnostics name it.
    fn noun(self) -> &'static str {
        match self {
            Kind::DataSource => "data source",
            Kind::EphemeralResource => "ephemeral resource",
            Kind::Action => "action",
        }
    }

    /// What Terraform asks of a block of this kind once its configuration must be known.
    /// Terraform defers a data source's read to apply while its configuration is unknown
    /// (reading now would query the API with placeholders), and opens an ephemeral resource
    /// or invokes an action only once it is known.
    fn asked(self) -> &'static str {
        match self {
            Kind::DataSource => "read this data source",
            Kind::EphemeralResource => "open this ephemeral resource",
            Kind::Action => "invoke this action",
        }
    }

    /// The diagnostic saying this provider has no block of this kind named `type_name`.
    fn unknown(self, type_name: &str) -> Diagnostic {
        Diagnostic::error(
            format!("Unknown {}", self.noun()),
            format!(
                "This provider has no {} named {:?}.",
                self.noun(),
                crate::model::cty::clip(type_name)
            ),
        )
    }

    /// The data source or ephemeral resource `type_name`, found once for the whole call.
    fn readable<'p>(
        self,
        provider: &'p dyn Provider,
        type_name: &str,
    ) -> Result<Box<dyn Readable + 'p>, Diagnostic> {
        match self {
            Kind::DataSource => provider.data_source(type_name),
            Kind::EphemeralResource => provider.ephemeral_resource(type_name),
            Kind::Action => None,
        }
        .ok_or_else(|| self.unknown(type_name))
    }

    /// The action `type_name`, found once for the whole call.
    fn action<'p>(
        self,
        provider: &'p dyn Provider,
        type_name: &str,
    ) -> Result<Box<dyn Invocable + 'p>, Diagnostic> {
        provider
            .action(type_name)
            .ok_or_else(|| self.unknown(type_name))
    }

    /// The configuration of a block of this kind, decoded against its `schema`. With
    /// `asked` (what Terraform asked to do: read a data source, open an ephemeral resource,
    /// invoke an action) every value must be known: this is the one place that holds
    /// Terraform to it.
    fn config(
        self,
        schema: &Schema,
        config: Wire<'_>,
        asked: Option<&str>,
    ) -> Result<Value, Diagnostic> {
        let value = decode(
            config,
            schema.value_type(),
            &format!("{} configuration", self.noun()),
        )?;
        match asked {
            Some(asked) if !value.is_wholly_known() => Err(Diagnostic::error(
                "Configuration not yet known",
                format!(
                    "Terraform asked to {asked} before all of its arguments were known. This \
                     is a bug in Terraform or in the provider."
                ),
            )),
            _ => Ok(value),
        }
    }

    /// ReadDataSource and OpenEphemeralResource: reads (or opens) `type_name` from a wholly
    /// known configuration; its state as msgpack (absent on error) and the diagnostics.
    pub(crate) async fn read(
        self,
        provider: &dyn Provider,
        type_name: &str,
        config: Wire<'_>,
    ) -> (Option<Vec<u8>>, Vec<Diagnostic>) {
        let found = match self.readable(provider, type_name) {
            Ok(found) => found,
            Err(d) => return (None, vec![d]),
        };
        match self.config(found.schema(), config, Some(self.asked())) {
            Ok(value) => {
                let result = found.read(value).await;
                encode_result(result, found.schema().value_type(), type_name)
            }
            Err(d) => (None, vec![d]),
        }
    }
}

/// ValidateProviderConfig / PrepareProviderConfig.
pub(crate) fn validate_provider_config(
    provider: &dyn Provider,
    config: Wire<'_>,
) -> Vec<Diagnostic> {
    let ty = provider.provider_schema().value_type();
    match decode(config, ty, "provider configuration") {
        Ok(value) => provider.validate_provider_config(&value),
        Err(d) => vec![d],
    }
}

/// ConfigureProvider / Configure.
pub(crate) async fn configure(provider: &dyn Provider, config: Wire<'_>) -> Vec<Diagnostic> {
    let ty = provider.provider_schema().value_type();
    match decode(config, ty, "provider configuration") {
        Ok(value) => {
            if !value.is_wholly_known() {
                // Terraform configures with unknowns when the provider block refers to
                // values only known after apply; the provider decides what that means.
                tracing::debug!("provider configuration has values unknown until apply");
            }
            provider.configure(value).await
        }
        Err(d) => vec![d],
    }
}

/// RenewEphemeralResource / CloseEphemeralResource: an open holds nothing to renew or
/// release, so the only error is a type this provider does not have.
pub(crate) fn ephemeral_known(provider: &dyn Provider, type_name: &str) -> Vec<Diagnostic> {
    Kind::EphemeralResource
        .readable(provider, type_name)
        .err()
        .into_iter()
        .collect()
}

/// The static checks Terraform asks for by type name, each its own RPC.
#[derive(Clone, Copy)]
pub(crate) enum Check {
    /// ValidateDataResourceConfig / ValidateDataSourceConfig.
    DataSource,
    /// ValidateEphemeralResourceConfig.
    EphemeralResource,
    /// ValidateActionConfig.
    Action,
    /// PlanAction, which reads nothing: the action's static checks, and whatever else the
    /// provider says of it at plan time.
    ActionPlan,
}

/// The diagnostics of `check` on a `type_name` block; its values may be unknown.
pub(crate) fn check(
    provider: &dyn Provider,
    check: Check,
    type_name: &str,
    config: Wire<'_>,
) -> Vec<Diagnostic> {
    let (kind, asked_of) = match check {
        Check::DataSource => (Kind::DataSource, None),
        Check::EphemeralResource => (Kind::EphemeralResource, None),
        Check::Action => (Kind::Action, Some(false)),
        Check::ActionPlan => (Kind::Action, Some(true)),
    };
    let Some(plan) = asked_of else {
        let found = match kind.readable(provider, type_name) {
            Ok(found) => found,
            Err(d) => return vec![d],
        };
        return match kind.config(found.schema(), config, None) {
            Ok(value) => found.validate(&value),
            Err(d) => vec![d],
        };
    };
    let found = match kind.action(provider, type_name) {
        Ok(found) => found,
        Err(d) => return vec![d],
    };
    match kind.config(found.schema(), config, None) {
        Ok(value) if plan => found.plan(&value),
        Ok(value) => found.validate(&value),
        Err(d) => vec![d],
    }
}

/// InvokeAction: runs the action, its progress messages going to `progress`; the
/// diagnostics are what the Completed event carries.
pub(crate) async fn invoke_action(
    provider: &dyn Provider,
    type_name: &str,
    config: Wire<'_>,
    progress: &(dyn Fn(String) + Send + Sync),
) -> Vec<Diagnostic> {
    let kind = Kind::Action;
    let found = match kind.action(provider, type_name) {
        Ok(found) => found,
        Err(d) => return vec![d],
    };
    match kind.config(found.schema(), config, Some(kind.asked())) {
        Ok(value) => found.invoke(value, progress).await,
        Err(d) => vec![d],
    }
}

/// A read's state as msgpack of `ty`, or the diagnostic saying why there is none.
fn encode_result(
    mut result: ReadResult,
    ty: &Type,
    type_name: &str,
) -> (Option<Vec<u8>>, Vec<Diagnostic>) {
    let state = match result.state {
        Some(state) => match msgpack::encode(&state, ty) {
            Ok(bytes) => Some(bytes),
            Err(e) => {
                result.diagnostics.push(Diagnostic::error(
                    "Provider produced an invalid state",
                    format!(
                        "The state read for {type_name} does not match its schema at {:?}: {}. \
                         This is a bug in the provider.",
                        e.path, e.kind
                    ),
                ));
                None
            }
        },
        None => {
            if !crate::model::diag::has_errors(&result.diagnostics) {
                result.diagnostics.push(Diagnostic::error(
                    "Provider produced no state",
                    format!("Reading {type_name} gave neither a state nor an error. This is a bug in the provider."),
                ));
            }
            None
        }
    };
    (state, result.diagnostics)
}

/// CallFunction: the result as msgpack, or the function's error. Arguments are decoded
/// against the parameters' types; one that does not decode is that argument's error.
pub(crate) fn call_function(
    provider: &dyn Provider,
    name: &str,
    args: &[Wire<'_>],
) -> Result<Vec<u8>, FunctionError> {
    let Some(f) = provider.functions().iter().find(|f| f.name == name) else {
        return Err(FunctionError::call(format!(
            "This provider has no function named {:?}.",
            crate::model::cty::clip(name)
        )));
    };
    if args.len() != f.parameters.len() {
        return Err(FunctionError::call(format!(
            "{name} takes {} arguments; Terraform passed {}.",
            f.parameters.len(),
            args.len()
        )));
    }
    let mut values = Vec::with_capacity(args.len());
    for (i, (wire, p)) in args.iter().zip(&f.parameters).enumerate() {
        let v = decode(*wire, &p.ty, &format!("argument {}", p.name))
            .map_err(|d| FunctionError::argument(i, d.detail))?;
        if v.is_null() && !p.allow_null {
            return Err(FunctionError::argument(
                i,
                format!("{} must not be null.", p.name),
            ));
        }
        if !v.is_wholly_known() {
            // Terraform answers unknown itself unless a parameter allows unknowns, and
            // none does; a pure function cannot compute with a placeholder.
            return Err(FunctionError::argument(
                i,
                format!(
                    "{} is not known yet. This is a bug in Terraform or in the provider.",
                    p.name
                ),
            ));
        }
        values.push(v);
    }
    let result = provider.call_function(name, &values)?;
    msgpack::encode(&result, &f.return_type).map_err(|e| {
        FunctionError::call(format!(
            "{name} produced a result that does not match its return type at {:?}: {}. This is a bug in the provider.",
            e.path, e.kind
        ))
    })
}

/// The answer to every call about managed resources, list resources and state stores,
/// which this provider does not have.
pub(crate) fn no_resources(kind: &str, type_name: &str) -> Diagnostic {
    Diagnostic::error(
        format!("Unsupported {kind}"),
        format!(
            "This provider reads and checks but manages nothing: it has no {kind} named {:?}.",
            crate::model::cty::clip(type_name)
        ),
    )
}

#[cfg(test)]
#[path = "calls_tests.rs"]
mod tests;
