//! The provider and its four data sources, one file each.
//!
//! Each data source file holds what the Go framework calls Metadata (its type name),
//! Schema (every attribute described), validation (static, tolerant of unknowns) and Read
//! (configuration in, state and diagnostics out), written against the typed API client.
//! The provider builds one client at Configure and every read of the process shares it,
//! through [`api::Api`], which makes each distinct request once.

mod api;
pub mod api_error;
mod args;
pub mod docs;
pub mod duration;
pub mod fleet;
mod key;
pub mod last_used;
pub mod last_used_ips;
pub mod last_used_products;
pub mod last_used_resources;
mod listing;
pub mod provider;
mod usage;

use crate::actiontrail::{Client, ClientConfig, Protocol, SignatureAlgorithm};
use crate::alibaba::credentials::CredentialsConfig;
use crate::model::{Diagnostic, ReadResult, Schema, Value};
use api::Api;
use provider::{Scheme, Settings, Signing};
use std::sync::{Arc, RwLock};

/// One data source: its type name, schema, static checks and read.
#[async_trait::async_trait]
trait DataSource: Send + Sync {
    /// The type name users write after `data`.
    fn type_name(&self) -> &'static str;
    /// The schema.
    fn schema(&self) -> Schema;
    /// Static checks; values may be unknown.
    fn validate(&self, config: &Value) -> Vec<Diagnostic>;
    /// Reads the data source from a wholly known configuration.
    async fn read(&self, api: &Api, config: &Value) -> ReadResult;
}

/// Every data source, sorted by type name.
fn data_sources() -> Vec<Box<dyn DataSource>> {
    let mut all: Vec<Box<dyn DataSource>> = vec![
        Box::new(last_used::LastUsed),
        Box::new(last_used_ips::LastUsedIps),
        Box::new(last_used_products::LastUsedProducts),
        Box::new(last_used_resources::LastUsedResources),
    ];
    all.sort_by_key(|d| d.type_name());
    all
}

/// Every data source's type name and schema, sorted by name (for docs and the provider).
pub fn data_source_schemas() -> Vec<(String, Schema)> {
    data_sources()
        .iter()
        .map(|d| (d.type_name().to_owned(), d.schema()))
        .collect()
}

/// The ActionTrail provider.
pub struct ActionTrailProvider {
    schema: Schema,
    schemas: Vec<(String, Schema)>,
    sources: Vec<Box<dyn DataSource>>,
    api: RwLock<Option<Arc<Api>>>,
}

/// The provider the plugin serves.
pub fn provider() -> Arc<dyn crate::model::Provider> {
    Arc::new(ActionTrailProvider::new())
}

impl Default for ActionTrailProvider {
    fn default() -> Self {
        Self::new()
    }
}

impl ActionTrailProvider {
    /// An unconfigured provider.
    pub fn new() -> Self {
        let sources = data_sources();
        ActionTrailProvider {
            schema: provider::schema(),
            schemas: sources
                .iter()
                .map(|d| (d.type_name().to_owned(), d.schema()))
                .collect(),
            sources,
            api: RwLock::new(None),
        }
    }

    fn source(&self, type_name: &str) -> Result<&dyn DataSource, Diagnostic> {
        self.sources
            .iter()
            .find(|d| d.type_name() == type_name)
            .map(|d| d.as_ref())
            .ok_or_else(|| {
                Diagnostic::error(
                    "Unknown data source",
                    format!("This provider has no data source {type_name:?}."),
                )
            })
    }
}

/// The client configuration for checked settings.
pub fn client_config(s: &Settings) -> ClientConfig {
    ClientConfig {
        region: s.region.clone(),
        endpoint: s.endpoint.clone(),
        protocol: match s.scheme {
            Scheme::Https => Protocol::Https,
            Scheme::Http => Protocol::Http,
        },
        signature: match s.signing {
            Signing::HmacSha1 => SignatureAlgorithm::HmacSha1,
            Signing::Acs3HmacSha256 => SignatureAlgorithm::Acs3HmacSha256,
        },
        max_retries: s.max_retries,
        timeout: s.timeout,
        credentials: CredentialsConfig {
            access_key: s.access_key.clone(),
            secret_key: s.secret_key.clone(),
            security_token: s.security_token.clone(),
            profile: s.profile.clone(),
            shared_credentials_file: s
                .shared_credentials_file
                .as_ref()
                .map(std::path::PathBuf::from),
            credentials_file: s.credentials_file.as_ref().map(std::path::PathBuf::from),
            ecs_role_name: s.ecs_role_name.clone(),
            ecs_metadata_endpoint: s.ecs_metadata_endpoint.clone(),
            sts_endpoint: s.sts_endpoint.clone(),
            assume_role: s.assume_role.clone(),
            ..Default::default()
        },
        ram_endpoint: s.ram_endpoint.clone(),
        max_concurrency: s.max_concurrency,
    }
}

#[async_trait::async_trait]
impl crate::model::Provider for ActionTrailProvider {
    fn provider_schema(&self) -> &Schema {
        &self.schema
    }

    fn data_source_schemas(&self) -> &[(String, Schema)] {
        &self.schemas
    }

    fn validate_provider_config(&self, config: &Value) -> Vec<Diagnostic> {
        provider::validate(config)
    }

    fn validate_data_source_config(&self, type_name: &str, config: &Value) -> Vec<Diagnostic> {
        match self.source(type_name) {
            Ok(d) => d.validate(config),
            Err(diag) => vec![diag],
        }
    }

    async fn configure(&self, config: Value) -> Vec<Diagnostic> {
        let settings = match Settings::from_config(&config, &|name| std::env::var(name).ok()) {
            Ok(s) => s,
            Err(diags) => return diags,
        };
        tracing::debug!(settings = ?settings, "configuring the actiontrail provider");
        let client = match Client::new(client_config(&settings)) {
            Ok(c) => c,
            Err(e) => {
                return vec![Diagnostic::error(
                    "Cannot configure the ActionTrail client",
                    format!("{e}\n\nCheck the provider block and the credential sources: access_key/secret_key, ALIBABA_CLOUD_ACCESS_KEY_ID/ALIBABA_CLOUD_ACCESS_KEY_SECRET, profile, credentials_file, ecs_role_name, assume_role."),
                )]
            }
        };
        let api = Arc::new(Api::new(client, settings.max_retries));
        *self.api.write().unwrap_or_else(|p| p.into_inner()) = Some(api);
        vec![]
    }

    async fn read_data_source(&self, type_name: &str, config: Value) -> ReadResult {
        let source = match self.source(type_name) {
            Ok(d) => d,
            Err(diag) => return ReadResult::failed(diag),
        };
        let api = self.api.read().unwrap_or_else(|p| p.into_inner()).clone();
        let Some(api) = api else {
            return ReadResult::failed(Diagnostic::error(
                "Provider not configured",
                "Terraform read a data source before configuring the actiontrail provider.",
            ));
        };
        // Terraform validated this configuration already and showed its warnings; only
        // errors matter here, for a caller that skipped validation.
        let mut diagnostics: Vec<Diagnostic> = source
            .validate(&config)
            .into_iter()
            .filter(|d| d.severity == crate::model::Severity::Error)
            .collect();
        if !diagnostics.is_empty() {
            return ReadResult {
                state: None,
                diagnostics,
            };
        }
        let mut result = source.read(&api, &config).await;
        diagnostics.append(&mut result.diagnostics);
        result.diagnostics = diagnostics;
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Provider as _;

    #[test]
    fn the_provider_lists_four_data_sources_sorted_each_with_a_required_access_key_id() {
        let p = ActionTrailProvider::new();
        let names: Vec<&str> = p
            .data_source_schemas()
            .iter()
            .map(|(n, _)| n.as_str())
            .collect();
        assert_eq!(
            names,
            [
                "actiontrail_accesskey_last_used",
                "actiontrail_accesskey_last_used_ips",
                "actiontrail_accesskey_last_used_products",
                "actiontrail_accesskey_last_used_resources"
            ]
        );
        for (name, schema) in p.data_source_schemas() {
            assert!(
                schema
                    .block
                    .attribute("access_key_id")
                    .is_some_and(|a| a.required),
                "{name}"
            );
            for a in &schema.block.attributes {
                assert!(!a.description.is_empty(), "{name}.{}", a.name);
                assert!(a.required || a.optional || a.computed, "{name}.{}", a.name);
                // Type JSON must be valid, or Terraform 1.0.3 panics reading the schema.
                crate::model::Type::from_json(&a.ty.to_json()).expect("type JSON reads back");
            }
        }
    }

    #[test]
    fn an_unknown_data_source_is_a_diagnostic() {
        let p = ActionTrailProvider::new();
        let d = p.validate_data_source_config("actiontrail_nope", &Value::Null);
        assert_eq!(d.len(), 1);
    }

    #[tokio::test]
    async fn reading_before_configure_is_an_error_not_a_panic() {
        let p = ActionTrailProvider::new();
        let r = p
            .read_data_source(
                last_used::TYPE_NAME,
                Value::object([("access_key_id", Value::string("LTAI5tRecentUse000000001"))]),
            )
            .await;
        assert!(r.state.is_none() && r.diagnostics.len() == 1);
    }

    #[tokio::test]
    async fn an_unreachable_endpoint_is_a_diagnostic_naming_the_endpoint_setting() {
        let p = ActionTrailProvider::new();
        let config = provider::tests::block(&[
            ("access_key", Value::string("LTAI5tDemoCaller0000001")),
            ("secret_key", Value::string("not-a-real-secret")),
            ("endpoint", Value::string("http://127.0.0.1:1")),
            ("max_retries", Value::int(0)),
            ("timeout", Value::string("2s")),
        ]);
        assert_eq!(p.configure(config).await, vec![]);
        let read = p
            .read_data_source(
                last_used::TYPE_NAME,
                Value::object([
                    ("access_key_id", Value::string("LTAI5tRecentUse000000001")),
                    ("fail_if_used_within", Value::Null),
                ]),
            )
            .await;
        assert!(read.state.is_none());
        assert_eq!(read.diagnostics.len(), 1, "{:?}", read.diagnostics);
        let d = &read.diagnostics[0];
        assert!(d.summary.contains("GetAccessKeyLastUsedInfo"), "{d:?}");
        assert!(!d.detail.contains("not-a-real-secret"));
    }

    #[tokio::test]
    async fn configure_refuses_a_block_validation_refuses() {
        let p = ActionTrailProvider::new();
        let diags = p
            .configure(provider::tests::block(&[(
                "region",
                Value::string("Hangzhou!"),
            )]))
            .await;
        assert_eq!(diags.len(), 1);
        assert_eq!(
            diags[0].attribute,
            Some(crate::model::AttributePath::root("region"))
        );
    }
}
