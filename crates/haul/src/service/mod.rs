//! The background service (`haul daemon`, or the desktop app in the tray): one per data dir, holding
//! the service lock. It runs schedules when they fall due, starts queued downloads (highest priority
//! first, at most `max_jobs` at once), and keeps the bandwidth limit at the rule of the moment.
//!
//! Triggers fire through tokio-cron-scheduler ([`triggers`]): a one-shot job at each schedule's
//! stored next run, and a one-second beat that notices changes made by other processes (the
//! registry's change counter), applies the bandwidth rules and fills the queue's free slots. A
//! schedule never runs twice at once: the service keeps one task per schedule, and a run claims its
//! schedule in the registry, so `haul schedule run-now --here` elsewhere waits its turn too.
//!
//! On shutdown the running downloads stop where they are: large files keep their checkpoints,
//! queued jobs go back to the queue, and the next start continues them.
//!
//! The desktop app holds its [`Haul`] in an `Arc`, calls [`Service::start`] with a clone of it and
//! then [`Service::run`] with a future that resolves when the app quits.

mod lock;
mod queue;
mod schedules;
mod triggers;

use std::future::Future;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use jiff::Timestamp;

pub use lock::{Owner, ServiceError, ServiceLock};

use crate::Error;
use crate::facade::{Haul, LimitFollower};
use crate::schedule::WATCH_GAP;
use queue::QueueRunner;
use schedules::ScheduleRunner;
use triggers::{Fire, Triggers};

/// The beat of the service: how soon a change from another process, a new queued job or a new
/// bandwidth rule is acted on.
const BEAT: Duration = Duration::from_secs(1);

/// Every this many beats, every schedule's trigger is armed again, whatever the change counter says:
/// a run that could not be decided (the database was busy) is retried.
const REARM_EVERY: u32 = 60;

pub struct Service {
    haul: Arc<Haul>,
    lock: ServiceLock,
}

impl Service {
    /// Takes the service lock for the data dir, or says who holds it.
    pub fn start(haul: Arc<Haul>) -> Result<Service, Error> {
        let lock = ServiceLock::acquire(&haul.config().dirs.data)?;
        Ok(Service { haul, lock })
    }

    pub fn lock_path(&self) -> &Path {
        self.lock.path()
    }

    pub fn haul(&self) -> &Arc<Haul> {
        &self.haul
    }

    /// Runs until `shutdown` resolves, then stops what runs (see the module's doc) and returns.
    pub async fn run(&self, shutdown: impl Future<Output = ()>) -> Result<(), Error> {
        let (fire, mut fired) = tokio::sync::mpsc::unbounded_channel();
        let mut triggers = Triggers::start(fire, BEAT).await?;
        let mut beat = Beat::new(Arc::clone(&self.haul));
        beat.start(&mut triggers).await;
        tokio::pin!(shutdown);
        loop {
            let fire = tokio::select! {
                _ = &mut shutdown => break,
                fire = fired.recv() => fire,
            };
            match fire {
                Some(Fire::Tick) => beat.tick(&mut triggers).await,
                Some(Fire::Due(id)) => beat.due(id).await,
                None => break,
            }
        }
        triggers.shutdown().await;
        beat.stop().await;
        self.haul.flush_notifications().await;
        if let Some(registry) = self.haul.registry() {
            registry.close().await;
        }
        Ok(())
    }
}

/// The service's state between fires.
struct Beat {
    haul: Arc<Haul>,
    schedules: ScheduleRunner,
    queue: QueueRunner,
    limits: LimitFollower,
    /// The change counter the armed triggers reflect.
    generation: Option<i64>,
    last_tick: Option<Timestamp>,
    ticks: u32,
}

impl Beat {
    fn new(haul: Arc<Haul>) -> Beat {
        let max_jobs = haul.config().max_jobs.max(1);
        Beat {
            schedules: ScheduleRunner::new(Arc::clone(&haul)),
            queue: QueueRunner::new(Arc::clone(&haul), max_jobs),
            haul,
            limits: LimitFollower::default(),
            generation: None,
            last_tick: None,
            ticks: 0,
        }
    }

    /// At start: queue jobs a dead service left are queued again, runs missed while no service ran
    /// are caught up (or skipped, per schedule), then every trigger is armed.
    async fn start(&mut self, triggers: &mut Triggers) {
        if let Some(registry) = self.haul.registry() {
            match registry.requeue_interrupted().await {
                Ok(0) => {}
                Ok(n) => tracing::info!("{n} interrupted queued download(s) back in the queue"),
                Err(e) => tracing::warn!("cannot look for interrupted downloads: {e}"),
            }
        }
        let now = Timestamp::now();
        self.schedules.run_due(now).await;
        self.schedules.watching_from(now);
        self.tick(triggers).await;
    }

    async fn tick(&mut self, triggers: &mut Triggers) {
        let now = Timestamp::now();
        // A beat that comes much later than the last (the machine slept): runs that fell due
        // meanwhile were missed, not on time.
        let gap = jiff::SignedDuration::try_from(WATCH_GAP).unwrap_or_default();
        if self
            .last_tick
            .is_some_and(|last| now.duration_since(last) > gap)
        {
            tracing::info!("the service was not watching for a while: catching up");
            self.schedules.stopped_watching();
            self.schedules.run_due(now).await;
            self.schedules.watching_from(now);
        }
        self.last_tick = Some(now);
        self.ticks = self.ticks.wrapping_add(1);
        self.rearm_if_changed(triggers, now).await;
        if let Err(e) = self.limits.step(&self.haul, now).await {
            tracing::warn!("cannot apply the bandwidth rules: {e}");
        }
        self.schedules.reap();
        self.queue.fill().await;
    }

    async fn rearm_if_changed(&mut self, triggers: &mut Triggers, now: Timestamp) {
        let generation = match self.haul.schedules_generation().await {
            Ok(g) => g,
            Err(e) => {
                tracing::warn!("cannot read the schedules: {e}");
                return;
            }
        };
        let again = self.ticks.is_multiple_of(REARM_EVERY);
        if self.generation == Some(generation) && !again {
            return;
        }
        match self.haul.schedules().await {
            Ok(schedules) => {
                triggers.arm(&schedules, now, again).await;
                self.generation = Some(generation);
            }
            Err(e) => tracing::warn!("cannot read the schedules: {e}"),
        }
    }

    /// A schedule's trigger fired: run what is due (that one, and any other whose time came). When
    /// the run ends it records the next run, the change counter moves, and the beat arms it again.
    async fn due(&mut self, id: i64) {
        tracing::debug!(schedule = id, "trigger fired");
        self.schedules.run_due(Timestamp::now()).await;
    }

    async fn stop(self) {
        self.schedules.stop().await;
        self.queue.stop().await;
    }
}
