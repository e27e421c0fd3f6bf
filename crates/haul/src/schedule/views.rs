//! What the faces show and what a run returns: a schedule with its next runs in words and as
//! instants, the bandwidth limit in force and why, and the outcome of running a schedule once.

use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::Serialize;

use super::{
    BandwidthRule, LastResult, Schedule, describe_policy, describe_trigger, describe_windows,
    local_instant, next_runs, relative,
};
use crate::facade::DownloadReport;
use crate::settings::Bandwidth;
use crate::transfer::Control;

/// One upcoming run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Upcoming {
    /// The instant (RFC 3339, UTC).
    pub at: Timestamp,
    /// As the local clock reads it, with its offset: `2026-12-01 02:00 +01:00`.
    pub local: String,
    /// `in 3 hours`, or `5 minutes ago` when overdue.
    pub words: String,
}

impl Upcoming {
    pub fn new(at: Timestamp, now: Timestamp, tz: &TimeZone) -> Upcoming {
        Upcoming {
            at,
            local: local_instant(at, tz),
            words: relative(now, at),
        }
    }
}

/// A schedule as `haul schedule list|show` and the app show it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ScheduleInfo {
    #[serde(flatten)]
    pub schedule: Schedule,
    /// `org/name@main`.
    pub label: String,
    /// The trigger in words: `every night at 02:00`.
    pub when: String,
    pub policy_words: String,
    /// `Mon–Fri 01:00–06:00`, or `any time`.
    pub windows_words: String,
    /// The next runs (none while paused, or when there is none left).
    pub upcoming: Vec<Upcoming>,
    /// The zone the wall-clock rules are read in.
    pub zone: String,
}

impl ScheduleInfo {
    /// With up to `n` upcoming runs: the stored next run, then the trigger's following ones.
    pub fn new(schedule: Schedule, now: Timestamp, tz: &TimeZone, n: usize) -> ScheduleInfo {
        let mut upcoming = Vec::new();
        if let (false, Some(first)) = (schedule.paused, schedule.next_run) {
            upcoming.push(Upcoming::new(first, now, tz));
            upcoming.extend(
                next_runs(&schedule.trigger, first, tz, n.saturating_sub(1))
                    .into_iter()
                    .map(|t| Upcoming::new(t, now, tz)),
            );
        }
        ScheduleInfo {
            label: schedule.target.label(),
            when: describe_trigger(&schedule.trigger, tz),
            policy_words: describe_policy(&schedule.policy),
            windows_words: describe_windows(&schedule.windows),
            upcoming,
            zone: zone_name(tz),
            schedule,
        }
    }
}

/// The zone's IANA name, or `local` when it has none (a `TZ` rule string).
pub fn zone_name(tz: &TimeZone) -> String {
    tz.iana_name().unwrap_or("local").to_string()
}

/// Where the limit in force comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LimitSource {
    /// A bandwidth rule holds now.
    Rule,
    /// No rule holds: the `bandwidth_limit` setting (unlimited by default).
    Setting,
}

/// The bandwidth limit at an instant, and why.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CurrentLimit {
    pub limit: Bandwidth,
    pub source: LimitSource,
    /// The rule in force, when `source` is `rule`.
    pub rule: Option<BandwidthRule>,
    /// When the rules next change the limit (`None`: never).
    pub until: Option<Timestamp>,
}

impl CurrentLimit {
    pub fn bytes_per_sec(&self) -> Option<u64> {
        self.limit.bytes_per_sec()
    }

    /// "5MB/s (rule 1: Mon–Fri 08:00–19:00)", "unlimited (the bandwidth_limit setting)".
    pub fn describe(&self) -> String {
        let rate = match self.limit {
            Bandwidth::Unlimited => "unlimited".to_string(),
            limit => format!("{limit}/s"),
        };
        match (&self.rule, self.source) {
            (Some(rule), LimitSource::Rule) => format!(
                "{rate} (rule {}: {})",
                rule.id.map(|i| i.to_string()).unwrap_or_default(),
                rule.window.describe()
            ),
            _ => format!("{rate} (the bandwidth_limit setting)"),
        }
    }
}

/// How to run a schedule once.
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// Steers the download (a runner may cancel it on shutdown); held outside the windows.
    pub control: Control,
    /// Hold the transfer outside the schedule's windows (false: `run-now --here`, run regardless).
    pub honour_windows: bool,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            control: Control::new(),
            honour_windows: true,
        }
    }
}

/// What running a schedule once did.
#[derive(Clone, Debug, Serialize)]
pub struct RunOutcome {
    pub schedule_id: i64,
    pub started_at: Timestamp,
    /// `ok` (downloaded, or everything was there) or `unchanged` (sync: same commit as last time).
    pub result: LastResult,
    /// The commit now in place.
    pub commit: String,
    /// The download, when one ran.
    pub download: Option<DownloadReport>,
    /// Older revisions removed to keep the newest N (sync with keep).
    pub pruned: Vec<String>,
    pub bytes_freed: u64,
    pub next_run: Option<Timestamp>,
}
