//! Schedules in words, for `haul schedule list` and the app: "every night at 02:00", "in 3 hours",
//! "Mon–Fri 01:00–06:00", and instants as a local clock reads them with their UTC offset.

use jiff::Timestamp;
use jiff::tz::TimeZone;

use super::window::{DaySet, Window};
use super::{Policy, Trigger};

/// `2026-12-01 02:00 +01:00` (seconds shown only when not zero).
pub fn local_instant(at: Timestamp, tz: &TimeZone) -> String {
    let zoned = at.to_zoned(tz.clone());
    let format = if zoned.second() == 0 {
        "%Y-%m-%d %H:%M %:z"
    } else {
        "%Y-%m-%d %H:%M:%S %:z"
    };
    zoned.strftime(format).to_string()
}

fn plural(n: i64, unit: &str) -> String {
    if n == 1 {
        format!("1 {unit}")
    } else {
        format!("{n} {unit}s")
    }
}

/// How far `at` is from `now`: "in 3 hours", "in 2 days", "5 minutes ago", "in under a minute".
pub fn relative(now: Timestamp, at: Timestamp) -> String {
    let secs = at.as_second() - now.as_second();
    let ahead = secs >= 0;
    let abs = secs.abs();
    if abs < 60 {
        return if ahead {
            "in under a minute".into()
        } else {
            "just now".into()
        };
    }
    let rounded = |unit: i64| (abs + unit / 2) / unit;
    let amount = if abs < 90 * 60 {
        plural(rounded(60), "minute")
    } else if abs < 36 * 3600 {
        plural(rounded(3600), "hour")
    } else {
        plural(rounded(86_400), "day")
    };
    if ahead {
        format!("in {amount}")
    } else {
        format!("{amount} ago")
    }
}

/// "Mon–Fri 01:00–06:00; Sat, Sun 00:00–24:00", or "any time" without windows.
pub fn describe_windows(windows: &[Window]) -> String {
    if windows.is_empty() {
        return "any time".into();
    }
    windows
        .iter()
        .map(Window::describe)
        .collect::<Vec<_>>()
        .join("; ")
}

pub fn describe_policy(policy: &Policy) -> String {
    match policy {
        Policy::Download => "download".into(),
        Policy::Sync { keep: None } => "sync (fetch when the commit changes)".into(),
        Policy::Sync { keep: Some(1) } => "sync, keep only the newest revision".into(),
        Policy::Sync { keep: Some(n) } => format!("sync, keep the newest {n} revisions"),
    }
}

/// "every night at 02:00", "every 15 minutes", "at 09:00 on Mon–Fri", "once, at 2026-12-01 02:00
/// +01:00", "every 6 hours"; an expression with no plain reading is named as it is.
pub fn describe_trigger(trigger: &Trigger, tz: &TimeZone) -> String {
    match trigger {
        Trigger::At(t) => format!("once, at {}", local_instant(*t, tz)),
        Trigger::Every(i) => {
            let secs = i.as_secs();
            for (unit, size) in [
                ("week", 604_800),
                ("day", 86_400),
                ("hour", 3600),
                ("minute", 60),
                ("second", 1),
            ] {
                if secs % size == 0 {
                    let n = (secs / size) as i64;
                    return if n == 1 {
                        format!("every {unit}")
                    } else {
                        format!("every {}", plural(n, unit))
                    };
                }
            }
            format!("every {i}")
        }
        Trigger::Cron(c) => {
            describe_cron(c.as_str()).unwrap_or_else(|| format!("on cron '{}'", c.as_str()))
        }
    }
}

fn number(field: &str, max: u32) -> Option<u32> {
    field.parse().ok().filter(|n| *n <= max)
}

fn step(field: &str) -> Option<u32> {
    field.strip_prefix("*/")?.parse().ok().filter(|n| *n > 0)
}

/// Cron day-of-week (`1-5`, `MON-FRI`, `0,6`, `7` = Sunday) as days.
fn cron_days(field: &str) -> Option<DaySet> {
    let names = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
    let index = |s: &str| -> Option<u8> {
        let lower = s.to_ascii_lowercase();
        let n = match lower.parse::<u8>() {
            Ok(n) if n <= 7 => n % 7,
            Ok(_) => return None,
            Err(_) => names.iter().position(|d| *d == lower)? as u8,
        };
        // Cron counts from Sunday = 0; the set from Monday = bit 0.
        Some((n + 6) % 7)
    };
    let mut bits = 0u8;
    for part in field.split(',') {
        let (a, b) = match part.split_once('-') {
            Some((a, b)) => (index(a)?, index(b)?),
            None => (index(part)?, index(part)?),
        };
        let mut i = a;
        loop {
            bits |= 1 << i;
            if i == b {
                break;
            }
            i = (i + 1) % 7;
        }
    }
    DaySet::from_bits(bits)
}

fn describe_cron(expr: &str) -> Option<String> {
    let expanded = match expr {
        "@hourly" => "0 * * * *",
        "@daily" | "@midnight" => "0 0 * * *",
        "@weekly" => "0 0 * * 0",
        "@monthly" => "0 0 1 * *",
        "@yearly" | "@annually" => "0 0 1 1 *",
        other => other,
    };
    let mut fields: Vec<&str> = expanded.split_whitespace().collect();
    if fields.len() == 6 {
        if fields[0] != "0" {
            return None;
        }
        fields.remove(0);
    }
    let [minute, hour, dom, month, dow] = fields[..] else {
        return None;
    };
    let every_day = dom == "*" && month == "*" && dow == "*";
    let clock = |h: u32, m: u32| format!("{h:02}:{m:02}");
    match (number(minute, 59), number(hour, 23)) {
        (Some(m), Some(h)) if every_day => Some(if h < 6 {
            format!("every night at {}", clock(h, m))
        } else {
            format!("every day at {}", clock(h, m))
        }),
        (Some(m), Some(h)) if dom == "*" && month == "*" => {
            let days = cron_days(dow)?;
            Some(format!(
                "at {} on {}",
                clock(h, m),
                days.to_string().replace('-', "–").replace(',', ", ")
            ))
        }
        (Some(m), Some(h)) if month == "*" && dow == "*" => {
            let day = number(dom, 31).filter(|d| *d >= 1)?;
            Some(format!("monthly on day {day} at {}", clock(h, m)))
        }
        (Some(m), None) if hour == "*" && every_day => Some(format!("every hour at :{m:02}")),
        (Some(m), None) if every_day => {
            let n = step(hour)?;
            Some(format!("every {n} hours at :{m:02}"))
        }
        (None, None) if hour == "*" && every_day => {
            if minute == "*" {
                Some("every minute".into())
            } else {
                let n = step(minute)?;
                Some(format!("every {n} minutes"))
            }
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{berlin, utc};
    use super::super::{CronExpr, Interval};
    use super::*;

    fn cron_words(expr: &str) -> String {
        describe_trigger(&Trigger::Cron(CronExpr::parse(expr).unwrap()), &berlin())
    }

    #[test]
    fn triggers_in_words() {
        assert_eq!(cron_words("0 2 * * *"), "every night at 02:00");
        assert_eq!(cron_words("0 0 2 * * *"), "every night at 02:00");
        assert_eq!(cron_words("30 18 * * *"), "every day at 18:30");
        assert_eq!(cron_words("0 9 * * 1-5"), "at 09:00 on Mon–Fri");
        assert_eq!(cron_words("0 9 * * sat,sun"), "at 09:00 on Sat, Sun");
        assert_eq!(cron_words("0 9 * * 0"), "at 09:00 on Sun");
        assert_eq!(cron_words("15 * * * *"), "every hour at :15");
        assert_eq!(cron_words("0 */6 * * *"), "every 6 hours at :00");
        assert_eq!(cron_words("*/15 * * * *"), "every 15 minutes");
        assert_eq!(cron_words("0 3 1 * *"), "monthly on day 1 at 03:00");
        assert_eq!(cron_words("@daily"), "every night at 00:00");
        assert_eq!(cron_words("5 4 * 2 *"), "on cron '5 4 * 2 *'");
        assert_eq!(cron_words("*/10 * * * * *"), "on cron '*/10 * * * * *'");
        let every =
            |t: &str| describe_trigger(&Trigger::Every(Interval::parse(t).unwrap()), &berlin());
        assert_eq!(every("6h"), "every 6 hours");
        assert_eq!(every("1d"), "every day");
        assert_eq!(every("90m"), "every 90 minutes");
        assert_eq!(every("1w"), "every week");
        assert_eq!(
            describe_trigger(&Trigger::At(utc("2026-12-01T01:00:00Z")), &berlin()),
            "once, at 2026-12-01 02:00 +01:00"
        );
    }

    #[test]
    fn distances_in_words() {
        let now = utc("2026-01-01T00:00:00Z");
        let at = |s: i64| relative(now, Timestamp::from_second(now.as_second() + s).unwrap());
        assert_eq!(at(30), "in under a minute");
        assert_eq!(at(60), "in 1 minute");
        assert_eq!(at(45 * 60), "in 45 minutes");
        assert_eq!(at(3 * 3600), "in 3 hours");
        assert_eq!(at(3 * 3600 + 20 * 60), "in 3 hours");
        assert_eq!(at(30 * 3600), "in 30 hours");
        assert_eq!(at(3 * 86_400), "in 3 days");
        assert_eq!(at(-300), "5 minutes ago");
        assert_eq!(at(-10), "just now");
    }

    #[test]
    fn instants_with_their_offset() {
        assert_eq!(
            local_instant(utc("2026-07-01T00:00:00Z"), &berlin()),
            "2026-07-01 02:00 +02:00"
        );
        assert_eq!(
            local_instant(utc("2026-01-01T00:00:07Z"), &berlin()),
            "2026-01-01 01:00:07 +01:00"
        );
        assert_eq!(
            describe_windows(&[
                Window::parse("Mon-Fri 01:00-06:00").unwrap(),
                Window::parse("Sat,Sun 00:00-24:00").unwrap()
            ]),
            "Mon–Fri 01:00–06:00; Sat, Sun 00:00–24:00"
        );
        assert_eq!(describe_windows(&[]), "any time");
    }
}
