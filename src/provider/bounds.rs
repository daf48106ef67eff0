//! Whole-number provider arguments that must lie within bounds (`max_retries`,
//! `max_concurrency`, `session_expiration` in both role blocks): one reading, so each says
//! what it accepts the same way, at its own line.

use crate::framework::args::{self, Arg};
use crate::model::{AttributePath, Diagnostic, Value};
use std::ops::RangeInclusive;

/// The whole number `name` of `config` when it is known and within `bounds`; otherwise
/// nothing, with an error at `path` when it is known and wrong. `unit` follows the bounds
/// in the message (`" seconds"`, or `""`).
pub fn whole_number_within<T: TryFrom<i64>>(
    config: &Value,
    name: &str,
    path: &AttributePath,
    bounds: RangeInclusive<i64>,
    unit: &str,
    diags: &mut Vec<Diagnostic>,
) -> Option<T> {
    match args::whole_number(config, name, path) {
        Ok(Arg::Known(n)) if !bounds.contains(&n) => {
            diags.push(args::invalid(
                name,
                path,
                format!(
                    "{name} must be between {} and {}{unit}, not {n}.",
                    bounds.start(),
                    bounds.end()
                ),
            ));
            None
        }
        Ok(Arg::Known(n)) => T::try_from(n).ok(),
        Ok(_) => None,
        Err(d) => {
            diags.push(d);
            None
        }
    }
}
