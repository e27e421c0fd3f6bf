//! Schedules: download a repository at set times, or keep it in sync with the Hub. A schedule is a
//! target (what to fetch, where), a [`Trigger`] (cron, one instant, or an interval), a [`Policy`]
//! (download, or sync: fetch only when the remote commit moved, optionally keeping the last N
//! revisions), optional allowed [`Window`]s, and a catch-up setting for runs missed while nothing ran.
//! Bandwidth-by-time-of-day rules ([`BandwidthRule`]) live here too: they use the same weekly ranges.
//!
//! All the time math is pure: every function takes the instant ("now") and the time zone as
//! arguments, so tests pin both (see `tests` beside each file: Europe/Berlin across both DST
//! changes). The next run is stored as an absolute instant ([`jiff::Timestamp`]); wall-clock rules
//! (cron, windows, limits) are evaluated in the zone passed in, normally [`local_zone`].
//!
//! DST rule (cron): a fixed time of day that does not exist on the spring-forward day (02:30 when
//! clocks jump from 02:00 to 03:00) runs once, at the first instant after the gap (03:00); a fixed
//! time that happens twice on the fall-back day runs once, at its first occurrence. Patterns whose
//! seconds, minutes or hours repeat (`0 * * * *`, `*/15 * * * *`) run at every matching instant of
//! real time: an hourly job runs every real hour across both changes, neither skipping nor doubling.
//! Intervals (`--every`) count real time: `1d` is 24 hours.

mod catchup;
mod limits;
mod trigger;
mod views;
mod window;
mod words;

use std::path::PathBuf;

use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

use crate::plan::{Destination, DownloadRequest};
use crate::registry::Requester;
use crate::repo_ref::{RepoRef, RepoType};

pub use catchup::{Due, RunReason, WATCH_GAP, due_runs};
pub use limits::{BandwidthRule, active_limit, next_limit_change};
pub use trigger::{CronExpr, Interval, MIN_INTERVAL, Trigger, next_runs, parse_at};
pub use views::{
    CurrentLimit, LimitSource, RunOptions, RunOutcome, ScheduleInfo, Upcoming, zone_name,
};
pub use window::{DaySet, TimeOfDay, Window, in_window, next_window_change};
pub use words::{describe_policy, describe_trigger, describe_windows, local_instant, relative};

/// The system's time zone (the `TZ` variable, else `/etc/localtime`); UTC when it cannot be found.
pub fn local_zone() -> TimeZone {
    TimeZone::system()
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ScheduleError {
    #[error("cron expression '{expr}': {reason}")]
    BadCron { expr: String, reason: String },
    #[error(
        "'{text}' is not a date and time: {reason}. Write RFC 3339 (2026-12-01T02:00:00+01:00) or local time as 'YYYY-MM-DD HH:MM'"
    )]
    BadAt { text: String, reason: String },
    #[error("'{text}' is in the past ({when}): give a time still to come")]
    AtInPast { text: String, when: String },
    #[error(
        "'{text}' is not an interval: {reason}. Write a number and a unit: 30m, 6h, 1d, 1w, or combined like 1h30m (at least 1 minute)"
    )]
    BadInterval { text: String, reason: String },
    #[error(
        "'{text}' is not a time window: {reason}. Write days and a time range: 'Mon-Fri 01:00-06:00', 'Sat,Sun 00:00-24:00', 'daily 22:00-06:00'"
    )]
    BadWindow { text: String, reason: String },
    #[error(
        "'{text}' is not a bandwidth rule: {reason}. Write days, a time range and a rate: 'Mon-Fri 08:00-19:00 5M' (or 'unlimited')"
    )]
    BadRule { text: String, reason: String },
    #[error("{0}")]
    Invalid(String),
    #[error("there is no schedule {0}: `haul schedule list` shows the schedules and their numbers")]
    NoSuchSchedule(i64),
    #[error("there is no bandwidth rule {0}: `haul limits list` shows the rules and their numbers")]
    NoSuchRule(i64),
    #[error(
        "schedule {id} is running now (process {pid}): it never runs twice at once; wait for that run to end (`haul queue` shows it)"
    )]
    Running { id: i64, pid: i64 },
}

impl ScheduleError {
    /// An unknown schedule or rule (rather than bad input).
    pub fn is_not_found(&self) -> bool {
        matches!(
            self,
            ScheduleError::NoSuchSchedule(_) | ScheduleError::NoSuchRule(_)
        )
    }
}

/// Where a schedule's downloads go. Fixed when the schedule is made, so a service started with another
/// environment still fills the same cache.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "path", rename_all = "snake_case")]
pub enum ScheduleDestination {
    /// An HF cache root (`models--org--name/…` below it).
    Cache(PathBuf),
    /// Plain files in this folder (`--local-dir`).
    LocalDir(PathBuf),
}

impl ScheduleDestination {
    pub fn path(&self) -> &std::path::Path {
        match self {
            ScheduleDestination::Cache(p) | ScheduleDestination::LocalDir(p) => p,
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            ScheduleDestination::Cache(_) => "cache",
            ScheduleDestination::LocalDir(_) => "local_dir",
        }
    }
}

/// What a schedule downloads.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduleTarget {
    pub repo_type: RepoType,
    pub repo_id: String,
    /// A branch, tag, commit or `refs/pr/N` (`main` by default).
    pub revision: String,
    pub include: Vec<String>,
    pub exclude: Vec<String>,
    pub destination: ScheduleDestination,
}

impl ScheduleTarget {
    pub fn repo_ref(&self) -> RepoRef {
        RepoRef {
            repo_type: self.repo_type,
            repo_id: self.repo_id.clone(),
            revision: Some(self.revision.clone()),
            file: None,
            folder: None,
        }
    }

    /// The download request a run of the schedule makes.
    pub fn request(&self) -> DownloadRequest {
        let mut request = DownloadRequest::new(self.repo_ref());
        request.include = self.include.clone();
        request.exclude = self.exclude.clone();
        request.destination = match &self.destination {
            ScheduleDestination::Cache(dir) => Destination::CacheDir(dir.clone()),
            ScheduleDestination::LocalDir(dir) => Destination::LocalDir(dir.clone()),
        };
        request.requested_by = Requester::Schedule;
        request
    }

    /// `org/name@main`, `datasets/org/name@v1`.
    pub fn label(&self) -> String {
        format!(
            "{}{}@{}",
            self.repo_type.url_prefix(),
            self.repo_id,
            self.revision
        )
    }
}

/// What a run does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Policy {
    /// Download (what is missing) every time.
    Download,
    /// Ask the Hub for the revision's commit first and fetch only when it changed; with `keep`, older
    /// revisions of the repo in the cache are removed so at most `keep` remain.
    Sync { keep: Option<u32> },
}

/// How the last run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LastResult {
    /// Downloaded (or found everything already there).
    Ok,
    /// Sync: the remote commit had not changed; nothing fetched.
    Unchanged,
    Failed,
}

impl LastResult {
    pub fn as_str(self) -> &'static str {
        match self {
            LastResult::Ok => "ok",
            LastResult::Unchanged => "unchanged",
            LastResult::Failed => "failed",
        }
    }

    pub fn parse(text: &str) -> Option<LastResult> {
        match text {
            "ok" => Some(LastResult::Ok),
            "unchanged" => Some(LastResult::Unchanged),
            "failed" => Some(LastResult::Failed),
            _ => None,
        }
    }
}

/// A stored schedule.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Schedule {
    pub id: i64,
    pub name: Option<String>,
    pub target: ScheduleTarget,
    pub trigger: Trigger,
    pub policy: Policy,
    /// When runs may transfer; empty means any time.
    pub windows: Vec<Window>,
    /// Runs missed while nothing was running collapse into one run at start (`false`: skipped).
    pub catch_up: bool,
    pub paused: bool,
    /// `haul schedule run-now`: run at the next look, paused or not.
    pub run_requested: bool,
    /// The next run, as an absolute instant; `None` when there is none (a one-shot that ran).
    pub next_run: Option<Timestamp>,
    pub last_run: Option<Timestamp>,
    pub last_result: Option<LastResult>,
    pub last_error: Option<String>,
    /// The commit the last successful run left in place (what a sync compares with).
    pub last_commit: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// A schedule to add.
#[derive(Clone, Debug, PartialEq)]
pub struct NewSchedule {
    pub name: Option<String>,
    pub target: ScheduleTarget,
    pub trigger: Trigger,
    pub policy: Policy,
    pub windows: Vec<Window>,
    pub catch_up: bool,
    pub paused: bool,
}

impl NewSchedule {
    /// Combinations that cannot work, refused before anything is stored.
    pub fn check(&self) -> Result<(), ScheduleError> {
        check_policy(&self.policy, &self.target.destination)
    }
}

pub(crate) fn check_policy(
    policy: &Policy,
    destination: &ScheduleDestination,
) -> Result<(), ScheduleError> {
    match (policy, destination) {
        (Policy::Sync { keep: Some(0) }, _) => Err(ScheduleError::Invalid(
            "--keep must be at least 1 (the revision just downloaded)".into(),
        )),
        (Policy::Sync { keep: Some(_) }, ScheduleDestination::LocalDir(_)) => {
            Err(ScheduleError::Invalid(
                "--keep prunes old revisions in the HF cache; a local dir holds one revision only: drop --keep or --local-dir".into(),
            ))
        }
        _ => Ok(()),
    }
}

/// Changes to a schedule; `None` leaves a field as it is.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ScheduleEdit {
    /// `Some(None)` removes the name.
    pub name: Option<Option<String>>,
    pub trigger: Option<Trigger>,
    pub policy: Option<Policy>,
    pub windows: Option<Vec<Window>>,
    pub catch_up: Option<bool>,
    pub revision: Option<String>,
    pub include: Option<Vec<String>>,
    pub exclude: Option<Vec<String>>,
}

impl ScheduleEdit {
    pub fn is_empty(&self) -> bool {
        *self == ScheduleEdit::default()
    }

    /// Applies the changes to `schedule`; a new trigger moves the next run to its first instant after
    /// `now`. A changed selection forgets the last commit, so the next sync fetches.
    pub fn apply(
        &self,
        schedule: &mut Schedule,
        now: Timestamp,
        tz: &TimeZone,
    ) -> Result<(), ScheduleError> {
        if let Some(name) = &self.name {
            schedule.name = name.clone();
        }
        if let Some(policy) = self.policy {
            check_policy(&policy, &schedule.target.destination)?;
            schedule.policy = policy;
        }
        if let Some(windows) = &self.windows {
            schedule.windows = windows.clone();
        }
        if let Some(catch_up) = self.catch_up {
            schedule.catch_up = catch_up;
        }
        let mut selection_changed = false;
        if let Some(revision) = &self.revision {
            selection_changed |= *revision != schedule.target.revision;
            schedule.target.revision = revision.clone();
        }
        if let Some(include) = &self.include {
            selection_changed |= *include != schedule.target.include;
            schedule.target.include = include.clone();
        }
        if let Some(exclude) = &self.exclude {
            selection_changed |= *exclude != schedule.target.exclude;
            schedule.target.exclude = exclude.clone();
        }
        if selection_changed {
            schedule.last_commit = None;
        }
        if let Some(trigger) = &self.trigger {
            schedule.trigger = trigger.clone();
            schedule.next_run = trigger.first_run(now, tz);
        }
        Ok(())
    }
}

#[cfg(test)]
pub(crate) mod test_support {
    use jiff::Timestamp;
    use jiff::civil::DateTime;
    use jiff::tz::{TimeZone, TimeZoneDatabase};

    /// Berlin from the embedded tzdb: CET/CEST, clocks jump 02:00→03:00 on the last Sunday of March
    /// and 03:00→02:00 on the last Sunday of October (2026-03-29 and 2026-10-25).
    pub fn berlin() -> TimeZone {
        TimeZoneDatabase::bundled()
            .get("Europe/Berlin")
            .expect("the embedded tzdb knows Europe/Berlin")
    }

    /// A Berlin wall-clock time, `2026-03-28 02:30`; the earlier instant when it happens twice.
    pub fn local(text: &str) -> Timestamp {
        let dt: DateTime = text.replace(' ', "T").parse().expect("a civil date-time");
        berlin()
            .to_ambiguous_timestamp(dt)
            .earlier()
            .expect("a real instant")
    }

    /// An instant written in RFC 3339.
    pub fn utc(text: &str) -> Timestamp {
        text.parse().expect("an RFC 3339 instant")
    }

    /// How an instant reads on a Berlin clock: `2026-03-29 03:00 +02:00`.
    pub fn shown(at: Timestamp) -> String {
        at.to_zoned(berlin())
            .strftime("%Y-%m-%d %H:%M %:z")
            .to_string()
    }
}
