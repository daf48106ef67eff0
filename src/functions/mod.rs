//! The provider's functions (`provider::actiontrail::NAME(...)`, Terraform 1.8 and later):
//! the data sources' own rules for durations, last use and events, callable from HCL.
//!
//! Terraform requires functions to be pure, so none reads the clock or the network: a
//! function that needs "now" takes it as an argument (users pass `plantimestamp()`).

pub mod docs;

use crate::model::{Function, FunctionError, Number, Parameter, Type, Value};
use crate::usage::{self, duration, EpochMs};

/// `duration_seconds(duration)`.
pub const DURATION_SECONDS: &str = "duration_seconds";
/// `used_within(last_used_at, window, now)`.
pub const USED_WITHIN: &str = "used_within";
/// `parse_event(detail)`.
pub const PARSE_EVENT: &str = "parse_event";

const TIMESTAMP_EXAMPLE: &str = "\"2024-05-01T08:30:00Z\"";

/// Every function, sorted by name.
pub fn functions() -> Vec<Function> {
    vec![
        Function {
            name: DURATION_SECONDS.into(),
            parameters: vec![Parameter::new(
                "duration",
                Type::String,
                "A duration as `fail_if_used_within` accepts it: `\"30d\"`, `\"720h\"`, `\"2w\"`, `\"1h 30m\"`, or a number of days such as `\"30\"`.",
            )],
            return_type: Type::Number,
            summary: "A duration in seconds".into(),
            description: "The number of seconds in a duration written the way `fail_if_used_within` accepts it, so that HCL can compare it with `days_since_last_used` or timestamps: `duration_seconds(\"30d\")` is `2592000`.".into(),
        },
        Function {
            name: PARSE_EVENT.into(),
            parameters: vec![Parameter::new(
                "detail",
                Type::String,
                "A raw ActionTrail event, a JSON string, as the data sources' `detail` attributes hold it; null is accepted.",
            )
            .nullable()],
            return_type: usage::event_type(),
            summary: "An ActionTrail event's fields".into(),
            description: format!(
                "The same object as the data sources' `event` attribute, from a raw `detail` string. {}",
                usage::EVENT_DESCRIPTION
            ),
        },
        Function {
            name: USED_WITHIN.into(),
            parameters: vec![
                Parameter::new(
                    "last_used_at",
                    Type::String,
                    "When the key was last used, RFC 3339 (a data source's `last_used_at`); null means never used.",
                )
                .nullable(),
                Parameter::new(
                    "window",
                    Type::String,
                    "How far back to look, as `fail_if_used_within` accepts it: `\"30d\"`, `\"720h\"`, `\"2w\"` or a number of days.",
                ),
                Parameter::new(
                    "now",
                    Type::String,
                    "The time to measure from, RFC 3339; pass `plantimestamp()`.",
                ),
            ],
            return_type: Type::Bool,
            summary: "Whether a last use lies within a window".into(),
            description: "Whether `last_used_at` lies less than `window` before `now`, by the same rule as `fail_if_used_within`; a use after `now` counts as within. False when `last_used_at` is null (never used). The function takes `now` as an argument because provider functions must give the same answer for the same arguments.".into(),
        },
    ]
}

/// Calls function `name`; `args` match its parameters (Terraform checks count and types).
pub fn call(name: &str, args: &[Value]) -> Result<Value, FunctionError> {
    match name {
        DURATION_SECONDS => duration_seconds(arg(args, 0)?),
        USED_WITHIN => used_within(arg(args, 0)?, arg(args, 1)?, arg(args, 2)?),
        PARSE_EVENT => Ok(parse_event(arg(args, 0)?)),
        _ => Err(FunctionError::call(format!(
            "This provider has no function named {:?}; it has {DURATION_SECONDS}, {PARSE_EVENT} and {USED_WITHIN}.",
            crate::model::cty::clip(name)
        ))),
    }
}

fn arg(args: &[Value], index: usize) -> Result<&Value, FunctionError> {
    args.get(index).ok_or_else(|| {
        FunctionError::call(format!(
            "Terraform passed {} arguments; argument {} is missing. This is a bug in Terraform or in the provider.",
            args.len(),
            index + 1
        ))
    })
}

// Terraform shows a FunctionError with an argument index as `Invalid value for "NAME"
// parameter: TEXT.`, so the texts below neither repeat the name nor end the sentence.

fn string_arg(v: &Value, index: usize) -> Result<&str, FunctionError> {
    v.as_str().ok_or_else(|| {
        FunctionError::argument(index, format!("must be a string, not {}", v.kind()))
    })
}

fn window(v: &Value, index: usize) -> Result<std::time::Duration, FunctionError> {
    let text = string_arg(v, index)?;
    duration::parse_window(text).map_err(|e| {
        let example = match e {
            duration::DurationError::Empty { .. } | duration::DurationError::Invalid { .. } => "",
            _ => "; for example \"30d\"",
        };
        FunctionError::argument(index, format!("{e}{example}"))
    })
}

fn duration_seconds(duration: &Value) -> Result<Value, FunctionError> {
    let d = window(duration, 0)?;
    Ok(Value::Number(if d.subsec_nanos() == 0 {
        i64::try_from(d.as_secs())
            .map(Number::Int)
            .unwrap_or(Number::Float(d.as_secs_f64()))
    } else {
        Number::Float(d.as_secs_f64())
    }))
}

fn timestamp(v: &Value, index: usize, hint: &str) -> Result<EpochMs, FunctionError> {
    let text = string_arg(v, index)?;
    let bad = || {
        FunctionError::argument(
            index,
            format!(
                "{:?} is not an RFC 3339 timestamp; write one such as {TIMESTAMP_EXAMPLE}{hint}",
                crate::model::cty::clip(text)
            ),
        )
    };
    EpochMs::parse_rfc3339(text).ok_or_else(bad)
}

fn used_within(
    last_used_at: &Value,
    window_arg: &Value,
    now: &Value,
) -> Result<Value, FunctionError> {
    // Every argument is checked, even when the answer is already known, so that a typo in
    // `window` or `now` shows before the key is first used.
    let window = window(window_arg, 1)?;
    let now = timestamp(now, 2, " or plantimestamp()")?;
    if last_used_at.is_null() {
        return Ok(Value::Bool(false));
    }
    let used = timestamp(
        last_used_at,
        0,
        " (a data source's last_used_at), or null for never used",
    )?;
    Ok(Value::Bool(used.elapsed(now) < window))
}

fn parse_event(detail: &Value) -> Value {
    usage::event_value(usage::parse_event(detail.as_str()).as_ref())
}

#[cfg(test)]
mod tests;
