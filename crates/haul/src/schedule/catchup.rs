//! Which schedules run now, and what to do about runs missed while nothing was watching (the laptop
//! asleep, the app closed). A runner that looks at least every [`WATCH_GAP`] runs each schedule on
//! time; when it was away longer, the runs that fell due meanwhile collapse into one run at start if
//! the schedule catches up, and are skipped otherwise. Either way the next run is the first one still
//! to come, so nothing runs twice.

use std::time::Duration;

use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::Serialize;

use super::{Schedule, Trigger};

/// How long a runner may go between looks and still count as watching: a run that fell due while it
/// was looking this often is on time, not missed.
pub const WATCH_GAP: Duration = Duration::from_secs(120);

/// Most missed runs counted one by one (a per-second cron over a long sleep stops counting here).
const MAX_COUNTED: u64 = 100_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RunReason {
    /// It fell due while a runner was watching.
    OnTime,
    /// Runs were missed while nothing was watching; they collapse into this one.
    CatchUp,
    /// Someone asked for it (`haul schedule run-now`).
    Requested,
}

/// What a runner should do with one schedule now.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Due {
    /// Run once now, and why; `None`: nothing to run.
    pub run: Option<RunReason>,
    /// Runs that fell due while nothing was watching (collapsed into `run`, or skipped).
    pub missed: u64,
    /// The next run after now: what the registry should hold once this is handled.
    pub next_run: Option<Timestamp>,
}

/// Decides for `schedule` at `now`. `last_seen` is when a runner last looked (its previous tick, or
/// at start the previous runner's last look; `None` if unknown). Paused schedules do not run, except
/// on request.
pub fn due_runs(
    schedule: &Schedule,
    last_seen: Option<Timestamp>,
    now: Timestamp,
    tz: &TimeZone,
) -> Due {
    let trigger = &schedule.trigger;
    let not_yet = Due {
        run: None,
        missed: 0,
        next_run: schedule.next_run,
    };
    let Some(first) = schedule.next_run.filter(|t| *t <= now) else {
        return if schedule.run_requested {
            Due {
                run: Some(RunReason::Requested),
                ..not_yet
            }
        } else {
            not_yet
        };
    };
    if schedule.paused && !schedule.run_requested {
        return not_yet;
    }
    // Every run from `first` up to now, and the first one after.
    let mut count = 1u64;
    let mut last = first;
    let mut cursor = first;
    let next_run = if let Trigger::Every(interval) = trigger {
        // A fixed step: counted, not walked.
        let step = i128::from(interval.as_secs()) * 1_000_000_000;
        let steps = (now.as_nanosecond() - first.as_nanosecond()) / step;
        count = u64::try_from(steps + 1).unwrap_or(u64::MAX);
        last = Timestamp::from_nanosecond(first.as_nanosecond() + steps * step).unwrap_or(first);
        trigger.next_from(first, now, tz)
    } else {
        loop {
            match trigger.next_after(cursor, tz) {
                Some(t) if t <= now && t > cursor => {
                    count += 1;
                    last = t;
                    cursor = t;
                    if count >= MAX_COUNTED {
                        break trigger.next_from(t, now, tz);
                    }
                }
                Some(t) if t > now => break Some(t),
                _ => break None,
            }
        }
    };
    if schedule.run_requested {
        return Due {
            run: Some(RunReason::Requested),
            missed: count - 1,
            next_run,
        };
    }
    let gap = jiff::SignedDuration::try_from(WATCH_GAP).unwrap_or_default();
    let watching =
        last_seen.is_some_and(|seen| seen <= now && now.duration_since(seen) <= gap && last > seen);
    if watching {
        return Due {
            run: Some(RunReason::OnTime),
            missed: count - 1,
            next_run,
        };
    }
    Due {
        run: schedule.catch_up.then_some(RunReason::CatchUp),
        missed: count,
        next_run,
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{berlin, local, utc};
    use super::super::*;
    use super::*;

    fn schedule(trigger: Trigger, next_run: &str, catch_up: bool) -> Schedule {
        let t = utc("2026-01-01T00:00:00Z");
        Schedule {
            id: 1,
            name: None,
            target: ScheduleTarget {
                repo_type: crate::RepoType::Model,
                repo_id: "org/m".into(),
                revision: "main".into(),
                include: vec![],
                exclude: vec![],
                destination: ScheduleDestination::Cache("/c".into()),
            },
            trigger,
            policy: Policy::Download,
            windows: vec![],
            catch_up,
            paused: false,
            run_requested: false,
            next_run: Some(local(next_run)),
            last_run: None,
            last_result: None,
            last_error: None,
            last_commit: None,
            created_at: t,
            updated_at: t,
        }
    }

    fn nightly(catch_up: bool) -> Schedule {
        schedule(
            Trigger::Cron(CronExpr::parse("0 2 * * *").unwrap()),
            "2026-01-10 02:00",
            catch_up,
        )
    }

    #[test]
    fn not_due_yet() {
        let tz = berlin();
        let due = due_runs(&nightly(true), None, local("2026-01-10 01:59"), &tz);
        assert_eq!(
            due,
            Due {
                run: None,
                missed: 0,
                next_run: Some(local("2026-01-10 02:00"))
            }
        );
    }

    #[test]
    fn on_time_while_watching() {
        let tz = berlin();
        let due = due_runs(
            &nightly(false),
            Some(local("2026-01-10 01:59:50")),
            local("2026-01-10 02:00:05"),
            &tz,
        );
        assert_eq!(
            due.run,
            Some(RunReason::OnTime),
            "catch-up off does not matter"
        );
        assert_eq!(due.missed, 0);
        assert_eq!(due.next_run, Some(local("2026-01-11 02:00")));
    }

    #[test]
    fn missed_nights_collapse_into_one_run_at_start() {
        let tz = berlin();
        // Asleep from the evening of the 9th until 08:00 on the 13th: four nightly runs missed.
        let last_seen = Some(local("2026-01-09 22:00"));
        let now = local("2026-01-13 08:00");
        let due = due_runs(&nightly(true), last_seen, now, &tz);
        assert_eq!(
            due,
            Due {
                run: Some(RunReason::CatchUp),
                missed: 4,
                next_run: Some(local("2026-01-14 02:00"))
            }
        );
        // Without catch-up they are skipped, and the next run is still tomorrow night (not now).
        let due = due_runs(&nightly(false), last_seen, now, &tz);
        assert_eq!(
            due,
            Due {
                run: None,
                missed: 4,
                next_run: Some(local("2026-01-14 02:00"))
            }
        );
        // A first start with no record of a previous runner counts the same.
        assert_eq!(
            due_runs(&nightly(true), None, now, &tz).run,
            Some(RunReason::CatchUp)
        );
    }

    #[test]
    fn a_missed_one_shot_runs_once_at_start_or_never() {
        let tz = berlin();
        let at = Trigger::At(local("2026-01-10 02:00"));
        let now = local("2026-01-12 09:00");
        let due = due_runs(
            &schedule(at.clone(), "2026-01-10 02:00", true),
            None,
            now,
            &tz,
        );
        assert_eq!(
            due,
            Due {
                run: Some(RunReason::CatchUp),
                missed: 1,
                next_run: None
            }
        );
        let due = due_runs(&schedule(at, "2026-01-10 02:00", false), None, now, &tz);
        assert_eq!((due.run, due.next_run), (None, None));
    }

    #[test]
    fn intervals_keep_their_cadence_after_a_sleep() {
        let tz = berlin();
        let every = schedule(
            Trigger::Every(Interval::parse("6h").unwrap()),
            "2026-01-10 00:00",
            true,
        );
        let due = due_runs(
            &every,
            Some(local("2026-01-09 23:00")),
            local("2026-01-11 07:00"),
            &tz,
        );
        // 00:00, 06:00, 12:00, 18:00 on the 10th, 00:00 and 06:00 on the 11th.
        assert_eq!(due.missed, 6);
        assert_eq!(due.run, Some(RunReason::CatchUp));
        assert_eq!(due.next_run, Some(local("2026-01-11 12:00")));
    }

    #[test]
    fn paused_waits_unless_asked() {
        let tz = berlin();
        let mut paused = nightly(true);
        paused.paused = true;
        let now = local("2026-01-12 09:00");
        assert_eq!(due_runs(&paused, None, now, &tz).run, None);
        paused.run_requested = true;
        paused.next_run = Some(now);
        let due = due_runs(&paused, None, now, &tz);
        assert_eq!(due.run, Some(RunReason::Requested));
        assert_eq!(due.next_run, Some(local("2026-01-13 02:00")));
    }

    #[test]
    fn catch_up_across_the_autumn_change_counts_each_night_once() {
        let tz = berlin();
        let mut s = schedule(
            Trigger::Cron(CronExpr::parse("30 2 * * *").unwrap()),
            "2026-10-24 02:30",
            true,
        );
        s.catch_up = true;
        // Away from the 23rd to the 27th: runs on the 24th, 25th (once, despite the repeated
        // 02:30), 26th and 27th.
        let due = due_runs(
            &s,
            Some(local("2026-10-23 20:00")),
            local("2026-10-27 09:00"),
            &tz,
        );
        assert_eq!(due.missed, 4);
        assert_eq!(due.next_run, Some(local("2026-10-28 02:30")));
    }
}
