//! What a data source is, and the one way every data source is validated and read.
//!
//! A data source states its type name, its description, its attributes (one
//! [`Fields`] table, from which both its schema and its state are built), how its
//! configuration parses into a typed one, and how it reads. [`Entry`] does the rest the
//! same way for all of them: the configuration is parsed once per phase (validate, then
//! read), and the state is the table walked over the answer.

use crate::framework::attribute::Fields;
use crate::model::{Block, Diagnostic, ReadResult, Readable, Schema, Severity, Value};
use std::marker::PhantomData;

/// One data source: Metadata (its type name), Schema (its fields), Configure (the shared
/// client, whatever the provider's is) and Read, in the terms of
/// terraform-plugin-framework.
#[async_trait::async_trait]
pub trait DataSource: Send + Sync + 'static {
    /// The client the provider configured, which every read shares.
    type Client: Send + Sync + 'static;
    /// The configuration, parsed and checked.
    type Config: Send + Sync;
    /// What a read gets, from which every computed attribute is found.
    type Answer: Send + Sync + 'static;

    /// The type name users write after `data`.
    const TYPE_NAME: &'static str;
    /// One paragraph about the data source: its schema's description, its docs' lead.
    const DESCRIPTION: &'static str;
    /// A section its docs page adds after the example (markdown), if any.
    const GUIDE: &'static str = "";

    /// Every attribute, each declared once.
    fn fields() -> Fields<Self::Answer>;

    /// Checks `config` (values may be unknown), collecting diagnostics at their paths;
    /// returns the typed configuration when it is wholly known and valid.
    fn parse(config: &Value, diags: &mut Vec<Diagnostic>) -> Option<Self::Config>;

    /// Calls the API.
    async fn read(client: &Self::Client, config: &Self::Config)
        -> Result<Self::Answer, Diagnostic>;

    /// Checks an answer against the configuration: errors here fail the read (the
    /// rotation gate). None by default.
    fn check(_config: &Self::Config, _answer: &Self::Answer) -> Vec<Diagnostic> {
        Vec::new()
    }
}

/// A data source as the provider holds it, whatever its types.
#[async_trait::async_trait]
pub trait Registered<C>: Send + Sync {
    /// The type name.
    fn type_name(&self) -> &'static str;
    /// The schema.
    fn schema(&self) -> &Schema;
    /// The docs section after the example.
    fn guide(&self) -> &'static str;
    /// Static checks; values may be unknown.
    fn validate(&self, config: &Value) -> Vec<Diagnostic>;
    /// Reads from a wholly known configuration.
    async fn read(&self, client: &C, config: &Value) -> ReadResult;
}

/// `D`, with its table and schema built once.
pub struct Entry<D: DataSource> {
    fields: Fields<D::Answer>,
    schema: Schema,
    source: PhantomData<fn() -> D>,
}

impl<D: DataSource> Entry<D> {
    /// Builds `D`'s table and schema.
    pub fn new() -> Entry<D> {
        let fields = D::fields();
        let schema = Schema::new(
            0,
            Block {
                attributes: fields.attributes(),
                block_types: vec![],
                description: D::DESCRIPTION.to_owned(),
                deprecated: false,
            },
        );
        Entry {
            fields,
            schema,
            source: PhantomData,
        }
    }

    /// The fields.
    pub fn fields(&self) -> &Fields<D::Answer> {
        &self.fields
    }

    /// The state of `answer` for `config`.
    pub fn state(&self, config: &Value, answer: &D::Answer) -> Value {
        self.fields.state(config, answer)
    }
}

impl<D: DataSource> Default for Entry<D> {
    fn default() -> Self {
        Self::new()
    }
}

/// `D`, boxed for the registry.
pub fn entry<D: DataSource>() -> Box<dyn Registered<D::Client>> {
    Box::new(Entry::<D>::new())
}

#[async_trait::async_trait]
impl<D: DataSource> Registered<D::Client> for Entry<D> {
    fn type_name(&self) -> &'static str {
        D::TYPE_NAME
    }

    fn schema(&self) -> &Schema {
        &self.schema
    }

    fn guide(&self) -> &'static str {
        D::GUIDE
    }

    fn validate(&self, config: &Value) -> Vec<Diagnostic> {
        let mut diags = Vec::new();
        D::parse(config, &mut diags);
        diags
    }

    async fn read(&self, client: &D::Client, config: &Value) -> ReadResult {
        let mut diags = Vec::new();
        let parsed = D::parse(config, &mut diags);
        // Terraform validated this configuration already and showed its warnings; only
        // errors matter here, for a caller that skipped validation.
        diags.retain(|d| d.severity == Severity::Error);
        let parsed = match parsed {
            Some(c) if diags.is_empty() => c,
            _ if !diags.is_empty() => {
                return ReadResult {
                    state: None,
                    diagnostics: diags,
                }
            }
            _ => {
                return ReadResult::failed(Diagnostic::error(
                    "Configuration not known",
                    format!(
                        "Terraform asked to read {} with arguments still unknown or missing; a read needs every argument known.",
                        D::TYPE_NAME
                    ),
                ))
            }
        };
        let answer = match D::read(client, &parsed).await {
            Ok(a) => a,
            Err(d) => return ReadResult::failed(d),
        };
        let diagnostics = D::check(&parsed, &answer);
        let failed = crate::model::diag::has_errors(&diagnostics);
        ReadResult {
            state: (!failed).then(|| self.state(config, &answer)),
            diagnostics,
        }
    }
}

/// A registered data source as a protocol call reaches it ([`Readable`]): found once by its
/// type name, under `schema` (its own, or an ephemeral resource's that reads through it),
/// with the client the provider configured, or the diagnostic saying why there is none.
pub struct Served<'p, C> {
    schema: &'p Schema,
    source: &'p dyn Registered<C>,
    client: Result<C, Diagnostic>,
}

impl<'p, C> Served<'p, C> {
    /// `source` under `schema`, reading through `client`.
    pub fn new(
        schema: &'p Schema,
        source: &'p dyn Registered<C>,
        client: Result<C, Diagnostic>,
    ) -> Served<'p, C> {
        Served {
            schema,
            source,
            client,
        }
    }
}

#[async_trait::async_trait]
impl<C: Send + Sync> Readable for Served<'_, C> {
    fn schema(&self) -> &Schema {
        self.schema
    }

    fn validate(&self, config: &Value) -> Vec<Diagnostic> {
        self.source.validate(config)
    }

    async fn read(&self, config: Value) -> ReadResult {
        match &self.client {
            Ok(client) => self.source.read(client, &config).await,
            Err(d) => ReadResult::failed(d.clone()),
        }
    }
}
