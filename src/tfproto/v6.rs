//! tfplugin6: the protocol Terraform 1.0 and later prefer.

use std::sync::Arc;

use tonic::{Request, Response, Status};

use super::calls::{self, no_resources};
use super::proto::tfplugin6 as pb;
use super::wire::wire_conversions;
use pb::provider_server::Provider as Service;

wire_conversions!();

/// Serves a [`model::Provider`] as tfplugin6's `Provider` service.
#[derive(Clone)]
pub struct Tfplugin6 {
    provider: Arc<dyn model::Provider>,
}

impl Tfplugin6 {
    /// The service for `provider`.
    pub fn new(provider: Arc<dyn model::Provider>) -> Self {
        Tfplugin6 { provider }
    }

    /// The service wrapped for a tonic router.
    pub fn into_server(self) -> pb::provider_server::ProviderServer<Self> {
        pb::provider_server::ProviderServer::new(self)
            .max_decoding_message_size(super::MAX_MESSAGE_SIZE)
            .max_encoding_message_size(super::MAX_MESSAGE_SIZE)
    }
}

type Answer<T> = Result<Response<T>, Status>;
type Events<T> = std::pin::Pin<Box<dyn futures::Stream<Item = Result<T, Status>> + Send>>;

fn error(d: model::Diagnostic) -> Vec<pb::Diagnostic> {
    vec![diagnostic(&d)]
}

#[tonic::async_trait]
impl Service for Tfplugin6 {
    async fn get_metadata(
        &self,
        _: Request<pb::get_metadata::Request>,
    ) -> Answer<pb::get_metadata::Response> {
        tracing::debug!(rpc = "GetMetadata", "call");
        Ok(Response::new(metadata(&*self.provider)))
    }

    async fn get_provider_schema(
        &self,
        _: Request<pb::get_provider_schema::Request>,
    ) -> Answer<pb::get_provider_schema::Response> {
        tracing::debug!(rpc = "GetProviderSchema", "call");
        Ok(Response::new(provider_schema(&*self.provider)))
    }

    async fn validate_provider_config(
        &self,
        req: Request<pb::validate_provider_config::Request>,
    ) -> Answer<pb::validate_provider_config::Response> {
        tracing::debug!(rpc = "ValidateProviderConfig", "call");
        let req = req.into_inner();
        let diags = calls::validate_provider_config(&*self.provider, wire(&req.config));
        Ok(Response::new(pb::validate_provider_config::Response {
            diagnostics: diagnostics(&diags),
        }))
    }

    async fn validate_resource_config(
        &self,
        req: Request<pb::validate_resource_config::Request>,
    ) -> Answer<pb::validate_resource_config::Response> {
        let req = req.into_inner();
        tracing::debug!(rpc = "ValidateResourceConfig", type_name = %req.type_name, "call");
        Ok(Response::new(pb::validate_resource_config::Response {
            diagnostics: error(no_resources("resource type", &req.type_name)),
        }))
    }

    async fn validate_data_resource_config(
        &self,
        req: Request<pb::validate_data_resource_config::Request>,
    ) -> Answer<pb::validate_data_resource_config::Response> {
        let req = req.into_inner();
        tracing::debug!(rpc = "ValidateDataResourceConfig", type_name = %req.type_name, "call");
        let diags =
            calls::validate_data_source_config(&*self.provider, &req.type_name, wire(&req.config));
        Ok(Response::new(pb::validate_data_resource_config::Response {
            diagnostics: diagnostics(&diags),
        }))
    }

    async fn upgrade_resource_state(
        &self,
        req: Request<pb::upgrade_resource_state::Request>,
    ) -> Answer<pb::upgrade_resource_state::Response> {
        let req = req.into_inner();
        tracing::debug!(rpc = "UpgradeResourceState", type_name = %req.type_name, "call");
        Ok(Response::new(pb::upgrade_resource_state::Response {
            upgraded_state: None,
            diagnostics: error(no_resources("resource type", &req.type_name)),
        }))
    }

    async fn get_resource_identity_schemas(
        &self,
        _: Request<pb::get_resource_identity_schemas::Request>,
    ) -> Answer<pb::get_resource_identity_schemas::Response> {
        tracing::debug!(rpc = "GetResourceIdentitySchemas", "call");
        Ok(Response::new(Default::default()))
    }

    async fn upgrade_resource_identity(
        &self,
        req: Request<pb::upgrade_resource_identity::Request>,
    ) -> Answer<pb::upgrade_resource_identity::Response> {
        let req = req.into_inner();
        tracing::debug!(rpc = "UpgradeResourceIdentity", type_name = %req.type_name, "call");
        Ok(Response::new(pb::upgrade_resource_identity::Response {
            upgraded_identity: None,
            diagnostics: error(no_resources("resource type", &req.type_name)),
        }))
    }

    async fn configure_provider(
        &self,
        req: Request<pb::configure_provider::Request>,
    ) -> Answer<pb::configure_provider::Response> {
        let req = req.into_inner();
        tracing::debug!(rpc = "ConfigureProvider", terraform_version = %req.terraform_version, "call");
        let diags = calls::configure(&*self.provider, wire(&req.config)).await;
        Ok(Response::new(pb::configure_provider::Response {
            diagnostics: diagnostics(&diags),
        }))
    }

    async fn read_resource(
        &self,
        req: Request<pb::read_resource::Request>,
    ) -> Answer<pb::read_resource::Response> {
        let req = req.into_inner();
        tracing::debug!(rpc = "ReadResource", type_name = %req.type_name, "call");
        Ok(Response::new(pb::read_resource::Response {
            diagnostics: error(no_resources("resource type", &req.type_name)),
            ..Default::default()
        }))
    }

    async fn plan_resource_change(
        &self,
        req: Request<pb::plan_resource_change::Request>,
    ) -> Answer<pb::plan_resource_change::Response> {
        let req = req.into_inner();
        tracing::debug!(rpc = "PlanResourceChange", type_name = %req.type_name, "call");
        Ok(Response::new(pb::plan_resource_change::Response {
            diagnostics: error(no_resources("resource type", &req.type_name)),
            ..Default::default()
        }))
    }

    async fn apply_resource_change(
        &self,
        req: Request<pb::apply_resource_change::Request>,
    ) -> Answer<pb::apply_resource_change::Response> {
        let req = req.into_inner();
        tracing::debug!(rpc = "ApplyResourceChange", type_name = %req.type_name, "call");
        Ok(Response::new(pb::apply_resource_change::Response {
            diagnostics: error(no_resources("resource type", &req.type_name)),
            ..Default::default()
        }))
    }

    async fn import_resource_state(
        &self,
        req: Request<pb::import_resource_state::Request>,
    ) -> Answer<pb::import_resource_state::Response> {
        let req = req.into_inner();
        tracing::debug!(rpc = "ImportResourceState", type_name = %req.type_name, "call");
        Ok(Response::new(pb::import_resource_state::Response {
            diagnostics: error(no_resources("resource type", &req.type_name)),
            ..Default::default()
        }))
    }

    async fn move_resource_state(
        &self,
        req: Request<pb::move_resource_state::Request>,
    ) -> Answer<pb::move_resource_state::Response> {
        let req = req.into_inner();
        tracing::debug!(rpc = "MoveResourceState", type_name = %req.target_type_name, "call");
        Ok(Response::new(pb::move_resource_state::Response {
            diagnostics: error(no_resources("resource type", &req.target_type_name)),
            ..Default::default()
        }))
    }

    async fn read_data_source(
        &self,
        req: Request<pb::read_data_source::Request>,
    ) -> Answer<pb::read_data_source::Response> {
        let req = req.into_inner();
        tracing::debug!(rpc = "ReadDataSource", type_name = %req.type_name, "call");
        let (state, diags) =
            calls::read_data_source(&*self.provider, &req.type_name, wire(&req.config)).await;
        Ok(Response::new(pb::read_data_source::Response {
            state: state.map(dynamic_value),
            diagnostics: diagnostics(&diags),
            deferred: None,
        }))
    }

    async fn validate_ephemeral_resource_config(
        &self,
        req: Request<pb::validate_ephemeral_resource_config::Request>,
    ) -> Answer<pb::validate_ephemeral_resource_config::Response> {
        let req = req.into_inner();
        tracing::debug!(rpc = "ValidateEphemeralResourceConfig", type_name = %req.type_name, "call");
        let diags =
            calls::validate_ephemeral_config(&*self.provider, &req.type_name, wire(&req.config));
        Ok(Response::new(
            pb::validate_ephemeral_resource_config::Response {
                diagnostics: diagnostics(&diags),
            },
        ))
    }

    async fn open_ephemeral_resource(
        &self,
        req: Request<pb::open_ephemeral_resource::Request>,
    ) -> Answer<pb::open_ephemeral_resource::Response> {
        let req = req.into_inner();
        tracing::debug!(rpc = "OpenEphemeralResource", type_name = %req.type_name, "call");
        let (result, diags) =
            calls::open_ephemeral(&*self.provider, &req.type_name, wire(&req.config)).await;
        // No renew_at: nothing here expires, so Terraform never calls Renew; no private
        // state: Close has nothing to release.
        Ok(Response::new(pb::open_ephemeral_resource::Response {
            diagnostics: diagnostics(&diags),
            renew_at: None,
            result: result.map(dynamic_value),
            private: None,
            deferred: None,
        }))
    }

    async fn renew_ephemeral_resource(
        &self,
        req: Request<pb::renew_ephemeral_resource::Request>,
    ) -> Answer<pb::renew_ephemeral_resource::Response> {
        let req = req.into_inner();
        tracing::debug!(rpc = "RenewEphemeralResource", type_name = %req.type_name, "call");
        // Open never asks for renewal; answering a stray Renew with no new deadline ends it.
        let diags = calls::ephemeral_known(&*self.provider, &req.type_name);
        Ok(Response::new(pb::renew_ephemeral_resource::Response {
            diagnostics: diagnostics(&diags),
            renew_at: None,
            private: None,
        }))
    }

    async fn close_ephemeral_resource(
        &self,
        req: Request<pb::close_ephemeral_resource::Request>,
    ) -> Answer<pb::close_ephemeral_resource::Response> {
        let req = req.into_inner();
        tracing::debug!(rpc = "CloseEphemeralResource", type_name = %req.type_name, "call");
        // An open holds nothing (no connection, no lease) that closing must release.
        let diags = calls::ephemeral_known(&*self.provider, &req.type_name);
        Ok(Response::new(pb::close_ephemeral_resource::Response {
            diagnostics: diagnostics(&diags),
        }))
    }

    async fn get_functions(
        &self,
        _: Request<pb::get_functions::Request>,
    ) -> Answer<pb::get_functions::Response> {
        tracing::debug!(rpc = "GetFunctions", "call");
        Ok(Response::new(pb::get_functions::Response {
            functions: functions(&*self.provider),
            diagnostics: Vec::new(),
        }))
    }

    async fn call_function(
        &self,
        req: Request<pb::call_function::Request>,
    ) -> Answer<pb::call_function::Response> {
        let req = req.into_inner();
        tracing::debug!(rpc = "CallFunction", name = %req.name, "call");
        let args: Vec<_> = req
            .arguments
            .iter()
            .map(|a| Some((a.msgpack.as_slice(), a.json.as_slice())))
            .collect();
        Ok(Response::new(call_result(calls::call_function(
            &*self.provider,
            &req.name,
            &args,
        ))))
    }

    async fn generate_resource_config(
        &self,
        req: Request<pb::generate_resource_config::Request>,
    ) -> Answer<pb::generate_resource_config::Response> {
        let req = req.into_inner();
        tracing::debug!(rpc = "GenerateResourceConfig", type_name = %req.type_name, "call");
        Ok(Response::new(pb::generate_resource_config::Response {
            config: None,
            diagnostics: error(no_resources("resource type", &req.type_name)),
        }))
    }

    type ListResourceStream = Events<pb::list_resource::Event>;

    async fn list_resource(
        &self,
        req: Request<pb::list_resource::Request>,
    ) -> Answer<Self::ListResourceStream> {
        let req = req.into_inner();
        tracing::debug!(rpc = "ListResource", type_name = %req.type_name, "call");
        Ok(Response::new(one(pb::list_resource::Event {
            diagnostic: error(no_resources("list resource", &req.type_name)),
            ..Default::default()
        })))
    }

    async fn validate_list_resource_config(
        &self,
        req: Request<pb::validate_list_resource_config::Request>,
    ) -> Answer<pb::validate_list_resource_config::Response> {
        let req = req.into_inner();
        tracing::debug!(rpc = "ValidateListResourceConfig", type_name = %req.type_name, "call");
        Ok(Response::new(pb::validate_list_resource_config::Response {
            diagnostics: error(no_resources("list resource", &req.type_name)),
        }))
    }

    async fn validate_action_config(
        &self,
        req: Request<pb::validate_action_config::Request>,
    ) -> Answer<pb::validate_action_config::Response> {
        let req = req.into_inner();
        tracing::debug!(rpc = "ValidateActionConfig", type_name = %req.type_name, "call");
        let diags =
            calls::check_action_config(&*self.provider, &req.type_name, wire(&req.config), false);
        Ok(Response::new(pb::validate_action_config::Response {
            diagnostics: diagnostics(&diags),
        }))
    }

    async fn plan_action(
        &self,
        req: Request<pb::plan_action::Request>,
    ) -> Answer<pb::plan_action::Response> {
        let req = req.into_inner();
        tracing::debug!(rpc = "PlanAction", action_type = %req.action_type, "call");
        let diags =
            calls::check_action_config(&*self.provider, &req.action_type, wire(&req.config), true);
        Ok(Response::new(pb::plan_action::Response {
            diagnostics: diagnostics(&diags),
            deferred: None,
        }))
    }

    type InvokeActionStream = ActionEvents;

    async fn invoke_action(
        &self,
        req: Request<pb::invoke_action::Request>,
    ) -> Answer<Self::InvokeActionStream> {
        let req = req.into_inner();
        tracing::debug!(rpc = "InvokeAction", action_type = %req.action_type, "call");
        Ok(Response::new(invoke_events(self.provider.clone(), req)))
    }

    async fn validate_state_store_config(
        &self,
        req: Request<pb::validate_state_store::Request>,
    ) -> Answer<pb::validate_state_store::Response> {
        let req = req.into_inner();
        tracing::debug!(rpc = "ValidateStateStoreConfig", type_name = %req.type_name, "call");
        Ok(Response::new(pb::validate_state_store::Response {
            diagnostics: error(no_resources("state store", &req.type_name)),
        }))
    }

    async fn configure_state_store(
        &self,
        req: Request<pb::configure_state_store::Request>,
    ) -> Answer<pb::configure_state_store::Response> {
        let req = req.into_inner();
        tracing::debug!(rpc = "ConfigureStateStore", type_name = %req.type_name, "call");
        Ok(Response::new(pb::configure_state_store::Response {
            diagnostics: error(no_resources("state store", &req.type_name)),
            capabilities: None,
        }))
    }

    type ReadStateBytesStream = Events<pb::read_state_bytes::Response>;

    async fn read_state_bytes(
        &self,
        req: Request<pb::read_state_bytes::Request>,
    ) -> Answer<Self::ReadStateBytesStream> {
        let req = req.into_inner();
        tracing::debug!(rpc = "ReadStateBytes", type_name = %req.type_name, "call");
        Ok(Response::new(one(pb::read_state_bytes::Response {
            diagnostics: error(no_resources("state store", &req.type_name)),
            ..Default::default()
        })))
    }

    async fn write_state_bytes(
        &self,
        req: Request<tonic::Streaming<pb::write_state_bytes::RequestChunk>>,
    ) -> Answer<pb::write_state_bytes::Response> {
        // The first chunk names the store; nothing is kept, so the rest is not read.
        let type_name = match req.into_inner().message().await {
            Ok(Some(chunk)) => chunk.meta.map(|m| m.type_name).unwrap_or_default(),
            _ => String::new(),
        };
        tracing::debug!(rpc = "WriteStateBytes", type_name = %type_name, "call");
        Ok(Response::new(pb::write_state_bytes::Response {
            diagnostics: error(no_resources("state store", &type_name)),
        }))
    }

    async fn lock_state(
        &self,
        req: Request<pb::lock_state::Request>,
    ) -> Answer<pb::lock_state::Response> {
        let req = req.into_inner();
        tracing::debug!(rpc = "LockState", type_name = %req.type_name, "call");
        Ok(Response::new(pb::lock_state::Response {
            lock_id: String::new(),
            diagnostics: error(no_resources("state store", &req.type_name)),
        }))
    }

    async fn unlock_state(
        &self,
        req: Request<pb::unlock_state::Request>,
    ) -> Answer<pb::unlock_state::Response> {
        let req = req.into_inner();
        tracing::debug!(rpc = "UnlockState", type_name = %req.type_name, "call");
        Ok(Response::new(pb::unlock_state::Response {
            diagnostics: error(no_resources("state store", &req.type_name)),
        }))
    }

    async fn get_states(
        &self,
        req: Request<pb::get_states::Request>,
    ) -> Answer<pb::get_states::Response> {
        let req = req.into_inner();
        tracing::debug!(rpc = "GetStates", type_name = %req.type_name, "call");
        Ok(Response::new(pb::get_states::Response {
            state_id: Vec::new(),
            diagnostics: error(no_resources("state store", &req.type_name)),
        }))
    }

    async fn delete_state(
        &self,
        req: Request<pb::delete_state::Request>,
    ) -> Answer<pb::delete_state::Response> {
        let req = req.into_inner();
        tracing::debug!(rpc = "DeleteState", type_name = %req.type_name, "call");
        Ok(Response::new(pb::delete_state::Response {
            diagnostics: error(no_resources("state store", &req.type_name)),
        }))
    }

    async fn stop_provider(
        &self,
        _: Request<pb::stop_provider::Request>,
    ) -> Answer<pb::stop_provider::Response> {
        tracing::debug!(rpc = "StopProvider", "call");
        self.provider.stop();
        Ok(Response::new(pb::stop_provider::Response {
            error: String::new(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Attribute, AttributePath, Block, NestedBlock, Type};

    fn sample() -> model::Schema {
        model::Schema::new(
            0,
            Block {
                attributes: vec![
                    Attribute::required("id", Type::String, "The key."),
                    Attribute::computed(
                        "items",
                        Type::list(Type::object([("ip", Type::String), ("at", Type::Number)])),
                        "What it touched.",
                    ),
                    Attribute::optional("secret", Type::String, "A secret.").sensitive(),
                ],
                block_types: vec![NestedBlock {
                    type_name: "assume_role".into(),
                    block: Block {
                        attributes: vec![Attribute::required("role_arn", Type::String, "Role.")],
                        ..Block::default()
                    },
                    nesting: model::Nesting::List,
                    min_items: 0,
                    max_items: 1,
                }],
                description: "A block.".into(),
                deprecated: false,
            },
        )
    }

    #[test]
    fn schema_types_are_cty_type_json() {
        let s = schema(&sample());
        let b = s.block.unwrap();
        assert_eq!(b.attributes[0].r#type, br#""string""#);
        let items: serde_json::Value = serde_json::from_slice(&b.attributes[1].r#type).unwrap();
        assert_eq!(
            items,
            serde_json::json!(["list", ["object", {"at": "number", "ip": "string"}]])
        );
        assert!(b.attributes[1].computed && !b.attributes[1].optional);
        assert!(b.attributes[2].sensitive && b.attributes[2].optional);
        assert_eq!(b.attributes[1].description, "What it touched.");
        assert_eq!(b.description_kind, pb::StringKind::Markdown as i32);
    }

    #[test]
    fn nested_blocks_keep_nesting_and_limits() {
        let b = schema(&sample()).block.unwrap();
        let nb = &b.block_types[0];
        assert_eq!(nb.type_name, "assume_role");
        assert_eq!(
            nb.nesting,
            pb::schema::nested_block::NestingMode::List as i32
        );
        assert_eq!((nb.min_items, nb.max_items), (0, 1));
        assert_eq!(nb.block.as_ref().unwrap().attributes[0].name, "role_arn");
    }

    #[test]
    fn diagnostics_map_severity_and_path() {
        use pb::attribute_path::step::Selector;
        let d = diagnostic(
            &model::Diagnostic::error("Bad", "Very bad")
                .at(AttributePath::root("items").index(2).attr("ip")),
        );
        assert_eq!(d.severity, 1);
        assert_eq!((d.summary.as_str(), d.detail.as_str()), ("Bad", "Very bad"));
        let steps: Vec<_> = d
            .attribute
            .unwrap()
            .steps
            .into_iter()
            .map(|s| s.selector.unwrap())
            .collect();
        assert_eq!(
            steps,
            vec![
                Selector::AttributeName("items".into()),
                Selector::ElementKeyInt(2),
                Selector::AttributeName("ip".into()),
            ]
        );
        let w = diagnostic(&model::Diagnostic::warning("Careful", ""));
        assert_eq!(w.severity, 2);
        assert!(w.attribute.is_none());
    }
}
