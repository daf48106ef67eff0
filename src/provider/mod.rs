//! The provider: its block ([`schema`]) and the block's checks ([`validate`]), its
//! configuration resolved once from the block and the environment into the client's
//! ([`settings`], with the transport policy on top: [`transport`]), the lists of its data
//! sources and actions ([`data_sources`], [`actions`]), and the provider Terraform talks
//! to, which builds one client at Configure and hands it to every read and action.

pub mod assume_role;
pub mod bounds;
pub mod docs;
pub mod endpoints;
pub mod ephemeral;
pub mod oidc;
pub mod schema;
pub mod settings;
pub mod transport;
pub mod validate;

use crate::actions::Invoked;
use crate::actiontrail::Client;
use crate::data_sources as ds;
use crate::framework::data_source::entry;
use crate::framework::data_source::{Registered, Served};
use crate::model::provider::Invocable;
use crate::model::{Diagnostic, Function, FunctionError, Readable, Schema, Value};
use std::sync::{Arc, RwLock};

pub use schema::DESCRIPTION;

/// The ActionTrail provider.
pub struct ActionTrailProvider {
    schema: Schema,
    schemas: Vec<(String, Schema)>,
    sources: Vec<Box<dyn Registered<Client>>>,
    functions: Vec<Function>,
    ephemeral: Vec<(String, Schema)>,
    actions: Vec<Box<dyn crate::actions::Action>>,
    action_schemas: Vec<(String, Schema)>,
    client: RwLock<Option<Client>>,
    /// Cancelled by StopProvider; every client configured here listens to it.
    stop: tokio_util::sync::CancellationToken,
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
            schema: schema::schema(),
            schemas: sources
                .iter()
                .map(|d| (d.type_name().to_owned(), d.schema().clone()))
                .collect(),
            sources,
            functions: crate::functions::functions(),
            ephemeral: ephemeral::schemas(),
            action_schemas: actions()
                .iter()
                .map(|a| (a.type_name().to_owned(), a.schema().clone()))
                .collect(),
            actions: actions(),
            client: RwLock::new(None),
            stop: tokio_util::sync::CancellationToken::new(),
        }
    }
}

impl ActionTrailProvider {
    /// The client Configure built, or the error saying Terraform asked too early.
    fn configured(&self, asked: &str) -> Result<Client, Diagnostic> {
        let client = self
            .client
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        client.ok_or_else(|| {
            Diagnostic::error(
                "Provider not configured",
                format!("Terraform asked to {asked} before configuring the actiontrail provider."),
            )
        })
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
        validate::validate(config)
    }

    fn data_source(&self, type_name: &str) -> Option<Box<dyn Readable + '_>> {
        let source = self.sources.iter().find(|d| d.type_name() == type_name)?;
        Some(Box::new(Served::new(
            source.schema(),
            source.as_ref(),
            self.configured("read a data source"),
        )))
    }

    async fn configure(&self, config: Value) -> Vec<Diagnostic> {
        let env = |name: &str| std::env::var(name).ok();
        let block = config;
        let config = match transport::checked(&block, &env) {
            Ok(c) => c,
            Err(diags) => return diags,
        };
        let mut warnings: Vec<Diagnostic> = transport::insecure_warning(&block, &config, &env)
            .into_iter()
            .collect();
        tracing::debug!(settings = ?config, "configuring the actiontrail provider");
        let client = match Client::new(config.clone()) {
            Ok(c) => c.cancelled_by(self.stop.clone()),
            Err(e) => {
                return vec![Diagnostic::error(
                    "Cannot configure the ActionTrail client",
                    format!("{e}\n\nCheck the provider block and the credential sources: access_key/secret_key, ALIBABA_CLOUD_ACCESS_KEY_ID/ALIBABA_CLOUD_ACCESS_KEY_SECRET, profile, credentials_file, ecs_role_name, assume_role."),
                )]
            }
        };
        *self.client.write().unwrap_or_else(|p| p.into_inner()) = Some(client);
        let weak = crate::actiontrail::weak_transport(&config);
        if !weak.is_empty() {
            warnings.push(Diagnostic::warning(
                "Weak transport to ActionTrail",
                format!("The provider calls {}. That is expected against the actiontrail-sim emulator or a test endpoint; against real keys, use the default endpoints (HTTPS to aliyuncs.com).", weak.join(", and ")),
            ));
        }
        warnings
    }

    fn stop(&self) {
        self.stop.cancel();
    }

    fn functions(&self) -> &[Function] {
        &self.functions
    }

    fn call_function(&self, name: &str, args: &[Value]) -> Result<Value, FunctionError> {
        crate::functions::call(name, args)
    }

    fn ephemeral_resource_schemas(&self) -> &[(String, Schema)] {
        &self.ephemeral
    }

    fn ephemeral_resource(&self, type_name: &str) -> Option<Box<dyn Readable + '_>> {
        let (_, schema) = self.ephemeral.iter().find(|(name, _)| name == type_name)?;
        let reads = ephemeral::data_source_of(type_name)?;
        let source = self.sources.iter().find(|d| d.type_name() == reads)?;
        Some(Box::new(Served::new(
            schema,
            source.as_ref(),
            self.configured("read a data source"),
        )))
    }

    fn action_schemas(&self) -> &[(String, Schema)] {
        &self.action_schemas
    }

    fn action(&self, type_name: &str) -> Option<Box<dyn Invocable + '_>> {
        let action = self.actions.iter().find(|a| a.type_name() == type_name)?;
        Some(Box::new(Invoked::new(
            action.as_ref(),
            self.configured("invoke an action"),
        )))
    }
}

/// Every action, sorted by type name. A new action is one line here.
pub fn actions() -> Vec<Box<dyn crate::actions::Action>> {
    let mut all: Vec<Box<dyn crate::actions::Action>> = vec![Box::new(
        crate::actions::accesskey_gate::AccessKeyGate::new(),
    )];
    all.sort_by_key(|a| a.type_name());
    all
}

/// Every data source, sorted by type name. A new data source is one line here.
pub fn data_sources() -> Vec<Box<dyn Registered<Client>>> {
    let mut all = vec![
        entry::<ds::accesskeys::AccessKeys>(),
        entry::<ds::last_used::LastUsed>(),
        entry::<ds::last_used_events::LastUsedEvents>(),
        entry::<ds::last_used_ips::LastUsedIps>(),
        entry::<ds::last_used_products::LastUsedProducts>(),
        entry::<ds::last_used_resources::LastUsedResources>(),
        entry::<ds::organization_accesskeys::OrganizationAccessKeys>(),
    ];
    all.sort_by_key(|d| d.type_name());
    all
}

/// Every data source's type name, sorted.
pub fn type_names() -> Vec<&'static str> {
    data_sources().iter().map(|d| d.type_name()).collect()
}

/// Every data source's type name and schema, sorted by name (for docs and the provider).
pub fn data_source_schemas() -> Vec<(String, Schema)> {
    data_sources()
        .iter()
        .map(|d| (d.type_name().to_owned(), d.schema().clone()))
        .collect()
}

/// Every data source's type name, schema and the section its docs add (markdown).
pub fn data_source_docs() -> Vec<(&'static str, Schema, &'static str)> {
    data_sources()
        .iter()
        .map(|d| (d.type_name(), d.schema().clone(), d.guide()))
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::schema::schema;
    use super::*;
    use crate::data_sources::last_used::LastUsed;
    use crate::framework::data_source::Entry;
    use crate::framework::DataSource as _;
    use crate::model::Provider as _;

    /// A provider block with every attribute null but those given.
    pub(crate) fn block(set: &[(&str, Value)]) -> Value {
        let mut m: std::collections::BTreeMap<String, Value> = schema()
            .block
            .attributes
            .iter()
            .map(|a| (a.name.clone(), Value::Null))
            .collect();
        for nested in ["assume_role", "assume_role_with_oidc", "endpoints"] {
            m.insert(nested.into(), Value::Null);
        }
        for (k, v) in set {
            m.insert((*k).into(), v.clone());
        }
        Value::Object(m)
    }

    /// An `assume_role` block with every attribute null but those given.
    pub(crate) fn role(set: &[(&str, Value)]) -> Value {
        let mut m: std::collections::BTreeMap<String, Value> = [
            "role_arn",
            "session_name",
            "policy",
            "session_expiration",
            "external_id",
        ]
        .iter()
        .map(|n| ((*n).to_owned(), Value::Null))
        .collect();
        for (k, v) in set {
            m.insert((*k).into(), v.clone());
        }
        Value::Object(m)
    }

    #[test]
    fn the_provider_lists_every_registered_data_source_sorted_each_key_one_with_a_required_access_key_id(
    ) {
        let p = ActionTrailProvider::new();
        let names: Vec<&str> = p
            .data_source_schemas()
            .iter()
            .map(|(n, _)| n.as_str())
            .collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(names, sorted, "sorted, each name once");
        assert_eq!(names, super::type_names());
        for known in [
            "actiontrail_accesskey_last_used",
            "actiontrail_accesskey_last_used_ips",
            "actiontrail_accesskey_last_used_products",
            "actiontrail_accesskey_last_used_resources",
            "actiontrail_accesskey_last_used_events",
            "actiontrail_accesskeys",
            "actiontrail_organization_accesskeys",
        ] {
            assert!(names.contains(&known), "{known}");
        }
        for (name, schema) in p.data_source_schemas() {
            // Every data source is about one key, but the fleet and the organisation
            // read, which select their keys.
            assert!(
                name == "actiontrail_accesskeys"
                    || name == "actiontrail_organization_accesskeys"
                    || schema
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
    fn an_unknown_data_source_is_not_found_and_a_known_one_is() {
        let p = ActionTrailProvider::new();
        assert!(p.data_source("actiontrail_nope").is_none());
        let found = p.data_source(LastUsed::TYPE_NAME).expect("listed");
        assert_eq!(found.schema(), Entry::<LastUsed>::new().schema());
    }

    #[tokio::test]
    async fn reading_before_configure_is_an_error_not_a_panic() {
        let p = ActionTrailProvider::new();
        let r = p
            .data_source(LastUsed::TYPE_NAME)
            .expect("listed")
            .read(Value::object([(
                "access_key_id",
                Value::string("LTAI5tRecentUse000000001"),
            )]))
            .await;
        assert!(r.state.is_none() && r.diagnostics.len() == 1);
    }

    #[tokio::test]
    async fn an_unreachable_endpoint_is_a_diagnostic_naming_the_endpoint_setting() {
        let p = ActionTrailProvider::new();
        let config = block(&[
            ("access_key", Value::string("LTAI5tDemoCaller0000001")),
            ("secret_key", Value::string("not-a-real-secret")),
            ("endpoint", Value::string("http://127.0.0.1:1")),
            ("max_retries", Value::int(0)),
            ("timeout", Value::string("2s")),
        ]);
        let configured = p.configure(config).await;
        assert!(
            !crate::model::diag::has_errors(&configured),
            "{configured:?}"
        );
        assert!(
            configured[0].detail.contains("plain HTTP"),
            "{configured:?}"
        );
        let read = p
            .data_source(LastUsed::TYPE_NAME)
            .expect("listed")
            .read(Value::object([
                ("access_key_id", Value::string("LTAI5tRecentUse000000001")),
                ("fail_if_used_within", Value::Null),
            ]))
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
            .configure(block(&[("region", Value::string("Hangzhou!"))]))
            .await;
        assert_eq!(diags.len(), 1);
        assert_eq!(
            diags[0].attribute,
            Some(crate::model::AttributePath::root("region"))
        );
    }
}

#[cfg(test)]
mod list_tests {
    use super::*;

    #[test]
    fn every_table_names_each_attribute_once_and_describes_it() {
        for d in data_sources() {
            let attrs = &d.schema().block.attributes;
            let mut names: Vec<&str> = attrs.iter().map(|a| a.name.as_str()).collect();
            names.sort_unstable();
            let before = names.len();
            names.dedup();
            assert_eq!(
                names.len(),
                before,
                "{}: a name declared twice",
                d.type_name()
            );
            for a in attrs {
                assert!(!a.description.is_empty(), "{}.{}", d.type_name(), a.name);
                assert!(
                    a.name
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
                    "{}.{} is not snake_case",
                    d.type_name(),
                    a.name
                );
            }
        }
    }
}
