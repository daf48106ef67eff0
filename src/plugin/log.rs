//! Logs as hclog JSON lines on stderr, the format go-plugin parses from a plugin's stderr
//! and files under the provider's name in Terraform's own log.

use std::fmt;

use crate::alibaba::redact::scrub;

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;

/// The level Terraform asks for: `TF_LOG_PROVIDER`, else `TF_LOG`. `JSON` means trace, as
/// in Terraform; unset or `OFF` logs warnings only (Terraform shows none without TF_LOG).
pub fn level_from_env(provider: Option<&str>, general: Option<&str>) -> LevelFilter {
    let value = provider
        .filter(|v| !v.trim().is_empty())
        .or(general)
        .unwrap_or_default();
    match value.trim().to_ascii_uppercase().as_str() {
        "" => LevelFilter::WARN,
        "OFF" => LevelFilter::OFF,
        "ERROR" => LevelFilter::ERROR,
        "WARN" => LevelFilter::WARN,
        "INFO" => LevelFilter::INFO,
        "DEBUG" => LevelFilter::DEBUG,
        // TRACE, JSON, and anything Terraform would itself read as trace.
        _ => LevelFilter::TRACE,
    }
}

/// Installs the stderr logger at the level the environment asks for.
pub fn init_from_env() {
    let level = level_from_env(
        std::env::var("TF_LOG_PROVIDER").ok().as_deref(),
        std::env::var("TF_LOG").ok().as_deref(),
    );
    if level == LevelFilter::OFF {
        return;
    }
    use tracing_subscriber::layer::SubscriberExt as _;
    use tracing_subscriber::util::SubscriberInitExt as _;
    use tracing_subscriber::Layer as _;
    // The libraries below (h2, rustls, hyper) log every frame at debug; Terraform's log
    // gets the provider's own events at the asked level and theirs only from warnings up.
    let filter = tracing_subscriber::filter::Targets::new()
        .with_default(level.min(LevelFilter::WARN))
        .with_target("actiontrail_provider", level)
        .with_target("terraform_provider_actiontrail", level);
    let layer = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .event_format(Hclog)
        .with_filter(filter);
    let _ = tracing_subscriber::registry().with(layer).try_init();
}

/// Formats events as hclog JSON: `@level`, `@message`, `@module`, `@timestamp`, then the
/// event's fields.
pub struct Hclog;

impl<S, N> FormatEvent<S, N> for Hclog
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        _ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        writeln!(writer, "{}", render(event, time::OffsetDateTime::now_utc()))
    }
}

fn level_name(level: &Level) -> &'static str {
    match *level {
        Level::TRACE => "trace",
        Level::DEBUG => "debug",
        Level::INFO => "info",
        Level::WARN => "warn",
        Level::ERROR => "error",
    }
}

/// One event as an hclog JSON line (without newline). The message and every field pass
/// the one scrubber first, as diagnostics do: no secret the process knows, and no
/// secret-bearing shape, reaches Terraform's log.
fn render(event: &Event<'_>, now: time::OffsetDateTime) -> String {
    let mut fields = Fields::default();
    event.record(&mut fields);
    let mut line = serde_json::Map::new();
    line.insert("@level".into(), level_name(event.metadata().level()).into());
    line.insert(
        "@message".into(),
        scrub(&fields.message.unwrap_or_default()).into(),
    );
    line.insert("@module".into(), "actiontrail".into());
    line.insert("@timestamp".into(), timestamp(now).into());
    for (k, v) in fields.rest {
        let v = match v {
            serde_json::Value::String(s) => scrub(&s).into(),
            other => other,
        };
        line.entry(k).or_insert(v);
    }
    serde_json::Value::Object(line).to_string()
}

/// Go's `2006-01-02T15:04:05.000000Z07:00`, in UTC.
fn timestamp(t: time::OffsetDateTime) -> String {
    let format = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z"
    );
    t.format(&format).unwrap_or_default()
}

#[derive(Default)]
struct Fields {
    message: Option<String>,
    rest: Vec<(String, serde_json::Value)>,
}

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.put(field, value.into());
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.put(field, value.into());
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.put(field, value.into());
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.put(field, value.into());
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.put(field, format!("{value:?}").into());
    }
}

impl Fields {
    fn put(&mut self, field: &Field, value: serde_json::Value) {
        if field.name() == "message" {
            self.message = Some(match value {
                serde_json::Value::String(s) => s,
                other => other.to_string(),
            });
        } else {
            self.rest.push((field.name().to_owned(), value));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_level_wins_over_the_general_one() {
        assert_eq!(
            level_from_env(Some("debug"), Some("ERROR")),
            LevelFilter::DEBUG
        );
        assert_eq!(level_from_env(None, Some("INFO")), LevelFilter::INFO);
        assert_eq!(level_from_env(Some(""), Some("WARN")), LevelFilter::WARN);
    }

    #[test]
    fn json_means_trace_and_unset_means_warnings() {
        assert_eq!(level_from_env(None, Some("JSON")), LevelFilter::TRACE);
        assert_eq!(level_from_env(None, None), LevelFilter::WARN);
        assert_eq!(level_from_env(Some("off"), None), LevelFilter::OFF);
    }

    #[test]
    fn every_log_line_is_scrubbed_of_known_secrets_and_shapes() {
        use tracing_subscriber::layer::SubscriberExt as _;
        crate::alibaba::secret::register("log-line-known-secret-1");
        let lines = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        struct Capture(std::sync::Arc<std::sync::Mutex<Vec<String>>>);
        impl<S: Subscriber> tracing_subscriber::Layer<S> for Capture {
            fn on_event(&self, e: &Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
                let now = time::OffsetDateTime::now_utc();
                self.0.lock().unwrap().push(render(e, now));
            }
        }
        let subscriber = tracing_subscriber::registry().with(Capture(lines.clone()));
        tracing::subscriber::with_default(subscriber, || {
            tracing::debug!(
                stderr = "echo log-line-known-secret-1",
                url = ?"http://h/?SecurityToken=CAISshape",
                "got log-line-known-secret-1"
            );
        });
        let got = lines.lock().unwrap().join("\n");
        assert!(got.contains("got <redacted>"), "{got}");
        assert!(!got.contains("log-line-known-secret-1"), "{got}");
        assert!(!got.contains("CAISshape"), "{got}");
    }

    #[test]
    fn timestamp_has_go_s_microsecond_layout() {
        let t = time::macros::datetime!(2006-01-02 15:04:05.123456789 UTC);
        assert_eq!(timestamp(t), "2006-01-02T15:04:05.123456Z");
    }
}
