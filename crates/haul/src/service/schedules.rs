//! The service's schedule runs: which are due (catch-up and on-time decided by
//! [`crate::schedule::due_runs`]), one task per schedule, never two for the same one.

use std::collections::HashMap;
use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};
use tokio::task::JoinHandle;

use crate::facade::Haul;
use crate::schedule::{RunOptions, ScheduleError, WATCH_GAP};
use crate::{Error, ErrorKind};

pub(super) struct ScheduleRunner {
    haul: Arc<Haul>,
    running: HashMap<i64, JoinHandle<()>>,
    /// Since when the service has been watching without a break; `None` at start and after a sleep,
    /// so that runs that fell due before are judged missed (caught up or skipped).
    watching_from: Option<Timestamp>,
}

impl ScheduleRunner {
    pub(super) fn new(haul: Arc<Haul>) -> ScheduleRunner {
        ScheduleRunner {
            haul,
            running: HashMap::new(),
            watching_from: None,
        }
    }

    pub(super) fn watching_from(&mut self, now: Timestamp) {
        self.watching_from = Some(now);
    }

    pub(super) fn stopped_watching(&mut self) {
        self.watching_from = None;
    }

    pub(super) fn reap(&mut self) {
        self.running.retain(|_, task| !task.is_finished());
    }

    /// The instant `due_runs` compares a schedule's run with: a run after it came while the service
    /// was watching (on time); one before it was missed.
    fn last_seen(&self, now: Timestamp) -> Option<Timestamp> {
        let gap = SignedDuration::try_from(WATCH_GAP).unwrap_or_default();
        let window_start = now.checked_sub(gap).unwrap_or(now);
        self.watching_from.map(|w| w.max(window_start))
    }

    /// Starts every schedule due at `now` that is not running here already.
    pub(super) async fn run_due(&mut self, now: Timestamp) {
        self.reap();
        let due = match self.haul.due_schedules(self.last_seen(now), now).await {
            Ok(due) => due,
            Err(e) => {
                tracing::warn!("cannot read the schedules: {e}");
                return;
            }
        };
        for (schedule, due) in due {
            let Some(reason) = due.run else {
                if due.missed > 0 {
                    tracing::info!(
                        schedule = schedule.id,
                        missed = due.missed,
                        "skipped runs missed while no service ran (catch-up is off)"
                    );
                }
                continue;
            };
            if self.running.contains_key(&schedule.id) {
                continue;
            }
            tracing::info!(
                schedule = schedule.id,
                ?reason,
                missed = due.missed,
                "running schedule"
            );
            let haul = Arc::clone(&self.haul);
            let id = schedule.id;
            let task = tokio::spawn(async move {
                let options = RunOptions::default();
                match haul.run_schedule_with(id, now, &options).await {
                    Ok(outcome) => tracing::info!(
                        schedule = id,
                        result = outcome.result.as_str(),
                        commit = %outcome.commit,
                        "schedule ran"
                    ),
                    Err(Error::Schedule(ScheduleError::Running { pid, .. })) => {
                        tracing::info!(schedule = id, pid, "schedule is running in another process")
                    }
                    Err(e) if e.kind() == ErrorKind::Cancelled => {
                        tracing::info!(schedule = id, "schedule's download was cancelled")
                    }
                    Err(e) => tracing::warn!(schedule = id, "schedule failed: {e}"),
                }
            });
            self.running.insert(id, task);
        }
    }

    /// Stops the runs where they are (a dropped download keeps its checkpointed ranges) and
    /// releases their claims.
    pub(super) async fn stop(self) {
        let ids: Vec<i64> = self.running.keys().copied().collect();
        for (id, task) in self.running {
            if !task.is_finished() {
                tracing::info!(schedule = id, "stopping a running schedule for shutdown");
            }
            task.abort();
            let _ = task.await;
        }
        if let Some(registry) = self.haul.registry()
            && let Err(e) = registry.release_schedules_of_this_process(&ids).await
        {
            tracing::warn!("cannot release the schedules' claims: {e}");
        }
    }
}
