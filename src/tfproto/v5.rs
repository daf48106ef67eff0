//! tfplugin5: the protocol of Terraform 0.12 to 0.15, which later releases still speak.
//!
//! It names its calls as tfplugin6 does not (GetSchema, Configure, ValidateDataSourceConfig,
//! Stop, ValidateResourceTypeConfig), and prepares the provider block where tfplugin6
//! only validates it.

super::service::provider_service! {
    /// Serves a [`model::Provider`] as tfplugin5's `Provider` service.
    Tfplugin5 serves tfplugin5;
    GetProviderSchema is get_schema / GetSchema;
    ConfigureProvider is configure / Configure;
    ValidateDataResourceConfig is validate_data_source_config / ValidateDataSourceConfig;
    StopProvider is stop / Stop;
    refused {
        ValidateResourceTypeConfig validate_resource_type_config(validate_resource_type_config): "resource type" type_name;
    }
    own {
        async fn prepare_provider_config(
            &self,
            req: Request<pb::prepare_provider_config::Request>,
        ) -> Answer<pb::prepare_provider_config::Response> {
            tracing::debug!(rpc = "PrepareProviderConfig", "call");
            let req = req.into_inner();
            let diags = calls::validate_provider_config(&*self.provider, wire(&req.config));
            // Terraform replaces the configuration with the prepared one; this provider sets
            // no defaults there, so it hands back exactly what it was given.
            Ok(Response::new(pb::prepare_provider_config::Response {
                prepared_config: req.config,
                diagnostics: diagnostics(&diags),
            }))
        }
    }
}
