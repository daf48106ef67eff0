//! The provider and its four data sources, one file each.
//!
//! Placeholder until the data sources land: a provider with an empty provider schema and
//! no data sources, so that the plugin binary builds and its protocol can be tested.

use std::sync::Arc;

use crate::model::{Block, Diagnostic, Provider, ReadResult, Schema, Value};

struct Empty {
    schema: Schema,
}

#[async_trait::async_trait]
impl Provider for Empty {
    fn provider_schema(&self) -> &Schema {
        &self.schema
    }

    fn data_source_schemas(&self) -> &[(String, Schema)] {
        &[]
    }

    fn validate_provider_config(&self, _: &Value) -> Vec<Diagnostic> {
        Vec::new()
    }

    fn validate_data_source_config(&self, type_name: &str, _: &Value) -> Vec<Diagnostic> {
        vec![Diagnostic::error(
            "Unknown data source",
            type_name.to_owned(),
        )]
    }

    async fn configure(&self, _: Value) -> Vec<Diagnostic> {
        Vec::new()
    }

    async fn read_data_source(&self, type_name: &str, _: Value) -> ReadResult {
        ReadResult {
            state: None,
            diagnostics: vec![Diagnostic::error(
                "Unknown data source",
                type_name.to_owned(),
            )],
        }
    }
}

/// The provider Terraform talks to.
pub fn provider() -> Arc<dyn Provider> {
    Arc::new(Empty {
        schema: Schema {
            version: 0,
            block: Block::default(),
        },
    })
}
