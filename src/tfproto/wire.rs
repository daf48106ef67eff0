//! Conversions between the model and the generated protocol types. tfplugin5 and
//! tfplugin6 declare the same messages in different packages, so one macro writes the
//! conversions for both.

/// Writes `schema`, `diagnostic`, `diagnostics`, `attribute_path` and `dynamic_value`
/// for the protocol module in scope as `pb`.
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

        /// A model diagnostic as the wire's.
        pub fn diagnostic(d: &model::Diagnostic) -> pb::Diagnostic {
            use pb::diagnostic::Severity as S;
            pb::Diagnostic {
                severity: match d.severity {
                    Severity::Error => S::Error,
                    Severity::Warning => S::Warning,
                } as i32,
                summary: d.summary.clone(),
                detail: d.detail.clone(),
                attribute: d.attribute.as_ref().map(attribute_path),
            }
        }

        /// Model diagnostics as the wire's.
        pub fn diagnostics(ds: &[model::Diagnostic]) -> Vec<pb::Diagnostic> {
            ds.iter().map(diagnostic).collect()
        }

        /// The borrowed encodings of a DynamicValue from a request.
        fn wire(v: &Option<pb::DynamicValue>) -> super::calls::Wire<'_> {
            v.as_ref()
                .map(|d| (d.msgpack.as_slice(), d.json.as_slice()))
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
