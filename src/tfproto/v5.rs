//! tfplugin5: the protocol of Terraform 0.12 to 0.15, which later releases still speak.

use std::sync::Arc;

use tonic::{Request, Response, Status};

use super::calls::{self, no_resources};
use super::proto::tfplugin5 as pb;
use super::wire::wire_conversions;
use pb::provider_server::Provider as Service;

wire_conversions!();

/// Serves a [`model::Provider`] as tfplugin5's `Provider` service.
#[derive(Clone)]
pub struct Tfplugin5 {
    provider: Arc<dyn model::Provider>,
}

impl Tfplugin5 {
    /// The service for `provider`.
    pub fn new(provider: Arc<dyn model::Provider>) -> Self {
        Tfplugin5 { provider }
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
impl Service for Tfplugin5 {
    async fn get_metadata(
        &self,
        _: Request<pb::get_metadata::Request>,
    ) -> Answer<pb::get_metadata::Response> {
        tracing::debug!(rpc = "GetMetadata", "call");
        Ok(Response::new(metadata(&*self.provider)))
    }

    async fn get_schema(
        &self,
        _: Request<pb::get_provider_schema::Request>,
    ) -> Answer<pb::get_provider_schema::Response> {
        tracing::debug!(rpc = "GetSchema", "call");
        Ok(Response::new(provider_schema(&*self.provider)))
    }

    async fn prepare_provider_config(
        &self,
        req: Request<pb::prepare_provider_config::Request>,
    ) -> Answer<pb::prepare_provider_config::Response> {
        tracing::debug!(rpc = "PrepareProviderConfig", "call");
        let req = req.into_inner();
        let diags = calls::validate_provider_config(&*self.provider, wire(&req.config));
        // Terraform replaces the configuration with the prepared one; this provider sets no
        // defaults there, so it hands back exactly what it was given.
        Ok(Response::new(pb::prepare_provider_config::Response {
            prepared_config: req.config,
            diagnostics: diagnostics(&diags),
        }))
    }

    async fn validate_resource_type_config(
        &self,
        req: Request<pb::validate_resource_type_config::Request>,
    ) -> Answer<pb::validate_resource_type_config::Response> {
        let req = req.into_inner();
        tracing::debug!(rpc = "ValidateResourceTypeConfig", type_name = %req.type_name, "call");
        Ok(Response::new(pb::validate_resource_type_config::Response {
            diagnostics: error(no_resources("resource type", &req.type_name)),
        }))
    }

    async fn validate_data_source_config(
        &self,
        req: Request<pb::validate_data_source_config::Request>,
    ) -> Answer<pb::validate_data_source_config::Response> {
        let req = req.into_inner();
        tracing::debug!(rpc = "ValidateDataSourceConfig", type_name = %req.type_name, "call");
        let diags =
            calls::validate_data_source_config(&*self.provider, &req.type_name, wire(&req.config));
        Ok(Response::new(pb::validate_data_source_config::Response {
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

    async fn configure(
        &self,
        req: Request<pb::configure::Request>,
    ) -> Answer<pb::configure::Response> {
        let req = req.into_inner();
        tracing::debug!(rpc = "Configure", terraform_version = %req.terraform_version, "call");
        let diags = calls::configure(&*self.provider, wire(&req.config)).await;
        Ok(Response::new(pb::configure::Response {
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

    async fn stop(&self, _: Request<pb::stop::Request>) -> Answer<pb::stop::Response> {
        tracing::debug!(rpc = "Stop", "call");
        self.provider.stop();
        Ok(Response::new(pb::stop::Response {
            error: String::new(),
        }))
    }
}
