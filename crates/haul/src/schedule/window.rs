//! Weekly time ranges on the local wall clock: a schedule's allowed windows ("Mon-Fri 01:00-06:00")
//! and the ranges of bandwidth rules. A range starts on one of its days at `start` and lasts until
//! `end`; an `end` before `start` crosses midnight (`Fri 22:00-06:00` ends on Saturday at 06:00), and
//! `24:00` is the end of the day. Minute precision as people write it (`HH:MM`); seconds may be given
//! (`HH:MM:SS`) for windows measured in seconds, as demos and tests need. All functions take the
//! instant and the zone.

use std::fmt;
use std::str::FromStr;

use jiff::civil::{Date, DateTime, Weekday};
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use serde::{Serialize, Serializer};

use super::ScheduleError;
use super::trigger::local_instant_of;

const DAY_NAMES: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const LONG_NAMES: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// A set of days of the week.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct DaySet(u8);

impl fmt::Debug for DaySet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DaySet({self})")
    }
}

fn day_index(day: Weekday) -> usize {
    day.to_monday_zero_offset() as usize
}

impl DaySet {
    pub const ALL: DaySet = DaySet(0x7f);
    pub const WEEKDAYS: DaySet = DaySet(0x1f);
    pub const WEEKEND: DaySet = DaySet(0x60);

    /// From a bit mask: bit 0 is Monday … bit 6 Sunday.
    pub fn from_bits(bits: u8) -> Option<DaySet> {
        (bits != 0 && bits <= 0x7f).then_some(DaySet(bits))
    }

    pub fn bits(self) -> u8 {
        self.0
    }

    pub fn contains(self, day: Weekday) -> bool {
        self.0 & (1 << day_index(day)) != 0
    }

    /// `Mon-Fri`, `Sat,Sun`, `daily`, `weekdays`, `Mon,Wed-Fri`, `Fri-Mon`; names short or long, any case.
    pub fn parse(text: &str) -> Result<DaySet, String> {
        let lower = text.trim().to_ascii_lowercase();
        match lower.as_str() {
            "" | "daily" | "every day" | "everyday" | "all" => return Ok(DaySet::ALL),
            "weekdays" => return Ok(DaySet::WEEKDAYS),
            "weekends" | "weekend" => return Ok(DaySet::WEEKEND),
            _ => {}
        }
        let mut bits = 0u8;
        for part in lower
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|p| !p.is_empty())
        {
            let (first, last) = match part.split_once(['-', '–']) {
                Some((a, b)) => (day(a)?, day(b)?),
                None => (day(part)?, day(part)?),
            };
            let mut i = first;
            loop {
                bits |= 1 << i;
                if i == last {
                    break;
                }
                i = (i + 1) % 7;
            }
        }
        Ok(DaySet(bits))
    }
}

fn day(text: &str) -> Result<usize, String> {
    let t = text.trim();
    DAY_NAMES
        .iter()
        .position(|d| d.eq_ignore_ascii_case(t))
        .or_else(|| LONG_NAMES.iter().position(|d| *d == t))
        .ok_or_else(|| {
            format!(
                "'{text}' is not a day (Mon, Tue, Wed, Thu, Fri, Sat, Sun; or daily, weekdays, weekends)"
            )
        })
}

impl fmt::Display for DaySet {
    /// Runs of three or more days as ranges: `Mon-Fri`, `Sat,Sun`, `Mon,Wed-Fri`; `daily` for all.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if *self == DaySet::ALL {
            return f.write_str("daily");
        }
        let mut parts = Vec::new();
        let mut i = 0;
        while i < 7 {
            if self.0 & (1 << i) == 0 {
                i += 1;
                continue;
            }
            let start = i;
            while i + 1 < 7 && self.0 & (1 << (i + 1)) != 0 {
                i += 1;
            }
            match i - start {
                0 => parts.push(DAY_NAMES[start].to_string()),
                1 => {
                    parts.push(DAY_NAMES[start].to_string());
                    parts.push(DAY_NAMES[i].to_string());
                }
                _ => parts.push(format!("{}-{}", DAY_NAMES[start], DAY_NAMES[i])),
            }
            i += 1;
        }
        f.write_str(&parts.join(","))
    }
}

impl Serialize for DaySet {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// A time of day in seconds, `00:00` to `24:00` (the end of the day).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TimeOfDay(u32);

const DAY_SECONDS: u32 = 86_400;

impl TimeOfDay {
    pub const MIDNIGHT: TimeOfDay = TimeOfDay(0);
    pub const END_OF_DAY: TimeOfDay = TimeOfDay(DAY_SECONDS);

    pub fn from_minutes(minutes: u16) -> Option<TimeOfDay> {
        TimeOfDay::from_seconds(u32::from(minutes) * 60)
    }

    pub fn from_seconds(seconds: u32) -> Option<TimeOfDay> {
        (seconds <= DAY_SECONDS).then_some(TimeOfDay(seconds))
    }

    /// The minute of the day (seconds dropped).
    pub fn minutes(self) -> u16 {
        (self.0 / 60) as u16
    }

    pub fn seconds(self) -> u32 {
        self.0
    }

    /// Whether it falls on a whole minute (`HH:MM`).
    pub fn is_whole_minute(self) -> bool {
        self.0.is_multiple_of(60)
    }

    /// `HH:MM`, `H:MM` or `HH:MM:SS`, from `00:00` to `24:00`.
    pub fn parse(text: &str) -> Result<TimeOfDay, String> {
        let bad = || format!("'{text}' is not a time of day (HH:MM, from 00:00 to 24:00)");
        let parts: Vec<&str> = text.trim().split(':').collect();
        let digits = |s: &str, len: std::ops::RangeInclusive<usize>| {
            len.contains(&s.len()) && s.chars().all(|c| c.is_ascii_digit())
        };
        let (h, m, s) = match parts.as_slice() {
            [h, m] => (*h, *m, "00"),
            [h, m, s] => (*h, *m, *s),
            _ => return Err(bad()),
        };
        if !digits(h, 1..=2) || !digits(m, 2..=2) || !digits(s, 2..=2) {
            return Err(bad());
        }
        let number = |t: &str| t.parse::<u32>().map_err(|_| bad());
        let (h, m, s) = (number(h)?, number(m)?, number(s)?);
        if m > 59 || s > 59 || h > 24 || (h == 24 && (m, s) != (0, 0)) {
            return Err(bad());
        }
        Ok(TimeOfDay(h * 3600 + m * 60 + s))
    }

    fn at(self, date: Date) -> DateTime {
        if self.0 >= DAY_SECONDS {
            date.tomorrow().unwrap_or(date).at(0, 0, 0, 0)
        } else {
            date.at(
                (self.0 / 3600) as i8,
                (self.0 / 60 % 60) as i8,
                (self.0 % 60) as i8,
                0,
            )
        }
    }
}

impl fmt::Display for TimeOfDay {
    /// `HH:MM`, or `HH:MM:SS` when it does not fall on a whole minute.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.0 / 3600, self.0 / 60 % 60)?;
        if !self.is_whole_minute() {
            write!(f, ":{:02}", self.0 % 60)?;
        }
        Ok(())
    }
}

impl Serialize for TimeOfDay {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// A weekly range of local time: on each of `days`, from `start` until `end` (the next day when
/// `end` is before `start`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Window {
    pub days: DaySet,
    pub start: TimeOfDay,
    pub end: TimeOfDay,
}

impl Window {
    /// The whole week.
    pub const ALWAYS: Window = Window {
        days: DaySet::ALL,
        start: TimeOfDay::MIDNIGHT,
        end: TimeOfDay::END_OF_DAY,
    };

    pub fn new(days: DaySet, start: TimeOfDay, end: TimeOfDay) -> Result<Window, String> {
        if start == end {
            return Err("the range is empty (start and end are the same); write 00:00-24:00 for the whole day".into());
        }
        if start == TimeOfDay::END_OF_DAY {
            return Err("a range cannot start at 24:00; write 00:00".into());
        }
        if days.0 == 0 {
            return Err("no day given".into());
        }
        Ok(Window { days, start, end })
    }

    /// `Mon-Fri 01:00-06:00`, `Sat,Sun 00:00-24:00`, `daily 22:00-06:00`, or just `22:00-06:00`.
    pub fn parse(text: &str) -> Result<Window, ScheduleError> {
        Window::parse_reason(text).map_err(|reason| ScheduleError::BadWindow {
            text: text.to_string(),
            reason,
        })
    }

    pub(crate) fn parse_reason(text: &str) -> Result<Window, String> {
        let trimmed = text.trim();
        let (days, range) = match trimmed.rsplit_once(char::is_whitespace) {
            Some((days, range)) => (days, range),
            None => ("", trimmed),
        };
        if range.is_empty() {
            return Err("it is empty".into());
        }
        let (start, end) = range
            .split_once(['-', '–'])
            .ok_or_else(|| format!("'{range}' is not a time range (HH:MM-HH:MM)"))?;
        let start = TimeOfDay::parse(start)?;
        let end = TimeOfDay::parse(end)?;
        Window::new(DaySet::parse(days)?, start, end)
    }

    pub fn crosses_midnight(&self) -> bool {
        self.end < self.start
    }

    /// Whether this local day and second of the day (0–86399) is inside.
    fn contains_local(&self, day: Weekday, second: u32) -> bool {
        if self.crosses_midnight() {
            (self.days.contains(day) && second >= self.start.0)
                || (self.days.contains(day.previous()) && second < self.end.0)
        } else {
            self.days.contains(day) && self.start.0 <= second && second < self.end.0
        }
    }

    /// Whether `at` falls inside, on the wall clock of `tz`.
    pub fn contains(&self, at: Timestamp, tz: &TimeZone) -> bool {
        let (day, second) = local_day_second(at, tz);
        self.contains_local(day, second)
    }

    /// For people: `Mon–Fri 01:00–06:00`.
    pub fn describe(&self) -> String {
        let days = self.days.to_string().replace('-', "–").replace(',', ", ");
        format!("{days} {}–{}", self.start, self.end)
    }

    /// The local date-times where this range begins or ends, for ranges starting on `date`.
    fn edges(&self, date: Date) -> Vec<DateTime> {
        if !self.days.contains(date.weekday()) {
            return Vec::new();
        }
        let end_date = if self.crosses_midnight() {
            date.tomorrow().unwrap_or(date)
        } else {
            date
        };
        vec![self.start.at(date), self.end.at(end_date)]
    }
}

impl fmt::Display for Window {
    /// The form [`Window::parse`] reads back: `Mon-Fri 01:00-06:00`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}-{}", self.days, self.start, self.end)
    }
}

impl FromStr for Window {
    type Err = ScheduleError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Window::parse(s)
    }
}

fn local_day_second(at: Timestamp, tz: &TimeZone) -> (Weekday, u32) {
    let dt = tz.to_datetime(at);
    (
        dt.weekday(),
        dt.hour() as u32 * 3600 + dt.minute() as u32 * 60 + dt.second() as u32,
    )
}

/// Whether a schedule with these windows may transfer at `at`: inside any of them, or always when
/// there are none.
pub fn in_window(windows: &[Window], at: Timestamp, tz: &TimeZone) -> bool {
    windows.is_empty() || windows.iter().any(|w| w.contains(at, tz))
}

/// The next instant after `at` when [`in_window`] changes its answer; `None` when it never does
/// (no windows, or windows covering the whole week).
pub fn next_window_change(windows: &[Window], at: Timestamp, tz: &TimeZone) -> Option<Timestamp> {
    next_change(windows.iter(), at, tz, |t| in_window(windows, t, tz))
}

/// The first instant after `at` where `state` differs from `state(at)`, given the ranges it depends on.
/// The state only changes where a range begins or ends, or where the clock jumps (a DST change), so
/// those instants over the next eight days are the candidates, checked in order.
pub(crate) fn next_change<'a, K: PartialEq>(
    ranges: impl Iterator<Item = &'a Window>,
    at: Timestamp,
    tz: &TimeZone,
    state: impl Fn(Timestamp) -> K,
) -> Option<Timestamp> {
    const HORIZON_DAYS: i64 = 8;
    let today = tz.to_datetime(at).date();
    let horizon = at.checked_add((HORIZON_DAYS * 24).hours()).ok()?;
    let mut candidates: Vec<Timestamp> = Vec::new();
    let ranges: Vec<&Window> = ranges.collect();
    for offset in -1..=HORIZON_DAYS {
        let Ok(date) = today.checked_add(offset.days()) else {
            continue;
        };
        for range in &ranges {
            for edge in range.edges(date) {
                let ambiguous = tz.to_ambiguous_timestamp(edge);
                // Both instants of a repeated wall-clock time; the end of the gap for a skipped one.
                candidates.extend(ambiguous.earlier().ok());
                candidates.extend(ambiguous.later().ok());
                candidates.extend(local_instant_of(edge, tz).ok());
            }
        }
    }
    candidates.extend(
        tz.following(at)
            .map(|t| t.timestamp())
            .take_while(|t| *t <= horizon),
    );
    candidates.retain(|t| *t > at && *t <= horizon);
    candidates.sort();
    candidates.dedup();
    let now = state(at);
    candidates.into_iter().find(|t| state(*t) != now)
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{berlin, local, shown, utc};
    use super::*;

    fn w(text: &str) -> Window {
        Window::parse(text).unwrap()
    }

    #[test]
    fn parses_days_and_ranges() {
        assert_eq!(w("Mon-Fri 01:00-06:00").days, DaySet::WEEKDAYS);
        assert_eq!(w("Sat,Sun 00:00-24:00").days, DaySet::WEEKEND);
        assert_eq!(w("Sat, Sun 00:00-24:00").days, DaySet::WEEKEND);
        assert_eq!(w("daily 22:00-06:00").days, DaySet::ALL);
        assert_eq!(w("22:00-06:00").days, DaySet::ALL);
        assert_eq!(w("weekends 9:00-12:00").start.minutes(), 540);
        assert_eq!(
            w("Fri-Mon 10:00-11:00").to_string(),
            "Mon,Fri-Sun 10:00-11:00"
        );
        assert_eq!(
            w("monday,WED-fri 10:00–11:00").to_string(),
            "Mon,Wed-Fri 10:00-11:00"
        );
        for text in [
            "Mon-Fri 01:00-06:00",
            "Sat,Sun 00:00-24:00",
            "daily 22:00-06:00",
            "Mon,Wed 10:30-10:45",
        ] {
            assert_eq!(w(text).to_string(), text);
            assert_eq!(w(&w(text).to_string()), w(text));
        }
        // Seconds, for windows measured in seconds; shown only when given.
        let short = w("daily 10:00:05-10:00:20");
        assert_eq!(
            (short.start.seconds(), short.end.seconds()),
            (36_005, 36_020)
        );
        assert_eq!(short.to_string(), "daily 10:00:05-10:00:20");
        assert_eq!(w("daily 10:00:00-11:00").to_string(), "daily 10:00-11:00");
        assert!(Window::parse("Mon 10:00:60-11:00").is_err());
        assert!(Window::parse("Mon 24:00:01-11:00").is_err());
        assert_eq!(w("Mon-Fri 01:00-06:00").describe(), "Mon–Fri 01:00–06:00");
        for (text, why) in [
            ("Mon-Fry 01:00-06:00", "'fry' is not a day"),
            ("Mon 25:00-06:00", "'25:00' is not a time of day"),
            ("Mon 01:60-06:00", "not a time of day"),
            ("Mon 01:00", "not a time range"),
            ("Mon 05:00-05:00", "empty"),
            ("Mon 24:00-05:00", "cannot start at 24:00"),
            ("", "empty"),
        ] {
            let err = Window::parse(text).unwrap_err().to_string();
            assert!(err.contains(why), "{text}: {err}");
        }
    }

    #[test]
    fn inside_and_outside() {
        let tz = berlin();
        let nights = [w("Mon-Fri 01:00-06:00")];
        // 2026-01-12 is a Monday.
        assert!(in_window(&nights, local("2026-01-12 01:00"), &tz));
        assert!(in_window(&nights, local("2026-01-12 05:59"), &tz));
        assert!(
            !in_window(&nights, local("2026-01-12 06:00"), &tz),
            "the end is outside"
        );
        assert!(!in_window(&nights, local("2026-01-12 00:59"), &tz));
        assert!(
            !in_window(&nights, local("2026-01-17 02:00"), &tz),
            "Saturday"
        );
        assert!(
            in_window(&[], local("2026-01-17 02:00"), &tz),
            "no windows: any time"
        );

        let late = [w("Fri 22:00-06:00")];
        assert!(
            in_window(&late, local("2026-01-16 23:00"), &tz),
            "Friday night"
        );
        assert!(
            in_window(&late, local("2026-01-17 05:00"), &tz),
            "into Saturday morning"
        );
        assert!(
            !in_window(&late, local("2026-01-17 23:00"), &tz),
            "not Saturday night"
        );
        assert!(
            !in_window(&late, local("2026-01-16 05:00"), &tz),
            "not Friday morning"
        );

        let seconds = [w("Mon 10:00:05-10:00:20")];
        assert!(!in_window(&seconds, utc("2026-01-12T09:00:04Z"), &tz));
        assert!(in_window(&seconds, utc("2026-01-12T09:00:05Z"), &tz));
        assert!(in_window(&seconds, utc("2026-01-12T09:00:19Z"), &tz));
        assert!(!in_window(&seconds, utc("2026-01-12T09:00:20Z"), &tz));
        assert_eq!(
            next_window_change(&seconds, utc("2026-01-12T09:00:06Z"), &tz),
            Some(utc("2026-01-12T09:00:20Z"))
        );

        let all_day = [w("Sat,Sun 00:00-24:00")];
        assert!(in_window(&all_day, local("2026-01-17 00:00"), &tz));
        assert!(in_window(&all_day, local("2026-01-18 23:59"), &tz));
        assert!(!in_window(&all_day, local("2026-01-19 00:00"), &tz));
    }

    #[test]
    fn when_the_answer_next_changes() {
        let tz = berlin();
        let nights = [w("Mon-Fri 01:00-06:00")];
        let change = |at: &str| next_window_change(&nights, local(at), &tz).map(shown);
        assert_eq!(
            change("2026-01-12 12:00").as_deref(),
            Some("2026-01-13 01:00 +01:00")
        );
        assert_eq!(
            change("2026-01-13 03:00").as_deref(),
            Some("2026-01-13 06:00 +01:00")
        );
        // Friday after the window: the next one opens on Monday.
        assert_eq!(
            change("2026-01-16 07:00").as_deref(),
            Some("2026-01-19 01:00 +01:00")
        );
        // Adjacent windows make one long one.
        let joined = [w("Mon 20:00-24:00"), w("Tue 00:00-02:00")];
        assert_eq!(
            next_window_change(&joined, local("2026-01-12 21:00"), &tz)
                .map(shown)
                .as_deref(),
            Some("2026-01-13 02:00 +01:00")
        );
        assert_eq!(
            next_window_change(&[], local("2026-01-12 21:00"), &tz),
            None
        );
        assert_eq!(
            next_window_change(&[Window::ALWAYS], local("2026-01-12 21:00"), &tz),
            None
        );
    }

    #[test]
    fn windows_across_the_spring_change() {
        let tz = berlin();
        // 2026-03-29 (Sunday): 02:00 CET becomes 03:00 CEST.
        let night = [w("daily 01:00-04:00")];
        let change = |at: Timestamp| next_window_change(&night, at, &tz).map(shown);
        assert_eq!(
            change(local("2026-03-29 00:30")).as_deref(),
            Some("2026-03-29 01:00 +01:00")
        );
        // Opened at 01:00 CET, it closes at 04:00 CEST: two hours of real time that night.
        assert_eq!(
            change(local("2026-03-29 01:30")).as_deref(),
            Some("2026-03-29 04:00 +02:00")
        );
        assert!(
            in_window(&night, utc("2026-03-29T01:30:00Z"), &tz),
            "03:30 CEST"
        );
        // A window wholly inside the missing hour never opens that day.
        let gap = [w("Sun 02:00-02:59")];
        assert_eq!(
            next_window_change(&gap, local("2026-03-29 00:00"), &tz)
                .map(shown)
                .as_deref(),
            Some("2026-04-05 02:00 +02:00")
        );
        // One that ends inside the gap closes at the jump.
        let ends_in_gap = [w("Sun 01:00-02:30")];
        assert_eq!(
            next_window_change(&ends_in_gap, local("2026-03-29 01:10"), &tz)
                .map(shown)
                .as_deref(),
            Some("2026-03-29 03:00 +02:00")
        );
    }

    #[test]
    fn windows_across_the_autumn_change() {
        let tz = berlin();
        // 2026-10-25 (Sunday): 03:00 CEST becomes 02:00 CET; 02:00-03:00 happens twice.
        let until_half_past_two = [w("Sun 00:00-02:30")];
        let first_0230 = utc("2026-10-25T00:30:00Z");
        let clocks_back = utc("2026-10-25T01:00:00Z");
        let second_0230 = utc("2026-10-25T01:30:00Z");
        let at = local("2026-10-25 01:00");
        assert_eq!(
            next_window_change(&until_half_past_two, at, &tz),
            Some(first_0230)
        );
        // The clock going back to 02:00 re-enters the window, until 02:30 comes round again.
        assert_eq!(
            next_window_change(&until_half_past_two, first_0230, &tz),
            Some(clocks_back)
        );
        assert!(in_window(&until_half_past_two, clocks_back, &tz));
        assert_eq!(
            next_window_change(&until_half_past_two, clocks_back, &tz),
            Some(second_0230)
        );
    }
}
