//! How the service's triggers fire: tokio-cron-scheduler runs one one-shot job per schedule, at the
//! absolute instant the registry holds as its next run, and one repeated job every second. The jobs
//! do no work themselves: they send a [`Fire`] to the service's loop, which decides (the due check
//! is pure time math in [`crate::schedule`]). Storing the next run as an instant and arming a
//! one-shot at it, rather than handing cron expressions to the scheduler, keeps the DST rule and
//! catch-up in one tested place, and lets a change made by any process (the registry's change
//! counter) re-arm exactly the schedules that moved.

use std::collections::HashMap;
use std::time::Duration;

use jiff::Timestamp;
use tokio::sync::mpsc::UnboundedSender;
use tokio_cron_scheduler::{Job, JobScheduler};
use uuid::Uuid;

use super::ServiceError;
use crate::schedule::Schedule;

/// What woke the service.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Fire {
    /// The one-second beat: the queue, the change counter, the bandwidth rules.
    Tick,
    /// A schedule's stored next run has come.
    Due(i64),
}

/// What a schedule's trigger was armed for: its next run, and whether a run was asked for.
type Armed = (Timestamp, bool);

/// The scheduler and the one-shot job armed for each schedule.
pub(crate) struct Triggers {
    scheduler: JobScheduler,
    fire: UnboundedSender<Fire>,
    /// Schedule id → the job armed for it, and what it was armed for.
    armed: HashMap<i64, (Uuid, Armed)>,
}

fn scheduler_error(e: impl std::fmt::Display) -> ServiceError {
    ServiceError::Scheduler(e.to_string())
}

impl Triggers {
    /// Starts the scheduler with the one-second beat.
    pub(crate) async fn start(
        fire: UnboundedSender<Fire>,
        beat: Duration,
    ) -> Result<Triggers, ServiceError> {
        let scheduler = JobScheduler::new().await.map_err(scheduler_error)?;
        let tick = fire.clone();
        let beat = Job::new_repeated_async(beat, move |_, _| {
            let tick = tick.clone();
            Box::pin(async move {
                let _ = tick.send(Fire::Tick);
            })
        })
        .map_err(scheduler_error)?;
        scheduler.add(beat).await.map_err(scheduler_error)?;
        scheduler.start().await.map_err(scheduler_error)?;
        Ok(Triggers {
            scheduler,
            fire,
            armed: HashMap::new(),
        })
    }

    /// Arms one one-shot per schedule that has a run to wait for, at its stored instant (one already
    /// past fires at once); schedules whose instant did not change keep their job. With `again`,
    /// triggers that already fired are armed again too (a run that could not be decided is retried).
    pub(crate) async fn arm(&mut self, schedules: &[Schedule], now: Timestamp, again: bool) {
        if again {
            self.armed.retain(|_, (_, (at, _))| *at > now);
        }
        let wanted: HashMap<i64, Armed> = schedules
            .iter()
            .filter(|s| !s.paused || s.run_requested)
            .filter_map(|s| s.next_run.map(|t| (s.id, (t, s.run_requested))))
            .collect();
        let stale: Vec<i64> = self
            .armed
            .iter()
            .filter(|(id, (_, at))| wanted.get(id) != Some(at))
            .map(|(id, _)| *id)
            .collect();
        for id in stale {
            if let Some((job, _)) = self.armed.remove(&id) {
                // A job that already fired is gone from the scheduler: nothing to remove.
                let _ = self.scheduler.remove(&job).await;
            }
        }
        for (id, armed) in wanted {
            if self.armed.contains_key(&id) {
                continue;
            }
            match self.one_shot(id, armed.0, now).await {
                Ok(job) => {
                    self.armed.insert(id, (job, armed));
                }
                Err(e) => tracing::warn!(schedule = id, "cannot arm the schedule's trigger: {e}"),
            }
        }
    }

    async fn one_shot(&self, id: i64, at: Timestamp, now: Timestamp) -> Result<Uuid, ServiceError> {
        let delay = Duration::try_from(at.duration_since(now)).unwrap_or_default();
        let due = tokio::time::Instant::now() + delay;
        let fire = self.fire.clone();
        // The scheduler counts whole seconds and may wake up to a second early: the job waits out
        // the rest, so the run starts at the stored instant, not before.
        let job = Job::new_one_shot_at_instant_async(due.into_std(), move |_, _| {
            let fire = fire.clone();
            Box::pin(async move {
                tokio::time::sleep_until(due).await;
                let _ = fire.send(Fire::Due(id));
            })
        })
        .map_err(scheduler_error)?;
        self.scheduler.add(job).await.map_err(scheduler_error)
    }

    pub(crate) async fn shutdown(mut self) {
        if let Err(e) = self.scheduler.shutdown().await {
            tracing::debug!("the scheduler did not stop cleanly: {e}");
        }
    }
}
