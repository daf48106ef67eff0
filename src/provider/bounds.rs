//! Whole-number provider arguments that must lie within bounds (`max_retries`,
//! `max_concurrency`, `session_expiration` in both role blocks): one check, so each says
//! what it accepts the same way, at its own line.

use crate::framework::args::At;
use std::ops::RangeInclusive;

/// `n` when it lies within `bounds`; otherwise an error at the argument. `unit` follows
/// the bounds in the message (`" seconds"`, or `""`).
pub fn within<T: TryFrom<i64>>(
    n: i64,
    bounds: RangeInclusive<i64>,
    unit: &str,
    at: &mut At<'_>,
) -> Option<T> {
    if !bounds.contains(&n) {
        let name = at.name();
        return at.invalid(format!(
            "{name} must be between {} and {}{unit}, not {n}.",
            bounds.start(),
            bounds.end()
        ));
    }
    T::try_from(n).ok()
}
