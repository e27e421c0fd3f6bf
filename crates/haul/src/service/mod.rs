//! The background service (`haul daemon`, later the tray app): one per data dir, holding the
//! service lock. Every second it applies the bandwidth rule of the moment, asks for the schedules due
//! (missed runs collapse into one when catch-up is on) and runs each in its own task — never the same
//! schedule twice at once. A schedule added or changed by another process is in the registry, so the
//! next tick sees it. On shutdown the running downloads stop where they are: large files keep their
//! checkpoints, and the next start continues them.

mod lock;

use std::collections::HashMap;
use std::future::Future;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use jiff::Timestamp;
use tokio::task::JoinHandle;

pub use lock::{Owner, ServiceError, ServiceLock};

use crate::Error;
use crate::facade::Haul;
use crate::schedule::RunOptions;

/// How often the service looks at the clock and the registry.
const TICK: Duration = Duration::from_secs(1);

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

    /// Runs until `shutdown` resolves.
    pub async fn run(&self, shutdown: impl Future<Output = ()>) -> Result<(), Error> {
        let mut running: HashMap<i64, JoinHandle<()>> = HashMap::new();
        let mut last_seen: Option<Timestamp> = None;
        let mut ticker = tokio::time::interval(TICK);
        tokio::pin!(shutdown);
        loop {
            tokio::select! {
                _ = &mut shutdown => break,
                _ = ticker.tick() => {}
            }
            running.retain(|_, task| !task.is_finished());
            let now = Timestamp::now();
            if let Err(e) = self.haul.apply_current_limit(now).await {
                tracing::warn!("cannot apply the bandwidth rules: {e}");
            }
            let due = match self.haul.due_schedules(last_seen, now).await {
                Ok(due) => due,
                Err(e) => {
                    tracing::warn!("cannot read the schedules: {e}");
                    continue;
                }
            };
            last_seen = Some(now);
            for (schedule, due) in due {
                if due.run.is_none() || running.contains_key(&schedule.id) {
                    continue;
                }
                tracing::info!(schedule = schedule.id, reason = ?due.run, missed = due.missed, "running schedule");
                let haul = Arc::clone(&self.haul);
                let id = schedule.id;
                running.insert(
                    id,
                    tokio::spawn(async move {
                        match haul
                            .run_schedule_with(id, now, &RunOptions::default())
                            .await
                        {
                            Ok(outcome) => tracing::info!(schedule = id, ?outcome, "schedule ran"),
                            Err(e) => tracing::warn!(schedule = id, "schedule failed: {e}"),
                        }
                    }),
                );
            }
        }
        // Stop where they are: dropping a download keeps its checkpointed ranges for the next start.
        for (id, task) in running {
            tracing::info!(schedule = id, "stopping a running schedule for shutdown");
            task.abort();
            let _ = task.await;
        }
        self.haul.flush_notifications().await;
        if let Some(registry) = self.haul.registry() {
            registry.close().await;
        }
        Ok(())
    }
}
