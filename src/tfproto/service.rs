//! The `Provider` service, written once for tfplugin5 and tfplugin6.
//!
//! The two packages declare the same messages and nearly the same RPCs, but tonic generates
//! a separate trait and separate types for each, so one macro stamps the service for the
//! package it is given. Each RPC's body here is only the wire's side of it (which fields
//! of the request to pass, which of the answer to fill); what it means is one function in
//! `calls`. What tells the versions apart is all in the macro's call in `v5` and `v6`.

use tonic::{Response, Status};

/// An RPC's answer.
pub(crate) type Answer<T> = Result<Response<T>, Status>;

/// A streamed answer.
pub(crate) type Events<T> =
    std::pin::Pin<Box<dyn futures::Stream<Item = Result<T, Status>> + Send>>;

/// A stream of one item: the answer to a streaming call about a type this provider does
/// not have.
pub(crate) fn one<T: Send + 'static>(item: T) -> Events<T> {
    Box::pin(futures::stream::once(async move { Ok(item) }))
}

/// Writes, in the module that calls it, the conversions of `wire`, a service type serving a
/// `model::Provider` over protocol package `$version`, and that package's `Provider` trait
/// for it.
///
/// The call names the RPCs the package calls by its own names (`GetSchema`, `Configure`,
/// `Stop`... in tfplugin5) and the request fields the answer to the provider block's
/// validation hands back; it lists the calls about types this provider does not have that
/// only the package declares (`refused`, `streamed`), and writes out the RPCs only it has
/// (`own`).
macro_rules! provider_service {
    (
        $(#[$doc:meta])*
        $service:ident serves $version:ident;
        GetProviderSchema is $get_provider_schema:ident / $GetProviderSchema:ident;
        ValidateProviderConfig is $validate_provider:ident / $ValidateProvider:ident
            { $($echo:ident: $echoed:ident),* };
        ConfigureProvider is $configure_provider:ident / $ConfigureProvider:ident;
        ValidateDataResourceConfig is $validate_data:ident / $ValidateData:ident;
        StopProvider is $stop_provider:ident / $StopProvider:ident;
        refused { $($refused:tt)* }
        streamed { $($streamed:tt)* }
        $(own { $($own:tt)* })?
    ) => {
        $crate::tfproto::service::provider_service! {
            @stamp
            $(#[$doc])*
            $service serves $version;
            $get_provider_schema / $GetProviderSchema;
            $validate_provider / $ValidateProvider { $($echo: $echoed),* };
            $configure_provider / $ConfigureProvider;
            $stop_provider / $StopProvider;
            // The static checks, whose answer is their diagnostics alone.
            checked {
                $ValidateData $validate_data: DataSource type_name;
                ValidateEphemeralResourceConfig validate_ephemeral_resource_config: EphemeralResource type_name;
                ValidateActionConfig validate_action_config: Action type_name;
                PlanAction plan_action: ActionPlan action_type;
            }
            // The calls about managed resources and list resources, which both packages
            // declare and this provider, managing nothing, refuses.
            refused {
                UpgradeResourceState upgrade_resource_state(upgrade_resource_state): "resource type" type_name;
                UpgradeResourceIdentity upgrade_resource_identity(upgrade_resource_identity): "resource type" type_name;
                ReadResource read_resource(read_resource): "resource type" type_name;
                PlanResourceChange plan_resource_change(plan_resource_change): "resource type" type_name;
                ApplyResourceChange apply_resource_change(apply_resource_change): "resource type" type_name;
                ImportResourceState import_resource_state(import_resource_state): "resource type" type_name;
                MoveResourceState move_resource_state(move_resource_state): "resource type" target_type_name;
                GenerateResourceConfig generate_resource_config(generate_resource_config): "resource type" type_name;
                ValidateListResourceConfig validate_list_resource_config(validate_list_resource_config): "list resource" type_name;
                $($refused)*
            }
            streamed {
                ListResource list_resource(list_resource::Event as ListResourceStream)
                    .diagnostic: "list resource";
                $($streamed)*
            }
            own { $($($own)*)? }
        }
    };
    (
        @stamp
        $(#[$doc:meta])*
        $service:ident serves $version:ident;
        $get_provider_schema:ident / $GetProviderSchema:ident;
        $validate_provider:ident / $ValidateProvider:ident { $($echo:ident: $echoed:ident),* };
        $configure_provider:ident / $ConfigureProvider:ident;
        $stop_provider:ident / $StopProvider:ident;
        checked {
            $($Checked:ident $checked:ident: $check:ident $checked_named:ident;)*
        }
        refused {
            $($Refused:ident $refused:ident($refused_call:ident): $kind:literal $named:ident;)*
        }
        streamed {
            $(
                $Streamed:ident $streamed:ident($streamed_call:ident::$Item:ident as $Stream:ident)
                    .$field:ident: $streamed_kind:literal;
            )*
        }
        own { $($own:tt)* }
    ) => {
        use std::sync::Arc;

        use tonic::{Request, Response};

        use $crate::tfproto::calls;
        use $crate::tfproto::proto::$version as pb;
        use $crate::tfproto::service::{one, Answer, Events};
        use pb::provider_server::Provider as Service;

        $crate::tfproto::wire::wire_conversions!();

        $(#[$doc])*
        #[derive(Clone)]
        pub struct $service {
            provider: Arc<dyn model::Provider>,
        }

        impl $service {
            /// The service for `provider`.
            pub fn new(provider: Arc<dyn model::Provider>) -> Self {
                $service { provider }
            }

            /// The service wrapped for a tonic router.
            pub fn into_server(self) -> pb::provider_server::ProviderServer<Self> {
                pb::provider_server::ProviderServer::new(self)
                    .max_decoding_message_size($crate::tfproto::MAX_MESSAGE_SIZE)
                    .max_encoding_message_size($crate::tfproto::MAX_MESSAGE_SIZE)
            }
        }

        /// The answer to call `rpc` about a `kind` (resource type, list resource, state
        /// store) this provider does not have.
        fn refusal(rpc: &str, kind: &str, type_name: &str) -> Vec<pb::Diagnostic> {
            tracing::debug!(rpc, type_name = %type_name, "call");
            vec![diagnostic(&calls::no_resources(kind, type_name))]
        }

        #[tonic::async_trait]
        impl Service for $service {
            async fn get_metadata(
                &self,
                _: Request<pb::get_metadata::Request>,
            ) -> Answer<pb::get_metadata::Response> {
                tracing::debug!(rpc = "GetMetadata", "call");
                Ok(Response::new(metadata(&*self.provider)))
            }

            async fn $get_provider_schema(
                &self,
                _: Request<pb::get_provider_schema::Request>,
            ) -> Answer<pb::get_provider_schema::Response> {
                tracing::debug!(rpc = stringify!($GetProviderSchema), "call");
                Ok(Response::new(provider_schema(&*self.provider)))
            }

            async fn $validate_provider(
                &self,
                req: Request<pb::$validate_provider::Request>,
            ) -> Answer<pb::$validate_provider::Response> {
                tracing::debug!(rpc = stringify!($ValidateProvider), "call");
                let req = req.into_inner();
                let diags = calls::validate_provider_config(&*self.provider, wire(&req.config));
                Ok(Response::new(pb::$validate_provider::Response {
                    $($echo: req.$echoed,)*
                    diagnostics: diagnostics(&diags),
                }))
            }

            async fn get_resource_identity_schemas(
                &self,
                _: Request<pb::get_resource_identity_schemas::Request>,
            ) -> Answer<pb::get_resource_identity_schemas::Response> {
                tracing::debug!(rpc = "GetResourceIdentitySchemas", "call");
                Ok(Response::new(Default::default()))
            }

            async fn $configure_provider(
                &self,
                req: Request<pb::$configure_provider::Request>,
            ) -> Answer<pb::$configure_provider::Response> {
                let req = req.into_inner();
                tracing::debug!(
                    rpc = stringify!($ConfigureProvider),
                    terraform_version = %req.terraform_version,
                    "call"
                );
                let diags = calls::configure(&*self.provider, wire(&req.config)).await;
                Ok(Response::new(pb::$configure_provider::Response {
                    diagnostics: diagnostics(&diags),
                }))
            }

            async fn read_data_source(
                &self,
                req: Request<pb::read_data_source::Request>,
            ) -> Answer<pb::read_data_source::Response> {
                let req = req.into_inner();
                tracing::debug!(rpc = "ReadDataSource", type_name = %req.type_name, "call");
                let (state, diags) =
                    calls::Kind::DataSource.read(&*self.provider, &req.type_name, wire(&req.config))
                        .await;
                Ok(Response::new(pb::read_data_source::Response {
                    state: state.map(dynamic_value),
                    diagnostics: diagnostics(&diags),
                    deferred: None,
                }))
            }

            async fn open_ephemeral_resource(
                &self,
                req: Request<pb::open_ephemeral_resource::Request>,
            ) -> Answer<pb::open_ephemeral_resource::Response> {
                let req = req.into_inner();
                tracing::debug!(rpc = "OpenEphemeralResource", type_name = %req.type_name, "call");
                let (result, diags) =
                    calls::Kind::EphemeralResource.read(&*self.provider, &req.type_name, wire(&req.config))
                        .await;
                // No renew_at: nothing here expires, so Terraform never calls Renew; no
                // private state: Close has nothing to release.
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
                // Open never asks for renewal; answering a stray Renew with no new deadline
                // ends it.
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

            type InvokeActionStream = ActionEvents;

            async fn invoke_action(
                &self,
                req: Request<pb::invoke_action::Request>,
            ) -> Answer<Self::InvokeActionStream> {
                let req = req.into_inner();
                tracing::debug!(rpc = "InvokeAction", action_type = %req.action_type, "call");
                Ok(Response::new(invoke_events(self.provider.clone(), req)))
            }

            async fn $stop_provider(
                &self,
                _: Request<pb::$stop_provider::Request>,
            ) -> Answer<pb::$stop_provider::Response> {
                tracing::debug!(rpc = stringify!($StopProvider), "call");
                self.provider.stop();
                Ok(Response::new(pb::$stop_provider::Response {
                    error: String::new(),
                }))
            }

            // Every field the answers below leave out is its default, which the wire does
            // not carry, though some answers have no other field.
            $(
                #[allow(clippy::needless_update)]
                async fn $checked(
                    &self,
                    req: Request<pb::$checked::Request>,
                ) -> Answer<pb::$checked::Response> {
                    let req = req.into_inner();
                    tracing::debug!(rpc = stringify!($Checked), $checked_named = %req.$checked_named, "call");
                    let diags = calls::check(
                        &*self.provider,
                        calls::Check::$check,
                        &req.$checked_named,
                        wire(&req.config),
                    );
                    Ok(Response::new(pb::$checked::Response {
                        diagnostics: diagnostics(&diags),
                        ..Default::default()
                    }))
                }
            )*

            $(
                #[allow(clippy::needless_update)]
                async fn $refused(
                    &self,
                    req: Request<pb::$refused_call::Request>,
                ) -> Answer<pb::$refused_call::Response> {
                    let req = req.into_inner();
                    Ok(Response::new(pb::$refused_call::Response {
                        diagnostics: refusal(stringify!($Refused), $kind, &req.$named),
                        ..Default::default()
                    }))
                }
            )*

            $(
                type $Stream = Events<pb::$streamed_call::$Item>;

                #[allow(clippy::needless_update)]
                async fn $streamed(
                    &self,
                    req: Request<pb::$streamed_call::Request>,
                ) -> Answer<Self::$Stream> {
                    let type_name = req.into_inner().type_name;
                    Ok(Response::new(one(pb::$streamed_call::$Item {
                        $field: refusal(stringify!($Streamed), $streamed_kind, &type_name),
                        ..Default::default()
                    })))
                }
            )*

            $($own)*
        }
    };
}

pub(crate) use provider_service;
