//! tfplugin5: the protocol of Terraform 0.12 to 0.15, which later releases still speak.
//!
//! It names its calls as tfplugin6 does not (GetSchema, PrepareProviderConfig, Configure,
//! ValidateDataSourceConfig, Stop, ValidateResourceTypeConfig), and where tfplugin6 only
//! validates the provider block, it prepares it: Terraform goes on with the configuration
//! the answer carries. This provider sets no defaults there, so it hands back exactly the
//! one it was given.

super::service::provider_service! {
    /// Serves a [`model::Provider`] as tfplugin5's `Provider` service.
    Tfplugin5 serves tfplugin5;
    GetProviderSchema is get_schema / GetSchema;
    ValidateProviderConfig is prepare_provider_config / PrepareProviderConfig
        { prepared_config: config };
    ConfigureProvider is configure / Configure;
    ValidateDataResourceConfig is validate_data_source_config / ValidateDataSourceConfig;
    StopProvider is stop / Stop;
    refused {
        ValidateResourceTypeConfig validate_resource_type_config(validate_resource_type_config):
            "resource type" type_name;
    }
    streamed {}
}
