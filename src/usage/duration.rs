//! Durations as users write them in HCL: `"30d"`, `"720h"`, `"2w"`, `"1h 30m"`, or a bare
//! number of days for the rotation gate.
//!
//! humantime does the parsing; this module adds the bare-number rule, refuses zero, and
//! spells durations back in words for diagnostics.

use std::time::Duration;

const DAY: u64 = 86_400;

/// Why a duration argument could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DurationError {
    /// Nothing was written.
    #[error("is empty; write a duration such as {examples}")]
    Empty {
        /// Examples of valid values for this argument.
        examples: &'static str,
    },
    /// The text is not a duration.
    #[error("{text:?} is not a duration; write one such as {examples}")]
    Invalid {
        /// What the user wrote.
        text: String,
        /// Examples of valid values for this argument.
        examples: &'static str,
    },
    /// Zero would disable the check it configures.
    #[error("must be longer than zero")]
    Zero,
    /// Longer than the argument allows.
    #[error("must be at most {max}")]
    TooLong {
        /// The longest allowed, in words.
        max: String,
    },
}

const WINDOW_EXAMPLES: &str = "\"30d\", \"720h\", \"2w\" or a number of days like \"30\"";
const TIMEOUT_EXAMPLES: &str = "\"30s\", \"2m\" or \"1m 30s\"";

/// The gate's window: a duration (`30d`, `720h`, `2w`, `1h 30m`) or a bare number of days.
pub fn parse_window(text: &str) -> Result<Duration, DurationError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(DurationError::Empty {
            examples: WINDOW_EXAMPLES,
        });
    }
    let d = if text.bytes().all(|b| b.is_ascii_digit()) {
        let days: u64 = text.parse().map_err(|_| DurationError::Invalid {
            text: text.to_owned(),
            examples: WINDOW_EXAMPLES,
        })?;
        Duration::from_secs(days.checked_mul(DAY).ok_or(DurationError::TooLong {
            max: "a few thousand years".to_owned(),
        })?)
    } else {
        humantime::parse_duration(text).map_err(|_| DurationError::Invalid {
            text: text.to_owned(),
            examples: WINDOW_EXAMPLES,
        })?
    };
    if d.is_zero() {
        return Err(DurationError::Zero);
    }
    Ok(d)
}

/// The longest API call timeout accepted.
pub const MAX_TIMEOUT: Duration = Duration::from_secs(3600);

/// A request timeout: a duration with a unit (`30s`, `2m`), at most an hour.
pub fn parse_timeout(text: &str) -> Result<Duration, DurationError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(DurationError::Empty {
            examples: TIMEOUT_EXAMPLES,
        });
    }
    let d = humantime::parse_duration(text).map_err(|_| DurationError::Invalid {
        text: text.to_owned(),
        examples: TIMEOUT_EXAMPLES,
    })?;
    if d.is_zero() {
        return Err(DurationError::Zero);
    }
    if d > MAX_TIMEOUT {
        return Err(DurationError::TooLong {
            max: describe(MAX_TIMEOUT),
        });
    }
    Ok(d)
}

/// A duration in words, to the two largest units: `3 days 4 hours`, `45 minutes`,
/// `12 seconds`.
pub fn describe(d: Duration) -> String {
    let secs = d.as_secs();
    let units = [(DAY, "day"), (3600, "hour"), (60, "minute"), (1, "second")];
    let plural = |n: u64, name: &str| format!("{n} {name}{}", if n == 1 { "" } else { "s" });
    let Some(i) = units.iter().position(|(size, _)| secs >= *size) else {
        return "less than a second".to_owned();
    };
    let mut text = String::new();
    if let Some((size, name)) = units.get(i) {
        text = plural(secs / size, name);
        if let Some((next, next_name)) = units.get(i + 1) {
            let n = secs % size / next;
            if n > 0 {
                text = format!("{text} {}", plural(n, next_name));
            }
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_accepts_days_hours_weeks_and_bare_numbers() {
        assert_eq!(parse_window("30d"), Ok(Duration::from_secs(30 * DAY)));
        assert_eq!(parse_window("720h"), Ok(Duration::from_secs(30 * DAY)));
        assert_eq!(parse_window("2w"), Ok(Duration::from_secs(14 * DAY)));
        assert_eq!(parse_window("30"), Ok(Duration::from_secs(30 * DAY)));
        assert_eq!(parse_window(" 1h 30m "), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_window("90days"), Ok(Duration::from_secs(90 * DAY)));
    }

    #[test]
    fn window_refuses_words_zero_empty_and_overflow() {
        for words in ["soon", "-3d"] {
            let parsed = parse_window(words);
            assert!(
                matches!(parsed, Err(DurationError::Invalid { .. })),
                "{words}"
            );
        }
        assert_eq!(parse_window("0"), Err(DurationError::Zero));
        assert_eq!(parse_window("0d"), Err(DurationError::Zero));
        assert!(matches!(parse_window(""), Err(DurationError::Empty { .. })));
        assert!(parse_window("99999999999999999999").is_err());
        assert!(parse_window("999999999999999999").is_err());
    }

    #[test]
    fn timeout_needs_a_unit_and_stays_under_an_hour() {
        assert_eq!(parse_timeout("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_timeout("1m 30s"), Ok(Duration::from_secs(90)));
        let unitless = parse_timeout("30");
        assert!(matches!(unitless, Err(DurationError::Invalid { .. })));
        let too_long = parse_timeout("2h");
        assert!(matches!(too_long, Err(DurationError::TooLong { .. })));
        assert_eq!(parse_timeout("0s"), Err(DurationError::Zero));
    }

    #[test]
    fn describe_uses_the_two_largest_units() {
        assert_eq!(
            describe(Duration::from_secs(3 * DAY + 4 * 3600 + 59)),
            "3 days 4 hours"
        );
        assert_eq!(describe(Duration::from_secs(DAY + 5)), "1 day");
        assert_eq!(describe(Duration::from_secs(45 * 60)), "45 minutes");
        assert_eq!(describe(Duration::from_secs(3661)), "1 hour 1 minute");
        assert_eq!(describe(Duration::from_secs(12)), "12 seconds");
        assert_eq!(describe(Duration::from_millis(300)), "less than a second");
    }
}
