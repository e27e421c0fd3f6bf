//! Bandwidth by time of day: rules like "5 MB/s from 08:00 to 19:00 on weekdays". Where a rule's
//! range holds, its limit applies to every download; where several hold, the lowest limit wins;
//! where none does, the `bandwidth_limit` setting applies. [`active_limit`] also says which rule is
//! in force, so a face can tell why a limit is active.

use std::fmt;

use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::Serialize;

use super::ScheduleError;
use super::window::{Window, next_change};
use crate::settings::{Bandwidth, BandwidthError};

/// One rule: within `window`, downloads go at most at `limit`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct BandwidthRule {
    /// The rule's number in the registry (`None` before it is stored).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    #[serde(flatten)]
    pub window: Window,
    pub limit: Bandwidth,
}

impl BandwidthRule {
    /// `Mon-Fri 08:00-19:00 5M`, `daily 22:00-06:00 unlimited`, `Sat,Sun 00:00-24:00 20MiB`: a
    /// window (see [`Window::parse`]) then a rate as the `bandwidth_limit` setting writes it.
    pub fn parse(text: &str) -> Result<BandwidthRule, ScheduleError> {
        let bad = |reason: String| ScheduleError::BadRule {
            text: text.to_string(),
            reason,
        };
        let trimmed = text.trim();
        let (window, rate) = trimmed
            .rsplit_once(char::is_whitespace)
            .ok_or_else(|| bad("it needs a time range and a rate".into()))?;
        let limit = Bandwidth::parse(rate).map_err(|e| {
            bad(match e {
                BandwidthError::NotARate => {
                    format!("'{rate}' is not a rate (e.g. 5M, 1.5MiB, 500K, or unlimited)")
                }
                BandwidthError::OutOfRange => {
                    format!("'{rate}' is out of range: at least 1K per second, or unlimited")
                }
            })
        })?;
        let window = Window::parse_reason(window).map_err(bad)?;
        if !(window.start.is_whole_minute() && window.end.is_whole_minute()) {
            return Err(bad("a rule's times are whole minutes (HH:MM)".into()));
        }
        Ok(BandwidthRule {
            id: None,
            window,
            limit,
        })
    }

    /// For people: `Mon–Fri 08:00–19:00: 5MB/s`.
    pub fn describe(&self) -> String {
        let rate = match self.limit {
            Bandwidth::Unlimited => "unlimited".to_string(),
            limit => format!("{limit}/s"),
        };
        format!("{}: {rate}", self.window.describe())
    }
}

impl fmt::Display for BandwidthRule {
    /// The form [`BandwidthRule::parse`] reads back.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.window, self.limit)
    }
}

/// Bytes per second, unlimited being the loosest.
fn tightness(limit: Bandwidth) -> u64 {
    limit.bytes_per_sec().unwrap_or(u64::MAX)
}

/// The limit the rules impose at `at`, and the rule that imposes it. `(None, None)`: no rule holds
/// (the setting applies); `(None, Some(rule))`: a rule holds and lifts every limit.
pub fn active_limit<'r>(
    rules: &'r [BandwidthRule],
    at: Timestamp,
    tz: &TimeZone,
) -> (Option<u64>, Option<&'r BandwidthRule>) {
    let rule = rules
        .iter()
        .filter(|r| r.window.contains(at, tz))
        .min_by_key(|r| tightness(r.limit));
    (rule.and_then(|r| r.limit.bytes_per_sec()), rule)
}

/// The next instant after `at` when the limit or the rule behind it changes; `None` when never.
pub fn next_limit_change(
    rules: &[BandwidthRule],
    at: Timestamp,
    tz: &TimeZone,
) -> Option<Timestamp> {
    let state = |t: Timestamp| {
        let (limit, rule) = active_limit(rules, t, tz);
        (limit, rule.map(|r| (r.id, r.window)))
    };
    next_change(rules.iter().map(|r| &r.window), at, tz, state)
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{berlin, local, shown};
    use super::*;

    fn rule(text: &str) -> BandwidthRule {
        BandwidthRule::parse(text).unwrap()
    }

    #[test]
    fn parses_rules() {
        let r = rule("Mon-Fri 08:00-19:00 5M");
        assert_eq!(r.limit, Bandwidth::PerSecond(5_000_000));
        assert_eq!(r.window, Window::parse("Mon-Fri 08:00-19:00").unwrap());
        assert_eq!(r.to_string(), "Mon-Fri 08:00-19:00 5MB");
        assert_eq!(rule(&r.to_string()), r);
        assert_eq!(r.describe(), "Mon–Fri 08:00–19:00: 5MB/s");
        assert_eq!(
            rule("daily 22:00-06:00 unlimited").limit,
            Bandwidth::Unlimited
        );
        assert_eq!(
            rule("Sat,Sun 00:00-24:00 1.5MiB").limit.bytes_per_sec(),
            Some(1_572_864)
        );
        for (text, why) in [
            ("Mon-Fri 08:00-19:00", "'08:00-19:00' is not a rate"),
            ("Mon-Fri 08:00-19:00 fast", "'fast' is not a rate"),
            ("Mon-Fri 08:00-19:00 10", "out of range"),
            ("Mon-Fry 08:00-19:00 5M", "'fry' is not a day"),
            ("5M", "needs a time range"),
        ] {
            let err = BandwidthRule::parse(text).unwrap_err().to_string();
            assert!(err.contains(why), "{text}: {err}");
        }
    }

    #[test]
    fn the_limit_by_time_of_day_and_why() {
        let tz = berlin();
        let rules = [
            BandwidthRule {
                id: Some(1),
                ..rule("Mon-Fri 08:00-19:00 5M")
            },
            BandwidthRule {
                id: Some(2),
                ..rule("Mon-Fri 12:00-13:00 1M")
            },
            BandwidthRule {
                id: Some(3),
                ..rule("Sat,Sun 00:00-24:00 unlimited")
            },
        ];
        // Monday 2026-01-12.
        let at = |t: &str| active_limit(&rules, local(t), &tz);
        assert_eq!(
            at("2026-01-12 07:59"),
            (None, None),
            "no rule: the setting applies"
        );
        assert_eq!(at("2026-01-12 08:00"), (Some(5_000_000), Some(&rules[0])));
        assert_eq!(
            at("2026-01-12 12:30"),
            (Some(1_000_000), Some(&rules[1])),
            "the lower of two limits wins"
        );
        assert_eq!(at("2026-01-12 19:00"), (None, None));
        assert_eq!(
            at("2026-01-17 10:00"),
            (None, Some(&rules[2])),
            "a rule may lift the limit"
        );

        let next = |t: &str| next_limit_change(&rules, local(t), &tz).map(shown);
        assert_eq!(
            next("2026-01-12 07:00").as_deref(),
            Some("2026-01-12 08:00 +01:00")
        );
        assert_eq!(
            next("2026-01-12 09:00").as_deref(),
            Some("2026-01-12 12:00 +01:00")
        );
        assert_eq!(
            next("2026-01-12 12:10").as_deref(),
            Some("2026-01-12 13:00 +01:00")
        );
        assert_eq!(
            next("2026-01-12 13:10").as_deref(),
            Some("2026-01-12 19:00 +01:00")
        );
        // Friday evening: the weekend rule starts at midnight.
        assert_eq!(
            next("2026-01-16 20:00").as_deref(),
            Some("2026-01-17 00:00 +01:00")
        );
        assert_eq!(
            next("2026-01-17 10:00").as_deref(),
            Some("2026-01-19 00:00 +01:00")
        );
        assert_eq!(next_limit_change(&[], local("2026-01-17 10:00"), &tz), None);
    }

    #[test]
    fn limits_follow_the_wall_clock_across_dst() {
        let tz = berlin();
        let rules = [rule("daily 08:00-19:00 5M")];
        // The spring-change Sunday: the limit still starts at 08:00 on the clock, which is CEST now.
        assert_eq!(
            next_limit_change(&rules, local("2026-03-29 01:00"), &tz)
                .map(shown)
                .as_deref(),
            Some("2026-03-29 08:00 +02:00")
        );
        assert_eq!(
            next_limit_change(&rules, local("2026-10-25 01:00"), &tz)
                .map(shown)
                .as_deref(),
            Some("2026-10-25 08:00 +01:00")
        );
        assert_eq!(
            active_limit(&rules, local("2026-10-25 08:00"), &tz).0,
            Some(5_000_000)
        );
    }
}
