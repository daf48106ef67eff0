//! The fleet gate, `fail_if_any_used_within`: over what a fleet read (one account's, or an
//! organisation's) holds, one error listing every selected key used within the window.

use crate::data_sources::fleet::{Fleet, FleetKey};
use crate::model::{AttributePath, Diagnostic};
use crate::usage;
use crate::usage::EpochMs;
use std::time::Duration;

/// The fleet gate: one error listing every selected key used within `window`, or none.
pub fn gate(fleet: &Fleet, window: Duration) -> Option<Diagnostic> {
    gate_over(
        fleet
            .selected
            .iter()
            .map(|k| (k, format!("RAM user {}", k.user_name))),
        fleet.selected.len(),
        window,
        fleet.now,
    )
}

/// The gate over `keys`, each with whose it is (`RAM user u`, or its account too), out of
/// `selected` keys: one error listing every key used within `window`, or none.
pub(super) fn gate_over<'a>(
    keys: impl Iterator<Item = (&'a FleetKey, String)>,
    selected: usize,
    window: Duration,
    now: EpochMs,
) -> Option<Diagnostic> {
    let lines: Vec<String> = keys
        .filter(|(k, _)| k.used_within(window, now))
        .map(|(k, owner)| {
            // Every offender was used within the window, so has a time.
            let (when, ago) = k.last_used_ms.map_or_else(
                || ("an unknown time".to_owned(), Duration::ZERO),
                |t| (t.rfc3339(), t.elapsed(now)),
            );
            format!(
                "- {} ({owner}): {} from {} at {} ({} ago)",
                k.access_key_id,
                k.last_used_service
                    .as_deref()
                    .unwrap_or("an unknown service"),
                k.last_used_ip.as_deref().unwrap_or("an unknown IP"),
                when,
                crate::usage::duration::describe(ago),
            )
        })
        .collect();
    if lines.is_empty() {
        return None;
    }
    Some(
        Diagnostic::error(
            format!(
                "{} of {} selected AccessKeys were used within {}",
                lines.len(),
                selected,
                crate::usage::duration::describe(window)
            ),
            format!(
                "fail_if_any_used_within is {}, and these keys were used within it:\n{}\n\nStop the callers using them (or narrow the set) before retiring these keys. {}",
                crate::usage::duration::describe(window),
                lines.join("\n"),
                usage::FRESHNESS_NOTE
            ),
        )
        .at(AttributePath::root("fail_if_any_used_within")),
    )
}
