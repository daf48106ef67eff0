//! `action "actiontrail_accesskey_gate"`: the rotation gate at apply time. Triggered before
//! a key is disabled or replaced (or run alone with `terraform apply -invoke`), it reads
//! ActionTrail for every key at that moment and fails the apply, before the change, when
//! one was used within `fail_if_used_within`.
//!
//! The gate is the data source's own: the same `fail_if_used_within` parse, the same read
//! of GetAccessKeyLastUsedInfo through the shared client, the same rule and diagnostic
//! ([`LastUsed::check`]). Only the moment differs, and with it the cache: the read here
//! drops any answer the process kept, because a saved plan may be applied days after it
//! was made.

use crate::actions::Action;
use crate::actiontrail::diagnostic::About;
use crate::actiontrail::{last_used_info, Client};
use crate::data_sources::accesskeys;
use crate::data_sources::key::AccessKeyId;
use crate::data_sources::last_used::{self, Config, Gate, LastUse, LastUsed};
use crate::framework::args::{Argument, Reads};
use crate::framework::DataSource as _;
use crate::model::{Block, Diagnostic, Schema, Value};
use crate::usage::duration;
use crate::usage::EpochMs;
use crate::usage::Used;

/// The action's type name.
pub const TYPE_NAME: &str = "actiontrail_accesskey_gate";

/// The keys argument's name.
pub const ACCESS_KEY_IDS: &str = "access_key_ids";

/// The schema's description, the docs page's lead.
pub const DESCRIPTION: &str = "The rotation gate at apply time (Terraform 1.14 and later): reads ActionTrail's GetAccessKeyLastUsedInfo for every key when the action runs, reports each key's last use as it goes, and fails, before the change that triggered it, when a key was used more recently than `fail_if_used_within`. Unlike the data source and the ephemeral resource, it also holds when a saved plan is applied later.";

const GUIDE: &str = "\n## When it runs\n\nTerraform runs the action during apply, never at plan time: when a resource's `lifecycle { action_trigger { ... } }` fires (`before_update` runs it before an in-place change such as `alicloud_ram_access_key.status` going from `Active` to `Inactive`; `before_create` also runs before a replacement), or alone with `terraform apply -invoke=action.actiontrail_accesskey_gate.NAME`. A plan saved with `terraform plan -out` does not carry the answer: the key is read again when that plan is applied. A failing action stops the apply before the change it guards, and the resource keeps its state.\n\nEach key's last use is printed as it is read (`LTAI... last used 41 days ago: idle enough`). A key used within the window fails the action with the same error the `actiontrail_accesskey_last_used` data source gives: the key, the service, IP and region of the last use, when it was and how long to wait. An answer ActionTrail did not give (a wrong body, an error, a timeout) fails it too: the gate never passes on what it could not read. Terraform 1.14 and 1.15 cannot run an action before a destroy (`before_destroy` comes in 1.16): to gate deleting a key there, keep the data source or ephemeral resource gate in the plan. See the guide \"The gate at apply time\".\n";

/// The action.
pub struct AccessKeyGate {
    schema: Schema,
}

impl Default for AccessKeyGate {
    fn default() -> Self {
        Self::new()
    }
}

/// The configuration, checked.
#[derive(Clone, Debug, PartialEq)]
pub struct GateConfig {
    /// The keys, in the order given, each once.
    pub keys: Vec<AccessKeyId>,
    /// The window.
    pub gate: Gate,
}

impl AccessKeyGate {
    /// The action with its schema.
    pub fn new() -> Self {
        let block = Block::of(
            vec![
                KEYS.field::<()>().attribute(),
                WINDOW.field_described::<()>("Fail the action, and the change it guards, if any key was used more recently than this: a duration such as `30d`, `720h`, `2w`, or a number of days (as the data source's gate).").attribute(),
            ],
            DESCRIPTION,
        );
        AccessKeyGate {
            schema: Schema::new(0, block),
        }
    }
}

/// `access_key_ids`: each a plausible key, none twice, at least one.
const KEYS: Argument<Vec<AccessKeyId>> = Argument::new(
    ACCESS_KEY_IDS,
    "The AccessKey IDs to check, e.g. the key being disabled: `[alicloud_ram_access_key.old.id]`. Each is read from ActionTrail when the action runs.",
    Reads::TextList(|items, at| {
        if items.is_empty() {
            return at.invalid("access_key_ids is empty: a gate over no key would always pass. List the keys being retired.");
        }
        accesskeys::each_once(
            items,
            at,
            AccessKeyId::parse,
            "is not an AccessKey ID: it has 8 to 128 letters, digits or dots, like \"LTAI5tExampleKey0001\"",
            |other| match other {
                Value::Null => {
                    "access_key_ids holds a null: every item must be an AccessKey ID.".to_owned()
                }
                other => format!(
                    "access_key_ids items must be strings, but Terraform sent a {}.",
                    other.kind()
                ),
            },
        )
    }),
).required();

/// `fail_if_used_within`: the data source's gate, required.
const WINDOW: Argument<Gate> = last_used::GATE.required();

/// Checks the whole `config`; the typed one when it is known and valid.
fn parse(config: &Value, diags: &mut Vec<Diagnostic>) -> Option<GateConfig> {
    let keys = KEYS.demand(config, diags, "the keys the gate checks");
    let gate = WINDOW.demand(
        config,
        diags,
        "how long each key must have been idle, such as \"30d\"",
    );
    if crate::model::diag::has_errors(diags) {
        return None;
    }
    Some(GateConfig {
        keys: keys?,
        gate: gate?,
    })
}

/// The progress line for one key's answer: when it was last used and whether that passes.
fn progress_line(answer: &LastUse, gate: &Gate) -> String {
    let Some(ms) = answer.used.ms else {
        return format!("{} has no recorded use: idle enough", answer.key);
    };
    let elapsed = ms.elapsed(answer.now);
    let ago = duration::describe(elapsed);
    if elapsed >= gate.window {
        format!("{} last used {ago} ago: idle enough", answer.key)
    } else {
        format!(
            "{} last used {ago} ago, within {}: still in use",
            answer.key, gate.text
        )
    }
}

#[async_trait::async_trait]
impl Action for AccessKeyGate {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> &Schema {
        &self.schema
    }

    fn guide(&self) -> &'static str {
        GUIDE
    }

    fn validate(&self, config: &Value) -> Vec<Diagnostic> {
        let mut diags = Vec::new();
        parse(config, &mut diags);
        diags
    }

    async fn invoke(
        &self,
        client: &Client,
        config: &Value,
        progress: &(dyn Fn(String) + Send + Sync),
    ) -> Vec<Diagnostic> {
        let mut diags = Vec::new();
        let Some(parsed) = parse(config, &mut diags) else {
            if !crate::model::diag::has_errors(&diags) {
                diags.push(Diagnostic::error(
                    "Configuration not known",
                    format!("Terraform invoked {TYPE_NAME} with arguments still unknown; the gate needs every key known."),
                ));
            }
            return diags;
        };
        // Warnings (a window beyond ActionTrail's 400 days) were shown at validate time.
        diags.clear();
        // One key after another, in the order given, so the progress lines read in that
        // order; a key that cannot be read fails the gate, and the others are still read
        // so that one apply reports every key in use.
        for key in &parsed.keys {
            let info = match client
                .diagnosed(
                    last_used_info::ACTION,
                    About::Key(key.as_str()),
                    client.get_access_key_last_used_info_now(key),
                )
                .await
            {
                Ok(info) => info,
                Err(d) => {
                    progress(format!("{key}: ActionTrail gave no usable answer"));
                    diags.push(d);
                    continue;
                }
            };
            let answer = LastUse {
                key: key.clone(),
                used: Used::new(info),
                now: EpochMs::now(),
            };
            progress(progress_line(&answer, &parsed.gate));
            let config = Config {
                key: key.clone(),
                gate: Some(parsed.gate.clone()),
            };
            diags.extend(LastUsed::check(&config, &answer));
        }
        diags
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data_sources::last_used::FAIL_IF_USED_WITHIN;
    use crate::model::{AttributePath, Severity};

    fn config(keys: Value, window: Value) -> Value {
        Value::object([(ACCESS_KEY_IDS, keys), (FAIL_IF_USED_WITHIN, window)])
    }

    fn keys(ids: &[&str]) -> Value {
        Value::List(ids.iter().map(|k| Value::string(*k)).collect())
    }

    fn errors_at(diags: &[Diagnostic]) -> Vec<AttributePath> {
        diags
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .map(|d| {
                d.attribute
                    .clone()
                    .expect("every error points at an argument")
            })
            .collect()
    }

    #[test]
    fn a_bad_window_is_an_error_at_fail_if_used_within_as_the_data_source_says() {
        let gate = AccessKeyGate::new();
        let diags = gate.validate(&config(
            keys(&["LTAI5tIdleKey0000000001"]),
            Value::string("soon"),
        ));
        assert_eq!(
            errors_at(&diags),
            vec![AttributePath::root(FAIL_IF_USED_WITHIN)]
        );
        let mut data_source = Vec::new();
        last_used::GATE.optional(
            &Value::object([(FAIL_IF_USED_WITHIN, Value::string("soon"))]),
            &mut data_source,
        );
        assert_eq!(
            diags, data_source,
            "the same words as the data source's gate"
        );
    }

    #[test]
    fn a_bad_or_repeated_key_is_an_error_at_its_index() {
        let gate = AccessKeyGate::new();
        let diags = gate.validate(&config(
            keys(&["LTAI5tIdleKey0000000001", "no!", "LTAI5tIdleKey0000000001"]),
            Value::string("30d"),
        ));
        assert_eq!(
            errors_at(&diags),
            vec![
                AttributePath::root(ACCESS_KEY_IDS).index(1),
                AttributePath::root(ACCESS_KEY_IDS).index(2)
            ]
        );
    }

    #[test]
    fn an_empty_list_or_a_missing_argument_is_refused() {
        let gate = AccessKeyGate::new();
        let empty = gate.validate(&config(Value::List(vec![]), Value::string("30d")));
        assert_eq!(errors_at(&empty), vec![AttributePath::root(ACCESS_KEY_IDS)]);
        let absent = gate.validate(&config(keys(&["LTAI5tIdleKey0000000001"]), Value::Null));
        assert_eq!(
            errors_at(&absent),
            vec![AttributePath::root(FAIL_IF_USED_WITHIN)]
        );
    }

    #[test]
    fn unknown_values_are_neither_valid_nor_invalid() {
        let gate = AccessKeyGate::new();
        assert!(gate
            .validate(&config(Value::Unknown, Value::Unknown))
            .is_empty());
        assert!(gate
            .validate(&config(
                Value::List(vec![Value::Unknown]),
                Value::string("30d")
            ))
            .is_empty());
    }

    #[test]
    fn progress_says_how_long_ago_and_whether_that_passes() {
        use crate::actiontrail::AccessKeyLastUsedInfo;
        const DAY: i64 = 86_400_000;
        // 2024-05-01T08:30:00Z: inside ActionTrail's window, as a decoded time must be.
        const NOW: i64 = 1_714_552_200_000;
        let gate = Gate {
            text: "30d".into(),
            window: std::time::Duration::from_secs(30 * 86_400),
        };
        let answer = |used: Option<i64>| LastUse {
            key: AccessKeyId::listed("LTAI5tIdleKey0000000001"),
            used: Used::new(AccessKeyLastUsedInfo {
                used_timestamp: used.map(crate::alibaba::decode::UsedTimestamp::fixture),
                ..Default::default()
            }),
            now: EpochMs::new(NOW),
        };
        assert_eq!(
            progress_line(&answer(Some(NOW - 41 * DAY)), &gate),
            "LTAI5tIdleKey0000000001 last used 41 days ago: idle enough"
        );
        assert_eq!(
            progress_line(&answer(Some(NOW - 2 * DAY)), &gate),
            "LTAI5tIdleKey0000000001 last used 2 days ago, within 30d: still in use"
        );
        assert_eq!(
            progress_line(&answer(None), &gate),
            "LTAI5tIdleKey0000000001 has no recorded use: idle enough"
        );
    }
}
