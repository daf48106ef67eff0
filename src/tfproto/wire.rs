//! Conversions between the model and the generated protocol types. tfplugin5 and
//! tfplugin6 declare the same messages in different packages, so one macro writes the
//! conversions for both.

/// Writes the schema, diagnostic, function and metadata conversions for the protocol module
/// in scope as `pb`.
macro_rules! wire_conversions {
    () => {
        use crate::model::{self, Nesting, PathStep, Severity};

        /// A model schema as the wire's schema.
        pub fn schema(s: &model::Schema) -> pb::Schema {
            pb::Schema {
                version: s.version,
                block: Some(block(&s.block, s.version)),
            }
        }

        fn block(b: &model::Block, version: i64) -> pb::schema::Block {
            pb::schema::Block {
                version,
                attributes: b.attributes.iter().map(attribute).collect(),
                block_types: b.block_types.iter().map(nested_block).collect(),
                description: b.description.clone(),
                description_kind: pb::StringKind::Markdown as i32,
                deprecated: b.deprecated,
                deprecation_message: String::new(),
            }
        }

        fn attribute(a: &model::Attribute) -> pb::schema::Attribute {
            pb::schema::Attribute {
                name: a.name.clone(),
                r#type: a.ty.to_json_string().into_bytes(),
                description: a.description.clone(),
                required: a.required,
                optional: a.optional,
                computed: a.computed,
                sensitive: a.sensitive,
                description_kind: pb::StringKind::Markdown as i32,
                deprecated: a.deprecated,
                ..Default::default()
            }
        }

        fn nested_block(n: &model::NestedBlock) -> pb::schema::NestedBlock {
            use pb::schema::nested_block::NestingMode;
            let nesting = match n.nesting {
                Nesting::Single => NestingMode::Single,
                Nesting::List => NestingMode::List,
                Nesting::Set => NestingMode::Set,
                Nesting::Map => NestingMode::Map,
                Nesting::Group => NestingMode::Group,
            };
            pb::schema::NestedBlock {
                type_name: n.type_name.clone(),
                block: Some(block(&n.block, 0)),
                nesting: nesting as i32,
                min_items: n.min_items,
                max_items: n.max_items,
            }
        }

        /// A model path as the wire's path.
        pub fn attribute_path(p: &model::AttributePath) -> pb::AttributePath {
            use pb::attribute_path::{step::Selector, Step};
            pb::AttributePath {
                steps: p
                    .0
                    .iter()
                    .map(|s| Step {
                        selector: Some(match s {
                            PathStep::Attribute(n) => Selector::AttributeName(n.clone()),
                            PathStep::ElementKeyString(k) => Selector::ElementKeyString(k.clone()),
                            PathStep::ElementKeyInt(i) => Selector::ElementKeyInt(*i),
                        }),
                    })
                    .collect(),
            }
        }

        /// A model diagnostic as the wire's. Every diagnostic leaves through here, so
        /// here its text passes the one scrubber: no secret the process knows, and no
        /// secret-bearing shape, reaches Terraform's output, plan or log.
        pub fn diagnostic(d: &model::Diagnostic) -> pb::Diagnostic {
            use pb::diagnostic::Severity as S;
            pb::Diagnostic {
                severity: match d.severity {
                    Severity::Error => S::Error,
                    Severity::Warning => S::Warning,
                } as i32,
                summary: crate::alibaba::redact::scrub(&d.summary),
                detail: crate::alibaba::redact::scrub(&d.detail),
                attribute: d.attribute.as_ref().map(attribute_path),
            }
        }

        /// Model diagnostics as the wire's.
        pub fn diagnostics(ds: &[model::Diagnostic]) -> Vec<pb::Diagnostic> {
            ds.iter().map(diagnostic).collect()
        }

        /// The borrowed encodings of a DynamicValue from a request.
        fn wire(v: &Option<pb::DynamicValue>) -> crate::tfproto::calls::Wire<'_> {
            v.as_ref()
                .map(|d| (d.msgpack.as_slice(), d.json.as_slice()))
        }

        /// What the provider tells Terraform 1.6+ it can do. `get_provider_schema_optional`
        /// lets Terraform reuse the schema it already holds instead of asking every new
        /// plugin process again; the schema depends on nothing but this binary.
        fn capabilities() -> pb::ServerCapabilities {
            pb::ServerCapabilities {
                plan_destroy: false,
                get_provider_schema_optional: true,
                move_resource_state: false,
                generate_resource_config: false,
            }
        }

        /// GetMetadata's answer: every data source, function, ephemeral resource and action
        /// by name.
        fn metadata(p: &dyn model::Provider) -> pb::get_metadata::Response {
            use pb::get_metadata as m;
            m::Response {
                server_capabilities: Some(capabilities()),
                diagnostics: Vec::new(),
                data_sources: p
                    .data_source_schemas()
                    .iter()
                    .map(|(name, _)| m::DataSourceMetadata {
                        type_name: name.clone(),
                    })
                    .collect(),
                resources: Vec::new(),
                functions: p
                    .functions()
                    .iter()
                    .map(|f| m::FunctionMetadata {
                        name: f.name.clone(),
                    })
                    .collect(),
                ephemeral_resources: p
                    .ephemeral_resource_schemas()
                    .iter()
                    .map(|(name, _)| m::EphemeralMetadata {
                        type_name: name.clone(),
                    })
                    .collect(),
                actions: p
                    .action_schemas()
                    .iter()
                    .map(|(name, _)| m::ActionMetadata {
                        type_name: name.clone(),
                    })
                    .collect(),
                ..Default::default()
            }
        }

        /// GetProviderSchema's (GetSchema's) answer.
        fn provider_schema(p: &dyn model::Provider) -> pb::get_provider_schema::Response {
            pb::get_provider_schema::Response {
                provider: Some(schema(p.provider_schema())),
                data_source_schemas: p
                    .data_source_schemas()
                    .iter()
                    .map(|(name, s)| (name.clone(), schema(s)))
                    .collect(),
                functions: functions(p),
                ephemeral_resource_schemas: p
                    .ephemeral_resource_schemas()
                    .iter()
                    .map(|(name, s)| (name.clone(), schema(s)))
                    .collect(),
                action_schemas: p
                    .action_schemas()
                    .iter()
                    .map(|(name, s)| {
                        (
                            name.clone(),
                            pb::ActionSchema {
                                schema: Some(schema(s)),
                            },
                        )
                    })
                    .collect(),
                server_capabilities: Some(capabilities()),
                ..Default::default()
            }
        }

        /// InvokeAction's answer, a stream of events.
        type ActionEvents = std::pin::Pin<
            Box<dyn futures::Stream<Item = Result<pb::invoke_action::Event, tonic::Status>> + Send>,
        >;

        /// Runs the action `req` asks for on its own task and streams what it says: a
        /// Progress event per message as it goes, then one Completed event with its
        /// diagnostics. Terraform shows each Progress line as it arrives.
        fn invoke_events(
            provider: std::sync::Arc<dyn model::Provider>,
            req: pb::invoke_action::Request,
        ) -> ActionEvents {
            use pb::invoke_action::event::{Completed, Progress, Type};
            use pb::invoke_action::Event;
            let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
            tokio::spawn(async move {
                let progress = tx.clone();
                let report = move |message: String| {
                    // A receiver gone means Terraform hung up; the action's end is moot.
                    // Progress leaves through the same scrubber as diagnostics: a line
                    // may carry a service name or an IP taken from an answer.
                    let message = crate::alibaba::redact::scrub(&message);
                    let _ = progress.send(Ok(Event {
                        r#type: Some(Type::Progress(Progress { message })),
                    }));
                };
                let diags = crate::tfproto::calls::invoke_action(
                    &*provider,
                    &req.action_type,
                    wire(&req.config),
                    &report,
                )
                .await;
                let _ = tx.send(Ok(Event {
                    r#type: Some(Type::Completed(Completed {
                        diagnostics: diagnostics(&diags),
                    })),
                }));
            });
            Box::pin(futures::stream::unfold(rx, |mut rx| async move {
                rx.recv().await.map(|event| (event, rx))
            }))
        }

        /// Every function's signature, by name.
        fn functions(p: &dyn model::Provider) -> std::collections::HashMap<String, pb::Function> {
            p.functions()
                .iter()
                .map(|f| (f.name.clone(), function(f)))
                .collect()
        }

        /// A model function signature as the wire's.
        pub fn function(f: &model::Function) -> pb::Function {
            use pb::function::{Parameter, Return};
            pb::Function {
                parameters: f
                    .parameters
                    .iter()
                    .map(|p| Parameter {
                        name: p.name.clone(),
                        r#type: p.ty.to_json_string().into_bytes(),
                        allow_null_value: p.allow_null,
                        allow_unknown_values: false,
                        description: p.description.clone(),
                        description_kind: pb::StringKind::Markdown as i32,
                    })
                    .collect(),
                variadic_parameter: None,
                r#return: Some(Return {
                    r#type: f.return_type.to_json_string().into_bytes(),
                }),
                summary: f.summary.clone(),
                description: f.description.clone(),
                description_kind: pb::StringKind::Markdown as i32,
                deprecation_message: String::new(),
            }
        }

        /// CallFunction's answer for a result or an error.
        fn call_result(r: Result<Vec<u8>, model::FunctionError>) -> pb::call_function::Response {
            match r {
                Ok(bytes) => pb::call_function::Response {
                    result: Some(dynamic_value(bytes)),
                    error: None,
                },
                Err(e) => pb::call_function::Response {
                    result: None,
                    error: Some(pb::FunctionError {
                        text: crate::alibaba::redact::scrub(&e.text),
                        function_argument: e.argument.and_then(|i| i64::try_from(i).ok()),
                    }),
                },
            }
        }

        /// A msgpack-encoded value as a DynamicValue.
        fn dynamic_value(msgpack: Vec<u8>) -> pb::DynamicValue {
            pb::DynamicValue {
                msgpack,
                json: Vec::new(),
            }
        }
    };
}

pub(crate) use wire_conversions;
