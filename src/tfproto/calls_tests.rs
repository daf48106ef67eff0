//! The protocol's calls against a probe provider: what reaches the provider, and when.

use super::*;
use crate::model::provider::Invocable;
use crate::model::{Attribute, Block, Severity};
use std::sync::atomic::{AtomicUsize, Ordering};

/// A provider with one data source, `probe` (a required string `name`), whose check
/// says it ran and whose read counts its calls and echoes its configuration.
struct Probe {
    provider: Schema,
    data_sources: Vec<(String, Schema)>,
    reads: AtomicUsize,
    /// How often an action was looked up by name.
    action_lookups: AtomicUsize,
}

impl Probe {
    fn new() -> Probe {
        let block = Block {
            attributes: vec![Attribute::required("name", Type::String, "A name.")],
            ..Block::default()
        };
        Probe {
            provider: Schema::new(0, Block::default()),
            data_sources: vec![("probe".into(), Schema::new(0, block))],
            reads: AtomicUsize::new(0),
            action_lookups: AtomicUsize::new(0),
        }
    }
}

#[async_trait::async_trait]
impl Provider for Probe {
    fn provider_schema(&self) -> &Schema {
        &self.provider
    }
    fn data_source_schemas(&self) -> &[(String, Schema)] {
        &self.data_sources
    }
    fn validate_provider_config(&self, _: &Value) -> Vec<Diagnostic> {
        Vec::new()
    }
    fn data_source(&self, type_name: &str) -> Option<Box<dyn Readable + '_>> {
        let (_, schema) = self.data_sources.iter().find(|(n, _)| n == type_name)?;
        Some(Box::new(ProbeSource {
            schema,
            reads: &self.reads,
        }))
    }
    async fn configure(&self, _: Value) -> Vec<Diagnostic> {
        Vec::new()
    }
    fn action(&self, type_name: &str) -> Option<Box<dyn Invocable + '_>> {
        self.action_lookups.fetch_add(1, Ordering::SeqCst);
        let (_, schema) = self.data_sources.iter().find(|(n, _)| n == type_name)?;
        Some(Box::new(ProbeAction { schema }))
    }
}

/// The probe's one action, `probe` (the data source's schema): says what it was asked.
struct ProbeAction<'p> {
    schema: &'p Schema,
}

#[async_trait::async_trait]
impl Invocable for ProbeAction<'_> {
    fn schema(&self) -> &Schema {
        self.schema
    }
    fn validate(&self, _: &Value) -> Vec<Diagnostic> {
        vec![Diagnostic::warning("Validated", "")]
    }
    fn plan(&self, _: &Value) -> Vec<Diagnostic> {
        vec![Diagnostic::warning("Planned", "")]
    }
    async fn invoke(&self, _: Value, progress: &(dyn Fn(String) + Send + Sync)) -> Vec<Diagnostic> {
        progress("invoked".into());
        Vec::new()
    }
}

/// The probe's one data source: counts its reads and echoes its configuration.
struct ProbeSource<'p> {
    schema: &'p Schema,
    reads: &'p AtomicUsize,
}

#[async_trait::async_trait]
impl Readable for ProbeSource<'_> {
    fn schema(&self) -> &Schema {
        self.schema
    }
    fn validate(&self, _: &Value) -> Vec<Diagnostic> {
        vec![Diagnostic::warning("Checked", "")]
    }
    async fn read(&self, config: Value) -> ReadResult {
        self.reads.fetch_add(1, Ordering::SeqCst);
        Ok(config).into()
    }
}

/// `{name = <name>}` as msgpack.
fn probe_config(name: Value) -> Vec<u8> {
    msgpack::encode(&Value::object([("name", name)]), &ty()).unwrap()
}

#[tokio::test]
async fn a_read_whose_configuration_is_not_wholly_known_never_reaches_the_provider() {
    let probe = Probe::new();
    let config = probe_config(Value::Unknown);
    let (state, diags) = Kind::DataSource
        .read(&probe, "probe", Some((&config, &[])))
        .await;
    assert_eq!(state, None);
    assert_eq!(diags.len(), 1);
    assert_eq!(diags[0].summary, "Configuration not yet known");
    assert!(diags[0].detail.contains("read this data source"));
    assert_eq!(probe.reads.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn a_known_read_reaches_the_provider_and_its_state_is_encoded() {
    let probe = Probe::new();
    let config = probe_config(Value::string("x"));
    let (state, diags) = Kind::DataSource
        .read(&probe, "probe", Some((&config, &[])))
        .await;
    assert_eq!((state, diags), (Some(config), Vec::new()));
    assert_eq!(probe.reads.load(Ordering::SeqCst), 1);
}

#[test]
fn a_check_reaches_the_provider_with_values_still_unknown() {
    let probe = Probe::new();
    let config = probe_config(Value::Unknown);
    let diags = check(&probe, Check::DataSource, "probe", Some((&config, &[])));
    assert_eq!(diags, vec![Diagnostic::warning("Checked", "")]);
}

#[test]
fn an_unknown_type_name_is_refused_in_the_words_of_its_kind() {
    let probe = Probe::new();
    let config = probe_config(Value::string("x"));
    let diags = check(&probe, Check::Action, "nope", Some((&config, &[])));
    assert_eq!(
        diags,
        vec![Diagnostic::error(
            "Unknown action",
            "This provider has no action named \"nope\"."
        )]
    );
    let diags = check(
        &probe,
        Check::EphemeralResource,
        "nope",
        Some((&config, &[])),
    );
    assert_eq!(diags[0].summary, "Unknown ephemeral resource");
    assert_eq!(
        diags[0].detail,
        "This provider has no ephemeral resource named \"nope\"."
    );
    // Renew and Close say the same of a type this provider lacks.
    assert_eq!(ephemeral_known(&probe, "nope"), diags);
}

fn ty() -> Type {
    Type::object([("name", Type::String)])
}

#[test]
fn garbage_msgpack_is_an_error_diagnostic() {
    let d = decode(Some((&[0xc1, 0x00], &[])), &ty(), "configuration").unwrap_err();
    assert_eq!(d.severity, Severity::Error);
    assert_eq!(d.summary, "Invalid configuration");
}

#[test]
fn json_is_read_when_msgpack_is_empty() {
    let v = decode(Some((&[], br#"{"name":"x"}"#)), &ty(), "configuration").unwrap();
    assert_eq!(v.get("name"), Some(&Value::string("x")));
}

#[test]
fn a_missing_value_is_an_error_diagnostic() {
    assert!(decode(None, &ty(), "configuration").is_err());
    assert!(decode(Some((&[], &[])), &ty(), "configuration").is_err());
}

#[test]
fn a_fault_inside_the_value_points_at_its_attribute() {
    // {"name": true}: a bool where a string belongs.
    let bytes = [0x81, 0xa4, b'n', b'a', b'm', b'e', 0xc3];
    let d = decode(Some((&bytes, &[])), &ty(), "configuration").unwrap_err();
    assert_eq!(d.attribute, Some(crate::model::AttributePath::root("name")));
}

#[tokio::test]
async fn each_action_call_looks_the_action_up_once() {
    let probe = Probe::new();
    let config = probe_config(Value::string("x"));
    let wire = Some((config.as_slice(), &[][..]));
    let validated = check(&probe, Check::Action, "probe", wire);
    assert_eq!(validated, vec![Diagnostic::warning("Validated", "")]);
    assert_eq!(probe.action_lookups.load(Ordering::SeqCst), 1);
    let planned = check(&probe, Check::ActionPlan, "probe", wire);
    assert_eq!(planned, vec![Diagnostic::warning("Planned", "")]);
    assert_eq!(probe.action_lookups.load(Ordering::SeqCst), 2);
    let said = std::sync::Mutex::new(Vec::new());
    let progress = |line: String| said.lock().unwrap().push(line);
    assert!(invoke_action(&probe, "probe", wire, &progress)
        .await
        .is_empty());
    assert_eq!(*said.lock().unwrap(), ["invoked"]);
    assert_eq!(probe.action_lookups.load(Ordering::SeqCst), 3);
}
