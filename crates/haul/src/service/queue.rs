//! The service's share of the job queue: claim queued jobs (highest priority first, then oldest)
//! while fewer than `max_jobs` run here, run each in a task, and on shutdown put the unfinished ones
//! back in the queue for the next service.

use std::collections::HashMap;
use std::sync::Arc;

use tokio::task::JoinHandle;

use crate::ErrorKind;
use crate::facade::Haul;
use crate::transfer::Control;

pub(super) struct QueueRunner {
    haul: Arc<Haul>,
    max_jobs: usize,
    running: HashMap<i64, JoinHandle<()>>,
}

impl QueueRunner {
    pub(super) fn new(haul: Arc<Haul>, max_jobs: usize) -> QueueRunner {
        QueueRunner {
            haul,
            max_jobs,
            running: HashMap::new(),
        }
    }

    /// Starts queued jobs while there are free slots.
    pub(super) async fn fill(&mut self) {
        self.running.retain(|_, task| !task.is_finished());
        let Some(registry) = self.haul.registry() else {
            return;
        };
        while self.running.len() < self.max_jobs {
            let id = match registry.claim_next_queued().await {
                Ok(Some(id)) => id,
                Ok(None) => break,
                Err(e) => {
                    tracing::warn!("cannot read the queue: {e}");
                    break;
                }
            };
            tracing::info!(job = id, "starting queued download");
            let haul = Arc::clone(&self.haul);
            let task = tokio::spawn(async move {
                match haul.run_claimed_job(id, &Control::new()).await {
                    Ok(report) => tracing::info!(
                        job = id,
                        files = report.files_fetched,
                        bytes = report.bytes_fetched,
                        "queued download finished"
                    ),
                    Err(e) if e.kind() == ErrorKind::Cancelled => {
                        tracing::info!(job = id, "queued download cancelled")
                    }
                    Err(e) => tracing::warn!(job = id, "queued download failed: {e}"),
                }
            });
            self.running.insert(id, task);
        }
    }

    /// Stops the running jobs where they are and queues them again.
    pub(super) async fn stop(self) {
        let mut unfinished = Vec::new();
        for (id, task) in self.running {
            if !task.is_finished() {
                tracing::info!(job = id, "stopping a queued download for shutdown");
                unfinished.push(id);
            }
            task.abort();
            let _ = task.await;
        }
        if let Some(registry) = self.haul.registry()
            && let Err(e) = registry.requeue_jobs(&unfinished).await
        {
            tracing::warn!("cannot put the unfinished downloads back in the queue: {e}");
        }
    }
}
