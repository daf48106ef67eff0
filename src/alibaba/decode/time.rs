//! The times answers carry, each checked against the window it can come from: ActionTrail's
//! `UsedTimestamp` (a domain type, [`UsedTimestamp`]), RAM's `CreateDate` ([`create_date`])
//! and STS's `Expiration` ([`expiration`]); and the consistency rule that decides "used"
//! ([`last_use`]): any sign of use means a use, whose time is the most recent plausible one.

use super::Reason;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// 2022-02-01T00:00:00Z in epoch milliseconds: ActionTrail keeps no use before it.
pub const ACTIONTRAIL_FLOOR_MS: i64 = 1_643_673_600_000;

/// How far ahead of this machine's clock a time may be and still be taken as now: the
/// clock skew Alibaba's own signatures tolerate (15 minutes).
pub const CLOCK_SKEW_MS: i64 = 15 * 60 * 1000;

/// A moment as epoch milliseconds, the unit ActionTrail's answers, the provider's state and
/// its functions use. Its conversions (now, RFC 3339 both ways, the time and the whole days
/// since) are written here, once; a time ActionTrail says a key was used is the checked
/// [`UsedTimestamp`], which is one of these.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EpochMs(i64);

impl EpochMs {
    /// `ms` milliseconds after 1970-01-01T00:00:00Z (before it, when negative).
    pub const fn new(ms: i64) -> EpochMs {
        EpochMs(ms)
    }

    /// Now, by this machine's clock.
    pub fn now() -> EpochMs {
        EpochMs(
            i64::try_from(OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000)
                .unwrap_or(i64::MAX),
        )
    }

    /// An RFC 3339 time; `None` when `text` is not one or lies beyond what milliseconds in an
    /// `i64` can hold.
    pub fn parse_rfc3339(text: &str) -> Option<EpochMs> {
        let t = OffsetDateTime::parse(text.trim(), &Rfc3339).ok()?;
        i64::try_from(t.unix_timestamp_nanos() / 1_000_000)
            .ok()
            .map(EpochMs)
    }

    /// Epoch milliseconds.
    pub const fn ms(self) -> i64 {
        self.0
    }

    /// As RFC 3339 in UTC (`2024-05-01T08:30:00Z`, with a fraction only when the
    /// milliseconds are not zero); `None` for times RFC 3339 cannot spell.
    pub fn rfc3339(self) -> Option<String> {
        OffsetDateTime::from_unix_timestamp_nanos(i128::from(self.0) * 1_000_000)
            .ok()
            .and_then(|t| t.format(&Rfc3339).ok())
    }

    /// How long before `now` it was; zero for a time ahead of it (clock skew).
    pub fn elapsed(self, now: EpochMs) -> std::time::Duration {
        std::time::Duration::from_millis(u64::try_from(now.0.saturating_sub(self.0)).unwrap_or(0))
    }

    /// Whole days before `now`, never negative.
    pub fn whole_days(self, now: EpochMs) -> i64 {
        (now.0.saturating_sub(self.0) / 86_400_000).max(0)
    }

    /// As a `SystemTime`; a time before 1970 is taken as 1970.
    pub fn system_time(self) -> std::time::SystemTime {
        std::time::SystemTime::UNIX_EPOCH
            + std::time::Duration::from_millis(u64::try_from(self.0).unwrap_or(0))
    }
}

/// ActionTrail's `UsedTimestamp`: epoch milliseconds, and once decoded, in [2022-02-01,
/// now + skew]. Every answer's value is replaced, before any caller sees it, by the last use
/// [`last_use`] concludes, built through [`UsedTimestamp::check`]; so a value in seconds,
/// `1` or the future never becomes a time of use. The conversions (RFC 3339, days since,
/// time since) are written here, once.
///
/// It is read from JSON as the integer the API sends (the wire shape); only the strict
/// decoder makes the value one the rest of the provider sees.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct UsedTimestamp(i64);

impl UsedTimestamp {
    /// `ms` as the `field` of an ActionTrail answer, checked against ActionTrail's window
    /// as of `now`; the error names the field and what is wrong, not the value.
    pub fn check(field: &str, ms: i64, now: EpochMs) -> Result<UsedTimestamp, Reason> {
        let now_ms = now.ms();
        if ms < ACTIONTRAIL_FLOOR_MS {
            let hint =
                if (ACTIONTRAIL_FLOOR_MS / 1000..=now_ms / 1000 + CLOCK_SKEW_MS).contains(&ms) {
                    " (it reads as seconds, not the milliseconds ActionTrail gives)"
                } else {
                    ""
                };
            return Err(format!(
                "{field} is before 2022-02-01T00:00:00Z, when ActionTrail's records begin{hint}: it is not a time ActionTrail can give"
            ));
        }
        if ms > now_ms.saturating_add(CLOCK_SKEW_MS) {
            return Err(format!(
                "{field} is in the future (more than {} minutes ahead of this machine's clock): it is not a time ActionTrail can give",
                CLOCK_SKEW_MS / 60_000
            ));
        }
        Ok(UsedTimestamp(ms))
    }

    /// Epoch milliseconds.
    pub fn ms(self) -> i64 {
        self.0
    }

    /// The moment.
    pub fn at(self) -> EpochMs {
        EpochMs(self.0)
    }

    /// As RFC 3339 in UTC (`2024-05-01T08:30:00Z`, a fraction only when needed).
    pub fn rfc3339(self) -> String {
        self.at()
            .rfc3339()
            .unwrap_or_else(|| format!("{} ms since the epoch", self.0))
    }

    /// How long before `now` it was; zero for a time ahead of it (clock skew).
    pub fn elapsed(self, now: EpochMs) -> std::time::Duration {
        self.at().elapsed(now)
    }

    /// Whole days before `now`, never negative.
    pub fn whole_days(self, now: EpochMs) -> i64 {
        self.at().whole_days(now)
    }

    /// `ms` as a time of use in a unit test's fixture; panics outside ActionTrail's window.
    #[cfg(test)]
    pub(crate) fn fixture(ms: i64) -> UsedTimestamp {
        UsedTimestamp::check(
            "a test fixture's UsedTimestamp",
            ms,
            EpochMs::new(i64::MAX - CLOCK_SKEW_MS),
        )
        .expect("a fixture time in ActionTrail's window")
    }
}

/// The `eventTime` of a `Detail` event: `None` when there is no detail, or its event has no
/// `eventTime` (or a null one). A detail that is not a JSON object, an `eventTime` that is no
/// RFC 3339 text, one in the future, and an object that repeats a member are errors: each
/// could hide a later use behind an older `UsedTimestamp`, so none may read as "no time".
pub fn event_time(detail: Option<&str>, now: EpochMs) -> Result<Option<i64>, Reason> {
    let Some(text) = detail.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    let event: serde_json::Value =
        super::strict(text).map_err(|why| format!("its Detail event: {why}"))?;
    let serde_json::Value::Object(event) = event else {
        return Err("its Detail is not a JSON object (an ActionTrail event)".into());
    };
    let at = match event.get("eventTime") {
        None | Some(serde_json::Value::Null) => return Ok(None),
        Some(serde_json::Value::String(t)) => EpochMs::parse_rfc3339(t)
            .ok_or_else(|| "its Detail eventTime is not an RFC 3339 time".to_owned())?,
        Some(_) => return Err("its Detail eventTime is not a string".into()),
    };
    if at.ms() > now.ms().saturating_add(CLOCK_SKEW_MS) {
        return Err("its Detail eventTime is in the future".into());
    }
    Ok(Some(at.ms()))
}

/// The signs of use one record of any ActionTrail operation carries.
#[derive(Clone, Copy, Debug, Default)]
pub struct Signs<'a> {
    /// `UsedTimestamp`, as answered (absent, `null` and 0 are the same: no time).
    pub used_timestamp: Option<i64>,
    /// `ServiceName`, where the record is not named by it.
    pub service_name: Option<&'a str>,
    /// `Source`.
    pub source: Option<&'a str>,
    /// `Detail`.
    pub detail: Option<&'a str>,
    /// The record is itself a use (an entry of Products, Ips, Resources or Events).
    pub listed: bool,
}

/// When the record last saw a use, or `None` when it shows none at all.
///
/// Any sign (a non-zero `UsedTimestamp`, a non-empty `ServiceName`, `Source` or `Detail`, or
/// being a list entry) means a use. Its time is the most recent plausible one: a
/// `UsedTimestamp` must lie in ActionTrail's window (else the record is refused); the
/// `Detail` event's `eventTime` (refused when unreadable or in the future), when later,
/// means a later use. How the
/// two relate in real answers is not documented (the reference's own sample pairs a 2022
/// `UsedTimestamp` with a 2021 `eventTime`), so they need not be equal. A use with no
/// plausible time anywhere is refused: it cannot be an ActionTrail answer.
pub fn last_use(
    what: &str,
    signs: Signs<'_>,
    now: EpochMs,
) -> Result<Option<UsedTimestamp>, Reason> {
    let present = |s: Option<&str>| s.is_some_and(|s| !s.trim().is_empty());
    let used_timestamp = match signs.used_timestamp {
        None | Some(0) => None,
        Some(ms) => Some(UsedTimestamp::check(&format!("{what}UsedTimestamp"), ms, now)?.ms()),
    };
    let event = event_time(signs.detail, now).map_err(|why| format!("{what}{why}"))?;
    let mut named = Vec::new();
    if used_timestamp.is_some() {
        named.push("UsedTimestamp");
    }
    if present(signs.service_name) {
        named.push("ServiceName");
    }
    if present(signs.source) {
        named.push("Source");
    }
    if present(signs.detail) {
        named.push("Detail");
    }
    if named.is_empty() && !signs.listed {
        return Ok(None);
    }
    let standalone_event = event.filter(|t| *t >= ACTIONTRAIL_FLOOR_MS);
    // Each arm's time lies in the window: a UsedTimestamp was checked, an eventTime later
    // than it is too, and one standing alone was filtered to it.
    match (used_timestamp, event, standalone_event) {
        (Some(ms), Some(ev), _) => Ok(Some(UsedTimestamp(ms.max(ev)))),
        (Some(ms), None, _) => Ok(Some(UsedTimestamp(ms))),
        (None, _, Some(ev)) => Ok(Some(UsedTimestamp(ev))),
        (None, _, None) => {
            let signs = if named.is_empty() {
                "it is an entry of the list".to_owned()
            } else {
                format!("it has {}", named.join(", "))
            };
            Err(format!(
                "{what}record reports a use ({signs}) but no time of it: UsedTimestamp is absent, null or 0, and no Detail eventTime lies between 2022-02-01 and now"
            ))
        }
    }
}

/// RAM's `CreateDate` (RFC 3339), checked: Alibaba Cloud issued no key before 2009, and
/// none is created in the future.
pub fn create_date(text: &str, now: EpochMs) -> Result<EpochMs, Reason> {
    /// 2009-01-01T00:00:00Z: before Alibaba Cloud existed.
    const FLOOR_MS: i64 = 1_230_768_000_000;
    let at = EpochMs::parse_rfc3339(text)
        .ok_or_else(|| "CreateDate is not an RFC 3339 time".to_owned())?;
    let ms = at.ms();
    if ms < FLOOR_MS {
        return Err("CreateDate is before 2009, before Alibaba Cloud issued any key".into());
    }
    if ms > now.ms().saturating_add(CLOCK_SKEW_MS) {
        return Err("CreateDate is in the future".into());
    }
    Ok(at)
}

/// The furthest ahead a credential's `Expiration` may be: STS issues at most 12 hours, the
/// metadata service about 6; a week leaves room for a broker's longer sessions.
pub const MAX_EXPIRATION_AHEAD_MS: i64 = 7 * 24 * 3_600_000;

/// A credential's `Expiration` (RFC 3339), checked: later than `now` (less the clock skew),
/// and at most [`MAX_EXPIRATION_AHEAD_MS`] ahead.
pub fn expiration(text: &str, now: EpochMs) -> Result<EpochMs, Reason> {
    let at = EpochMs::parse_rfc3339(text)
        .ok_or_else(|| "Expiration is not an RFC 3339 time".to_owned())?;
    let (ms, now_ms) = (at.ms(), now.ms());
    if ms < now_ms.saturating_sub(CLOCK_SKEW_MS) {
        return Err("Expiration is already past: the credentials have expired".into());
    }
    if ms > now_ms.saturating_add(MAX_EXPIRATION_AHEAD_MS) {
        return Err(
            "Expiration is more than 7 days ahead, further than any Alibaba Cloud temporary credential lasts".into(),
        );
    }
    Ok(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400_000;

    #[test]
    fn an_epoch_time_is_the_same_system_time_and_never_before_1970() {
        use std::time::{Duration, SystemTime};
        assert_eq!(
            EpochMs::new(1_500).system_time(),
            SystemTime::UNIX_EPOCH + Duration::from_millis(1_500)
        );
        assert_eq!(EpochMs::new(-5).system_time(), SystemTime::UNIX_EPOCH);
    }

    #[test]
    fn used_timestamp_lies_in_actiontrails_window_in_milliseconds() {
        let now = 1_780_000_000_000;
        assert!(UsedTimestamp::check("UsedTimestamp", now - 2 * DAY, EpochMs::new(now)).is_ok());
        assert!(
            UsedTimestamp::check("UsedTimestamp", ACTIONTRAIL_FLOOR_MS, EpochMs::new(now)).is_ok()
        );
        let seconds =
            UsedTimestamp::check("UsedTimestamp", (now - 2 * DAY) / 1000, EpochMs::new(now));
        assert!(seconds.unwrap_err().contains("seconds"));
        assert!(UsedTimestamp::check("UsedTimestamp", 1, EpochMs::new(now))
            .unwrap_err()
            .contains("before 2022-02-01"));
        assert!(
            UsedTimestamp::check("UsedTimestamp", now + DAY, EpochMs::new(now))
                .unwrap_err()
                .contains("future")
        );
        assert!(UsedTimestamp::check("X", -5, EpochMs::new(now)).is_err());
    }

    #[test]
    fn any_sign_of_use_needs_a_plausible_time_and_the_latest_wins() {
        let now = 1_780_000_000_000;
        let two_days = now - 2 * DAY;
        let detail = format!(
            "{{\"eventTime\":\"{}\"}}",
            OffsetDateTime::from_unix_timestamp(two_days / 1000)
                .unwrap()
                .format(&Rfc3339)
                .unwrap()
        );
        let none = Signs::default();
        assert_eq!(last_use("", none, EpochMs::new(now)), Ok(None));
        let hidden = Signs {
            used_timestamp: Some(0),
            service_name: Some("Ecs"),
            source: Some("ManagementEvent"),
            detail: Some(&detail),
            listed: false,
        };
        assert_eq!(
            last_use("", hidden, EpochMs::new(now)),
            Ok(Some(UsedTimestamp(two_days)))
        );
        let no_time = Signs {
            detail: None,
            ..hidden
        };
        assert!(last_use("", no_time, EpochMs::new(now))
            .unwrap_err()
            .contains("ServiceName, Source"));
        let older = Signs {
            used_timestamp: Some(two_days - 10 * DAY),
            ..hidden
        };
        assert_eq!(
            last_use("", older, EpochMs::new(now)),
            Ok(Some(UsedTimestamp(two_days)))
        );
        let listed = Signs {
            listed: true,
            ..Signs::default()
        };
        assert!(last_use("an IP's ", listed, EpochMs::new(now))
            .unwrap_err()
            .starts_with("an IP's record"));
    }

    #[test]
    fn the_references_own_sample_decodes_to_its_used_timestamp() {
        let signs = Signs {
            used_timestamp: Some(1_657_247_532_000),
            service_name: Some("Ecs"),
            source: Some("Internal"),
            detail: Some(r#"{"eventTime":"2021-08-05T09:21:32Z","eventName":"DescribeRegions"}"#),
            listed: false,
        };
        assert_eq!(
            last_use("", signs, EpochMs::new(1_780_000_000_000)),
            Ok(Some(UsedTimestamp(1_657_247_532_000)))
        );
    }

    #[test]
    fn a_detail_repeating_its_event_time_is_refused() {
        let d = r#"{"eventTime":"2026-01-01T00:00:00Z","eventTime":"2022-03-01T00:00:00Z"}"#;
        assert!(event_time(Some(d), EpochMs::new(1_780_000_000_000))
            .unwrap_err()
            .contains("appears twice"));
    }

    #[test]
    fn a_detail_whose_event_time_cannot_be_read_or_lies_ahead_is_refused_not_dropped() {
        let now = EpochMs::new(1_780_000_000_000);
        let at = |t: &str| event_time(Some(t), now);
        for (detail, why) in [
            ("not json", "Detail event"),
            (
                r#"{"eventTime":"2026-06-01 08:30:00"}"#,
                "not an RFC 3339 time",
            ),
            (r#"{"eventTime":1780000000}"#, "not a string"),
            (r#"{"eventTime":"2099-01-01T00:00:00Z"}"#, "in the future"),
            (r#"["eventTime"]"#, "not a JSON object"),
            (r#"{"eventTime":"2026-01-01T00:00:00Z""#, "Detail event"),
        ] {
            assert!(
                at(detail).unwrap_err().contains(why),
                "{detail}: {:?}",
                at(detail)
            );
        }
        assert_eq!(at("  "), Ok(None));
        assert_eq!(at(r#"{"eventName":"DescribeRegions"}"#), Ok(None));
        assert_eq!(at(r#"{"eventTime":null}"#), Ok(None));
        // A use 60 days old by UsedTimestamp, with an hour-old event spelt another way: an
        // error, not a use 60 days old that a 30-day gate would pass.
        let signs = Signs {
            used_timestamp: Some(now.ms() - 60 * DAY),
            service_name: Some("Ecs"),
            source: Some("ManagementEvent"),
            detail: Some(r#"{"eventTime":"2026-05-28 20:00:00"}"#),
            listed: false,
        };
        assert!(last_use("", signs, now).is_err());
    }

    #[test]
    fn ram_dates_and_sts_expirations_are_plausible() {
        let now = 1_780_000_000_000;
        assert!(create_date("2015-01-23T12:33:18Z", EpochMs::new(now)).is_ok());
        assert!(create_date("1970-01-01T00:00:01Z", EpochMs::new(now)).is_err());
        assert!(create_date("2099-01-01T00:00:00Z", EpochMs::new(now)).is_err());
        assert!(create_date("yesterday", EpochMs::new(now)).is_err());
        let in_an_hour = OffsetDateTime::from_unix_timestamp(now / 1000 + 3600)
            .unwrap()
            .format(&Rfc3339)
            .unwrap();
        assert!(expiration(&in_an_hour, EpochMs::new(now)).is_ok());
        assert!(expiration("2099-01-01T00:00:00Z", EpochMs::new(now)).is_err());
        assert!(expiration("2020-01-01T00:00:00Z", EpochMs::new(now)).is_err());
    }
}
