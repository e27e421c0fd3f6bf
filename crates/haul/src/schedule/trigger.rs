//! When a schedule runs: a cron expression on the local wall clock (5 fields, or 6 with seconds
//! first), one instant, or a fixed interval of real time. Parsing gives messages that name the wrong
//! part; the next-run math is pure (the instant and the zone are arguments).

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use croner::Cron;
use croner::errors::CronError;
use croner::parser::{CronParser, Seconds};
use jiff::civil::DateTime;
use jiff::tz::{AmbiguousOffset, TimeZone};
use jiff::{SignedDuration, Timestamp};
use serde::{Serialize, Serializer};

use super::ScheduleError;

/// The shortest interval `--every` accepts: shorter than this, a schedule would hammer the Hub.
pub const MIN_INTERVAL: Duration = Duration::from_secs(60);

const FIELDS_5: [(&str, &str); 5] = [
    ("minute", "0-59"),
    ("hour", "0-23"),
    ("day-of-month", "1-31"),
    ("month", "1-12 or Jan-Dec"),
    ("day-of-week", "0-7 or Sun-Sat, 0 and 7 both Sunday"),
];
const SECONDS_FIELD: (&str, &str) = ("second", "0-59");

/// A validated cron expression: 5 fields (minute hour day-of-month month day-of-week) or 6 (second
/// first), or a nickname (`@daily`, `@hourly`, `@weekly`, `@monthly`, `@yearly`). Day-of-month and
/// day-of-week combine with OR, as in Vixie cron.
#[derive(Clone)]
pub struct CronExpr {
    text: String,
    /// Boxed: a parsed pattern is a few hundred bytes.
    cron: Box<Cron>,
}

impl fmt::Debug for CronExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CronExpr({:?})", self.text)
    }
}

impl PartialEq for CronExpr {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl Eq for CronExpr {}

impl fmt::Display for CronExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl Serialize for CronExpr {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

fn parser() -> CronParser {
    CronParser::builder().seconds(Seconds::Optional).build()
}

impl CronExpr {
    pub fn parse(text: &str) -> Result<CronExpr, ScheduleError> {
        let bad = |reason: String| ScheduleError::BadCron {
            expr: text.to_string(),
            reason,
        };
        let fields: Vec<&str> = text.split_whitespace().collect();
        let normal = fields.join(" ");
        if fields.is_empty() {
            return Err(bad("it is empty".into()));
        }
        let nickname = fields.len() == 1 && fields[0].starts_with('@');
        if !nickname && !(5..=6).contains(&fields.len()) {
            return Err(bad(format!(
                "it has {} field(s); write 5 (minute hour day-of-month month day-of-week) or 6 (with the second first)",
                fields.len()
            )));
        }
        let cron = match parser().parse(&normal) {
            Ok(cron) => cron,
            Err(e) if nickname => {
                return Err(bad(format!(
                    "{}; the nicknames are @hourly, @daily, @weekly, @monthly, @yearly",
                    describe_cron_error(&e)
                )));
            }
            Err(e) => return Err(bad(culprit(&fields).unwrap_or_else(|| e.to_string()))),
        };
        // A pattern like `0 0 30 2 *` parses but never happens.
        let probe = Timestamp::from_second(946_684_800)
            .expect("2000-01-01 is a valid instant")
            .to_zoned(TimeZone::UTC);
        if cron.find_next_occurrence(&probe, false).is_err() {
            return Err(bad(
                "it never matches a real date (like 30 February): check day-of-month and month"
                    .into(),
            ));
        }
        Ok(CronExpr {
            text: normal,
            cron: Box::new(cron),
        })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether the expression has a seconds field (6 fields).
    pub fn has_seconds(&self) -> bool {
        self.text.split_whitespace().count() == 6
    }

    /// The first matching instant strictly after `after`, on the wall clock of `tz`.
    pub fn next_after(&self, after: Timestamp, tz: &TimeZone) -> Option<Timestamp> {
        self.cron
            .find_next_occurrence(&after.to_zoned(tz.clone()), false)
            .ok()
            .map(|z| z.timestamp())
    }
}

/// Names the first field croner refuses on its own, and what it accepts.
fn culprit(fields: &[&str]) -> Option<String> {
    let mut names: Vec<(&str, &str)> = Vec::new();
    if fields.len() == 6 {
        names.push(SECONDS_FIELD);
    }
    names.extend(FIELDS_5);
    for (i, field) in fields.iter().enumerate() {
        let probe: Vec<&str> = (0..fields.len())
            .map(|j| if j == i { *field } else { "*" })
            .collect();
        if let Err(e) = parser().parse(&probe.join(" ")) {
            let (name, range) = names[i];
            return Some(format!(
                "the {name} field '{field}' is wrong: {} (allowed: {range}, with * , - and /)",
                describe_cron_error(&e)
            ));
        }
    }
    None
}

fn describe_cron_error(e: &CronError) -> String {
    match e {
        CronError::ComponentError(msg) if msg.contains("out of bounds") => {
            "a number is out of range".to_string()
        }
        CronError::ComponentError(msg) if msg.contains("Step cannot be zero") => {
            "a step of 0 never advances".to_string()
        }
        CronError::ComponentError(msg) if msg.contains("Invalid range") => {
            "a range must read like 1-5 or 1-5/2".to_string()
        }
        CronError::IllegalCharacters(_) => "it holds a character cron does not know".to_string(),
        CronError::ComponentError(msg) | CronError::InvalidPattern(msg) => {
            msg.trim_end_matches('.').to_string()
        }
        other => other.to_string(),
    }
}

/// A fixed length of real time between runs (so `1d` is 24 hours, whatever the clocks do).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Interval {
    secs: u64,
}

const UNITS: &[(&[&str], u64)] = &[
    (&["s", "sec", "secs", "second", "seconds"], 1),
    (&["m", "min", "mins", "minute", "minutes"], 60),
    (&["h", "hr", "hrs", "hour", "hours"], 3600),
    (&["d", "day", "days"], 86_400),
    (&["w", "week", "weeks"], 604_800),
];

impl Interval {
    /// Any length (no minimum): for stored values and tests. Users go through [`Interval::parse`].
    pub fn from_secs(secs: u64) -> Interval {
        Interval { secs: secs.max(1) }
    }

    pub fn as_secs(self) -> u64 {
        self.secs
    }

    fn as_signed(self) -> SignedDuration {
        SignedDuration::from_secs(i64::try_from(self.secs).unwrap_or(i64::MAX))
    }

    /// `30m`, `6h`, `1d`, `1w`, `1h30m`, `90s` (at least [`MIN_INTERVAL`]; at most 10 years).
    pub fn parse(text: &str) -> Result<Interval, ScheduleError> {
        let bad = |reason: &str| ScheduleError::BadInterval {
            text: text.to_string(),
            reason: reason.to_string(),
        };
        let lower = text.trim().to_ascii_lowercase();
        let mut rest = lower.as_str().trim_start();
        if rest.is_empty() {
            return Err(bad("it is empty"));
        }
        let mut total: u64 = 0;
        while !rest.is_empty() {
            let digits = rest
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(rest.len());
            if digits == 0 {
                return Err(bad("each part starts with a whole number"));
            }
            let number: u64 = rest[..digits]
                .parse()
                .map_err(|_| bad("the number is too large"))?;
            rest = rest[digits..].trim_start();
            let unit_len = rest
                .find(|c: char| !c.is_ascii_alphabetic())
                .unwrap_or(rest.len());
            let unit = &rest[..unit_len];
            if unit.is_empty() {
                return Err(bad("a number needs a unit (s, m, h, d or w)"));
            }
            let size = UNITS
                .iter()
                .find(|(names, _)| names.contains(&unit))
                .map(|(_, size)| *size)
                .ok_or_else(|| bad(&format!("'{unit}' is not a unit (s, m, h, d or w)")))?;
            total = number
                .checked_mul(size)
                .and_then(|n| total.checked_add(n))
                .ok_or_else(|| bad("it is too long"))?;
            rest = rest[unit_len..].trim_start();
        }
        if total < MIN_INTERVAL.as_secs() {
            return Err(bad("it is shorter than the minimum of 1 minute"));
        }
        if total > 10 * 366 * 86_400 {
            return Err(bad("it is longer than 10 years"));
        }
        Ok(Interval { secs: total })
    }
}

impl fmt::Display for Interval {
    /// The shortest form [`Interval::parse`] reads back: `1h30m`, `1d`, `2w`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut left = self.secs;
        for (unit, size) in [("w", 604_800), ("d", 86_400), ("h", 3600), ("m", 60)] {
            if left >= size {
                write!(f, "{}{unit}", left / size)?;
                left %= size;
            }
        }
        if left > 0 || self.secs == 0 {
            write!(f, "{left}s")?;
        }
        Ok(())
    }
}

impl FromStr for Interval {
    type Err = ScheduleError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Interval::parse(s)
    }
}

impl Serialize for Interval {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// When a schedule runs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Trigger {
    /// On the local wall clock.
    Cron(CronExpr),
    /// Once.
    At(Timestamp),
    /// Every so much real time, counted from the previous scheduled run (the first run is one interval
    /// after the schedule is made, to the minute).
    Every(Interval),
}

impl Trigger {
    /// `cron`, `at` or `every`.
    pub fn kind(&self) -> &'static str {
        match self {
            Trigger::Cron(_) => "cron",
            Trigger::At(_) => "at",
            Trigger::Every(_) => "every",
        }
    }

    /// What the registry stores beside the kind: the expression, the instant in Unix milliseconds, or
    /// the interval in seconds.
    pub fn spec(&self) -> String {
        match self {
            Trigger::Cron(c) => c.as_str().to_string(),
            Trigger::At(t) => t.as_millisecond().to_string(),
            Trigger::Every(i) => i.as_secs().to_string(),
        }
    }

    /// Reads back what [`Trigger::kind`] and [`Trigger::spec`] stored.
    pub fn from_stored(kind: &str, spec: &str) -> Result<Trigger, String> {
        match kind {
            "cron" => CronExpr::parse(spec)
                .map(Trigger::Cron)
                .map_err(|e| e.to_string()),
            "at" => spec
                .parse::<i64>()
                .ok()
                .and_then(|ms| Timestamp::from_millisecond(ms).ok())
                .map(Trigger::At)
                .ok_or_else(|| format!("'{spec}' is not an instant")),
            "every" => spec
                .parse::<u64>()
                .ok()
                .filter(|s| *s > 0)
                .map(|s| Trigger::Every(Interval::from_secs(s)))
                .ok_or_else(|| format!("'{spec}' is not a number of seconds")),
            other => Err(format!("unknown trigger kind '{other}'")),
        }
    }

    /// The first run of a schedule made (or re-timed) at `now`.
    pub fn first_run(&self, now: Timestamp, tz: &TimeZone) -> Option<Timestamp> {
        match self {
            Trigger::Cron(c) => c.next_after(now, tz),
            Trigger::At(t) => Some(*t),
            // To the whole minute, so the runs read 14:05 rather than 14:05:37.
            Trigger::Every(i) => now
                .checked_add(i.as_signed())
                .ok()
                .and_then(|t| Timestamp::from_second(t.as_second().div_euclid(60) * 60).ok()),
        }
    }

    /// The run that follows one scheduled at `after`.
    pub fn next_after(&self, after: Timestamp, tz: &TimeZone) -> Option<Timestamp> {
        match self {
            Trigger::Cron(c) => c.next_after(after, tz),
            Trigger::At(t) => (*t > after).then_some(*t),
            Trigger::Every(i) => after.checked_add(i.as_signed()).ok(),
        }
    }

    /// The first run strictly after `now` of the series that had a run at `scheduled`. Intervals keep
    /// their cadence (`scheduled + k × interval`); cron and one-shots look at the clock only.
    pub fn next_from(
        &self,
        scheduled: Timestamp,
        now: Timestamp,
        tz: &TimeZone,
    ) -> Option<Timestamp> {
        match self {
            Trigger::Every(i) if scheduled <= now => {
                let step = i128::from(i.as_secs()) * 1_000_000_000;
                let behind = now.as_nanosecond() - scheduled.as_nanosecond();
                let steps = behind / step + 1;
                Timestamp::from_nanosecond(scheduled.as_nanosecond() + steps * step).ok()
            }
            Trigger::Every(_) => Some(scheduled),
            _ => self.next_after(now, tz),
        }
    }
}

/// The next `n` runs strictly after `after` (fewer when the trigger ends, like a one-shot).
pub fn next_runs(trigger: &Trigger, after: Timestamp, tz: &TimeZone, n: usize) -> Vec<Timestamp> {
    let mut runs = Vec::with_capacity(n);
    let mut cursor = after;
    while runs.len() < n {
        match trigger.next_after(cursor, tz) {
            Some(next) if next > cursor => {
                runs.push(next);
                cursor = next;
            }
            _ => break,
        }
    }
    runs
}

/// `--at`: RFC 3339 (`2026-12-01T02:00:00Z`, `…+01:00`), or a local wall-clock time
/// `YYYY-MM-DD HH:MM[:SS]` in `tz`. A local time that happens twice (the fall-back hour) means its
/// first occurrence; one that does not exist (the spring-forward gap) means the first instant after
/// the gap, as for cron. It must be after `now`.
pub fn parse_at(text: &str, now: Timestamp, tz: &TimeZone) -> Result<Timestamp, ScheduleError> {
    let trimmed = text.trim();
    let bad = |reason: String| ScheduleError::BadAt {
        text: text.to_string(),
        reason,
    };
    let at = match trimmed.parse::<Timestamp>() {
        Ok(at) => at,
        Err(_) => {
            let civil_text = match trimmed.split_once(' ') {
                Some((date, time)) => format!("{date}T{}", time.trim()),
                None => trimmed.to_string(),
            };
            let dt: DateTime = civil_text.parse().map_err(|e: jiff::Error| {
                bad(e.to_string().split(':').next().unwrap_or("").to_string())
            })?;
            local_instant_of(dt, tz).map_err(|e| bad(e.to_string()))?
        }
    };
    if at <= now {
        return Err(ScheduleError::AtInPast {
            text: text.to_string(),
            when: super::local_instant(at, tz),
        });
    }
    Ok(at)
}

/// The instant a wall-clock time names in `tz`: the earlier one in a fold, the end of the gap in a gap.
pub(crate) fn local_instant_of(dt: DateTime, tz: &TimeZone) -> Result<Timestamp, jiff::Error> {
    let ambiguous = tz.to_ambiguous_timestamp(dt);
    match ambiguous.offset() {
        AmbiguousOffset::Gap { .. } => {
            let before = ambiguous.earlier()?;
            Ok(tz
                .following(before)
                .next()
                .map(|t| t.timestamp())
                .unwrap_or(before))
        }
        _ => ambiguous.earlier(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{berlin, local, shown, utc};
    use super::*;

    fn cron(text: &str) -> Trigger {
        Trigger::Cron(CronExpr::parse(text).unwrap())
    }

    fn runs(trigger: &Trigger, after: &str, n: usize) -> Vec<String> {
        next_runs(trigger, local(after), &berlin(), n)
            .into_iter()
            .map(shown)
            .collect()
    }

    #[test]
    fn daily_cron_on_the_wall_clock() {
        assert_eq!(
            runs(&cron("0 2 * * *"), "2026-01-10 12:00", 3),
            [
                "2026-01-11 02:00 +01:00",
                "2026-01-12 02:00 +01:00",
                "2026-01-13 02:00 +01:00"
            ]
        );
        // Strictly after: a run at exactly `after` is not repeated.
        assert_eq!(
            runs(&cron("0 2 * * *"), "2026-01-11 02:00", 1),
            ["2026-01-12 02:00 +01:00"]
        );
        // Six fields: seconds first.
        assert_eq!(
            runs(&cron("30 0 2 * * *"), "2026-01-10 12:00", 1),
            ["2026-01-11 02:00 +01:00"]
        );
        assert_eq!(
            next_runs(
                &cron("30 0 2 * * *"),
                local("2026-01-10 12:00"),
                &berlin(),
                1
            )[0],
            utc("2026-01-11T01:00:30Z")
        );
        // Weekdays only.
        assert_eq!(
            runs(&cron("0 9 * * Mon-Fri"), "2026-01-09 10:00", 2), // a Friday
            ["2026-01-12 09:00 +01:00", "2026-01-13 09:00 +01:00"]
        );
    }

    #[test]
    fn a_daily_run_in_the_spring_gap_runs_once_just_after_it() {
        // 2026-03-29: Berlin jumps from 02:00 CET to 03:00 CEST; 02:30 does not exist that day.
        assert_eq!(
            runs(&cron("30 2 * * *"), "2026-03-28 12:00", 3),
            [
                "2026-03-29 03:00 +02:00",
                "2026-03-30 02:30 +02:00",
                "2026-03-31 02:30 +02:00"
            ]
        );
    }

    #[test]
    fn a_daily_run_in_the_repeated_autumn_hour_runs_once() {
        // 2026-10-25: 03:00 CEST goes back to 02:00 CET; 02:30 happens twice. It runs at the first.
        let got = next_runs(&cron("30 2 * * *"), local("2026-10-24 12:00"), &berlin(), 3);
        assert_eq!(
            got.iter().copied().map(shown).collect::<Vec<_>>(),
            [
                "2026-10-25 02:30 +02:00",
                "2026-10-26 02:30 +01:00",
                "2026-10-27 02:30 +01:00"
            ]
        );
        assert_eq!(got[0], utc("2026-10-25T00:30:00Z"));
        // Asked from inside the repeated hour (after the first 02:30), it does not run again that day.
        let second_pass = utc("2026-10-25T01:10:00Z"); // 02:10 CET, the second 02:10
        assert_eq!(
            shown(
                cron("30 2 * * *")
                    .next_after(second_pass, &berlin())
                    .unwrap()
            ),
            "2026-10-26 02:30 +01:00"
        );
    }

    /// Every run is an hour of real time after the previous one: nothing skipped, nothing doubled.
    fn assert_hourly(runs: &[Timestamp]) {
        for pair in runs.windows(2) {
            assert_eq!(
                pair[1].as_second() - pair[0].as_second(),
                3600,
                "{} then {}",
                pair[0],
                pair[1]
            );
        }
    }

    #[test]
    fn an_hourly_job_neither_skips_nor_doubles_across_either_change() {
        let spring = next_runs(&cron("0 * * * *"), local("2026-03-28 23:30"), &berlin(), 6);
        assert_eq!(
            spring.iter().copied().map(shown).collect::<Vec<_>>(),
            [
                "2026-03-29 00:00 +01:00",
                "2026-03-29 01:00 +01:00",
                "2026-03-29 03:00 +02:00",
                "2026-03-29 04:00 +02:00",
                "2026-03-29 05:00 +02:00",
                "2026-03-29 06:00 +02:00"
            ]
        );
        assert_hourly(&spring);
        let autumn = next_runs(&cron("0 * * * *"), local("2026-10-24 23:30"), &berlin(), 6);
        assert_eq!(
            autumn.iter().copied().map(shown).collect::<Vec<_>>(),
            [
                "2026-10-25 00:00 +02:00",
                "2026-10-25 01:00 +02:00",
                "2026-10-25 02:00 +02:00",
                "2026-10-25 02:00 +01:00",
                "2026-10-25 03:00 +01:00",
                "2026-10-25 04:00 +01:00"
            ]
        );
        assert_hourly(&autumn);
    }

    #[test]
    fn intervals_count_real_time() {
        let every = Trigger::Every(Interval::parse("1d").unwrap());
        // Across the spring change, 24 hours later reads an hour later on the clock.
        assert_eq!(
            runs(&every, "2026-03-28 12:00", 2),
            ["2026-03-29 13:00 +02:00", "2026-03-30 13:00 +02:00"]
        );
        let six = Trigger::Every(Interval::parse("6h").unwrap());
        assert_eq!(
            six.first_run(utc("2026-01-01T00:00:00Z"), &berlin()),
            Some(utc("2026-01-01T06:00:00Z"))
        );
        // The cadence is kept after a gap: runs stay on the 6-hour grid of the first one.
        assert_eq!(
            six.next_from(
                utc("2026-01-01T06:00:00Z"),
                utc("2026-01-02T01:00:00Z"),
                &berlin()
            ),
            Some(utc("2026-01-02T06:00:00Z"))
        );
        assert_eq!(
            six.next_from(
                utc("2026-01-01T06:00:00Z"),
                utc("2026-01-01T12:00:00Z"),
                &berlin()
            ),
            Some(utc("2026-01-01T18:00:00Z")),
            "a run exactly now is not the next one"
        );
    }

    #[test]
    fn a_one_shot_runs_once() {
        let at = Trigger::At(utc("2026-05-01T10:00:00Z"));
        assert_eq!(
            next_runs(&at, utc("2026-04-01T00:00:00Z"), &berlin(), 3),
            [utc("2026-05-01T10:00:00Z")]
        );
        assert!(next_runs(&at, utc("2026-05-01T10:00:00Z"), &berlin(), 3).is_empty());
    }

    #[test]
    fn cron_errors_name_the_field() {
        let reason = |text: &str| match CronExpr::parse(text) {
            Err(ScheduleError::BadCron { reason, .. }) => reason,
            other => panic!("{text}: {other:?}"),
        };
        assert!(
            reason("61 * * * *").contains("minute field '61'"),
            "{}",
            reason("61 * * * *")
        );
        assert!(reason("0 25 * * *").contains("hour field '25'"));
        assert!(reason("0 0 0 * *").contains("day-of-month field '0'"));
        assert!(reason("0 0 * 13 *").contains("month field '13'"));
        assert!(reason("0 0 * * Fry").contains("day-of-week field 'Fry'"));
        assert!(reason("70 0 0 * * *").contains("second field '70'"));
        assert!(reason("*/0 * * * *").contains("step of 0"));
        assert!(reason("* * * *").contains("4 field(s)"));
        assert!(reason("* * * * * * *").contains("7 field(s)"));
        assert!(reason("").contains("empty"));
        assert!(reason("0 0 30 2 *").contains("never matches"));
        assert!(reason("@sometimes").contains("nicknames"));
        let ok = CronExpr::parse("  0   2 * *  * ").unwrap();
        assert_eq!(ok.as_str(), "0 2 * * *", "spacing is normalised");
        assert!(CronExpr::parse("@daily").is_ok());
        assert!(CronExpr::parse("*/15 8-18 * * MON-FRI").is_ok());
    }

    #[test]
    fn intervals_parse_and_show() {
        for (text, secs, shown) in [
            ("30m", 1800, "30m"),
            ("6h", 21_600, "6h"),
            ("1d", 86_400, "1d"),
            ("1w", 604_800, "1w"),
            ("1h30m", 5400, "1h30m"),
            ("1h 30m", 5400, "1h30m"),
            ("90s", 90, "1m30s"),
            ("2 hours", 7200, "2h"),
            ("36H", 129_600, "1d12h"),
        ] {
            let interval = Interval::parse(text).unwrap();
            assert_eq!(interval.as_secs(), secs, "{text}");
            assert_eq!(interval.to_string(), shown, "{text}");
            assert_eq!(Interval::parse(shown).unwrap(), interval);
        }
        for (text, why) in [
            ("", "empty"),
            ("30", "needs a unit"),
            ("5x", "'x' is not a unit"),
            ("h", "whole number"),
            ("30s", "minimum of 1 minute"),
            ("-5m", "whole number"),
            ("99999999999999999999m", "too large"),
            ("20y", "'y' is not a unit"),
            ("600w", "10 years"),
        ] {
            let err = Interval::parse(text).unwrap_err().to_string();
            assert!(err.contains(why), "{text}: {err}");
        }
    }

    #[test]
    fn at_reads_rfc3339_or_local_time() {
        let now = utc("2026-01-01T00:00:00Z");
        let tz = berlin();
        assert_eq!(
            parse_at("2026-12-01T02:00:00Z", now, &tz),
            Ok(utc("2026-12-01T02:00:00Z"))
        );
        assert_eq!(
            parse_at("2026-12-01T02:00:00+05:00", now, &tz),
            Ok(utc("2026-11-30T21:00:00Z"))
        );
        assert_eq!(
            parse_at("2026-12-01 02:00", now, &tz),
            Ok(utc("2026-12-01T01:00:00Z")),
            "local Berlin time in winter is UTC+1"
        );
        assert_eq!(
            parse_at("2026-07-01T02:00", now, &tz),
            Ok(utc("2026-07-01T00:00:00Z"))
        );
        // In the spring gap: the end of the gap; in the autumn fold: the first occurrence.
        assert_eq!(
            parse_at("2026-03-29 02:30", now, &tz).map(shown),
            Ok("2026-03-29 03:00 +02:00".to_string())
        );
        assert_eq!(
            parse_at("2026-10-25 02:30", now, &tz).map(shown),
            Ok("2026-10-25 02:30 +02:00".to_string())
        );
        assert!(matches!(
            parse_at("2025-12-31 23:00", now, &tz),
            Err(ScheduleError::AtInPast { .. })
        ));
        for text in ["tomorrow", "2026-13-01 02:00", "2026-12-01 25:00", ""] {
            assert!(
                matches!(parse_at(text, now, &tz), Err(ScheduleError::BadAt { .. })),
                "{text}"
            );
        }
    }

    #[test]
    fn triggers_round_trip_through_storage() {
        for trigger in [
            cron("0 2 * * *"),
            Trigger::At(utc("2026-05-01T10:00:00.250Z")),
            Trigger::Every(Interval::from_secs(90)),
        ] {
            assert_eq!(
                Trigger::from_stored(trigger.kind(), &trigger.spec()),
                Ok(trigger.clone())
            );
        }
        assert!(Trigger::from_stored("cron", "nonsense").is_err());
        assert!(Trigger::from_stored("every", "0").is_err());
        assert!(Trigger::from_stored("sometimes", "1").is_err());
    }
}
