//! tfplugin6: the protocol Terraform 1.0 and later prefer.
//!
//! It names its calls as tfplugin5 does not (GetProviderSchema, ValidateProviderConfig,
//! ConfigureProvider, ValidateDataResourceConfig, StopProvider, ValidateResourceConfig),
//! validates the provider block without preparing it, and adds the state store calls,
//! which this provider, storing nothing, refuses.

super::service::provider_service! {
    /// Serves a [`model::Provider`] as tfplugin6's `Provider` service.
    Tfplugin6 serves tfplugin6;
    GetProviderSchema is get_provider_schema / GetProviderSchema;
    ValidateProviderConfig is validate_provider_config / ValidateProviderConfig {};
    ConfigureProvider is configure_provider / ConfigureProvider;
    ValidateDataResourceConfig is validate_data_resource_config / ValidateDataResourceConfig;
    StopProvider is stop_provider / StopProvider;
    refused {
        ValidateResourceConfig validate_resource_config(validate_resource_config):
            "resource type" type_name;
        ValidateStateStoreConfig validate_state_store_config(validate_state_store):
            "state store" type_name;
        ConfigureStateStore configure_state_store(configure_state_store): "state store" type_name;
        LockState lock_state(lock_state): "state store" type_name;
        UnlockState unlock_state(unlock_state): "state store" type_name;
        GetStates get_states(get_states): "state store" type_name;
        DeleteState delete_state(delete_state): "state store" type_name;
    }
    streamed {
        ReadStateBytes read_state_bytes(read_state_bytes::Response as ReadStateBytesStream)
            .diagnostics: "state store";
    }
    own {
        async fn write_state_bytes(
            &self,
            req: Request<tonic::Streaming<pb::write_state_bytes::RequestChunk>>,
        ) -> Answer<pb::write_state_bytes::Response> {
            // The first chunk names the store; nothing is kept, so the rest is not read.
            let type_name = match req.into_inner().message().await {
                Ok(Some(chunk)) => chunk.meta.map(|m| m.type_name).unwrap_or_default(),
                _ => String::new(),
            };
            Ok(Response::new(pb::write_state_bytes::Response {
                diagnostics: refusal("WriteStateBytes", "state store", &type_name),
            }))
        }
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
