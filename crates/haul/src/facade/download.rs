//! Running a plan: fetch what is missing, record the download and its job in the registry, and let
//! the job's row (changed by any process) pause, resume or cancel it. The job's progress goes into
//! its row (for other processes) and into the facade's live table (for this one).

use std::sync::Arc;
use std::time::Instant;

use crate::Error;
use crate::cache::{CacheError, Presence, Store, free_space};
use crate::events::{LiveProgress, Progress, report_progress};
use crate::notify::Notification;
use crate::plan::Plan;
use crate::registry::{DownloadFinish, DownloadStart, FileRecord, JobStart, ModelUpsert, Registry};
use crate::repo_ref::RepoType;
use crate::transfer::{Control, ControlState, TransferError, TransferJob, TransferOptions};
use serde::Serialize;

use super::Haul;

/// What a finished download did.
#[derive(Clone, Debug, Serialize)]
pub struct DownloadReport {
    pub repo_type: RepoType,
    pub repo_id: String,
    pub revision: String,
    pub commit: String,
    /// The snapshot folder or the local dir.
    pub path: std::path::PathBuf,
    pub files_total: usize,
    pub files_fetched: usize,
    pub files_already_present: usize,
    pub bytes_total: u64,
    pub bytes_fetched: u64,
    pub elapsed_secs: f64,
}

impl Haul {
    /// Fetches what the plan lacks, verifies it, puts it in place, and records the outcome in the registry.
    pub async fn download(
        &self,
        plan: &Plan,
        options: &TransferOptions,
    ) -> Result<DownloadReport, Error> {
        self.download_controlled(plan, options, &Control::new())
            .await
    }

    /// Like [`Haul::download`], steered by `control`; with a registry, the download is also a job row
    /// that other processes can pause, resume and cancel (`haul pause|resume|cancel`). With a
    /// notifier ([`Haul::with_notifier`]), its end is announced: finished, or failed with the reason
    /// (a cancelled download is not: the user did it).
    pub async fn download_controlled(
        &self,
        plan: &Plan,
        options: &TransferOptions,
        control: &Control,
    ) -> Result<DownloadReport, Error> {
        self.download_announced(plan, options, control, JobSlot::New, true)
            .await
    }

    /// Runs the download into `slot`'s job row and announces how it ended: finished always, failed
    /// when `announce_failure` (a schedule announces its own failures, once).
    pub(crate) async fn download_announced(
        &self,
        plan: &Plan,
        options: &TransferOptions,
        control: &Control,
        slot: JobSlot,
        announce_failure: bool,
    ) -> Result<DownloadReport, Error> {
        let result = self.download_recorded(plan, options, control, slot).await;
        match &result {
            Ok(report) => self.notify(Notification::finished(report)),
            Err(e) if e.kind() == crate::ErrorKind::Cancelled => {}
            Err(e) if announce_failure => self.notify(Notification::failed(
                &format!("{}{}", plan.repo_type.url_prefix(), plan.repo_id),
                e,
            )),
            Err(_) => {}
        }
        result
    }

    async fn download_recorded(
        &self,
        plan: &Plan,
        options: &TransferOptions,
        control: &Control,
        slot: JobSlot,
    ) -> Result<DownloadReport, Error> {
        let Some(registry) = &self.registry else {
            return self.fetch(plan, options, control, None).await;
        };
        let location = plan.store.location().to_string_lossy().into_owned();
        let start = DownloadStart {
            repo_type: plan.repo_type,
            repo_id: plan.repo_id.clone(),
            revision: plan.revision.clone(),
            location: location.clone(),
            requested_by: plan.requested_by,
        };
        let started = Instant::now();
        let history_id = registry.download_started(&start).await?;
        let job_id = match slot {
            JobSlot::New => registry.job_started(&job_start(plan, 0)).await?,
            JobSlot::Claimed(id) => {
                registry
                    .job_running(id, plan.bytes_to_fetch() as i64)
                    .await?;
                id
            }
        };
        let (stop, stopped) = tokio::sync::oneshot::channel();
        let follower = tokio::spawn(follow_job(
            registry.clone(),
            job_id,
            control.clone(),
            self.live.clone(),
            stopped,
        ));
        let result = self.fetch(plan, options, control, Some(job_id)).await;
        let _ = stop.send(());
        let _ = follower.await;
        self.live.remove(job_id);
        let (state, error) = match &result {
            Ok(_) => ("done", None),
            Err(e) if e.kind() == crate::ErrorKind::Cancelled => ("cancelled", None),
            // Nothing is lost on a full disk: the job waits, paused, for space and a new run.
            Err(e) if e.kind() == crate::ErrorKind::Disk => ("paused", Some(e.to_string())),
            Err(e) => ("failed", Some(e.to_string())),
        };
        registry
            .job_finished(job_id, state, error.as_deref())
            .await?;
        let (files_fetched, bytes_fetched) = match &result {
            Ok(report) => (report.files_fetched as i64, report.bytes_fetched as i64),
            Err(_) => (0, 0),
        };
        let finish = DownloadFinish {
            commit_sha: Some(plan.commit.clone()),
            files_fetched,
            bytes_fetched,
            duration_ms: started.elapsed().as_millis() as i64,
            error: result.as_ref().err().map(|e| e.to_string()),
        };
        registry.download_finished(history_id, &finish).await?;
        let complete = result.is_ok();
        if complete || plan.store.has_any(&plan.commit) {
            let size_bytes = match &plan.store {
                Store::Cache(cache) => crate::cache::inventory::scan_repo(
                    cache.repo_dir(),
                    plan.repo_type,
                    &plan.repo_id,
                )
                .map(|inventory| inventory.size_on_disk())
                .unwrap_or_else(|_| plan.total_bytes()),
                Store::LocalDir(_) => plan.total_bytes(),
            };
            let files = plan
                .files
                .iter()
                .map(|f| FileRecord {
                    commit_sha: plan.commit.clone(),
                    path: f.path.clone(),
                    size_bytes: f.size as i64,
                    etag: f.etag.clone(),
                    algorithm: f.hash.algorithm().to_string(),
                })
                .collect();
            let upsert = ModelUpsert {
                repo_type: plan.repo_type.as_str().to_string(),
                repo_id: plan.repo_id.clone(),
                location,
                location_kind: plan.destination_kind.to_string(),
                revision: plan.revision.clone(),
                commit_sha: plan.commit.clone(),
                size_bytes: size_bytes as i64,
                state: if complete { "complete" } else { "partial" }.to_string(),
                files: Some(files),
            };
            registry.upsert_model(&upsert).await?;
        }
        result
    }

    /// Fetches and places the plan's files; progress goes to the live table under `job`, if given.
    async fn fetch(
        &self,
        plan: &Plan,
        options: &TransferOptions,
        control: &Control,
        job: Option<i64>,
    ) -> Result<DownloadReport, Error> {
        let started = Instant::now();
        let to_fetch: Vec<_> = plan
            .files
            .iter()
            .filter(|f| f.needs_bytes())
            .cloned()
            .collect();
        let bytes_to_fetch: u64 = plan.bytes_to_fetch();
        if !to_fetch.is_empty() {
            let probe = plan.store.space_probe();
            let available = free_space(&probe)?;
            if bytes_to_fetch > available {
                return Err(CacheError::InsufficientSpace {
                    path: probe,
                    needed: bytes_to_fetch,
                    available,
                }
                .into());
            }
        }
        plan.store.prepare()?;
        for file in plan
            .files
            .iter()
            .filter(|f| f.presence == Presence::ContentOnly)
        {
            plan.store
                .link_existing(&file.path, &file.etag, &plan.commit)?;
        }
        let mut fetched = 0;
        if let (false, Some(hub)) = (to_fetch.is_empty(), &self.hub) {
            // Progress counts whole files: what a previous run left is reported as done when resumed.
            let total: u64 = to_fetch.iter().map(|f| f.size).sum();
            let progress = Arc::new(Progress::new(total, to_fetch.len() as u64));
            let (stop, stopped) = tokio::sync::oneshot::channel();
            let reporter = tokio::spawn(report_progress(
                Arc::clone(&progress),
                self.events.clone(),
                stopped,
                job.map(|id| (self.live.clone(), id)),
            ));
            let job = Arc::new(TransferJob {
                hub: hub.clone(),
                repo_type: plan.repo_type,
                repo_id: plan.repo_id.clone(),
                commit: plan.commit.clone(),
                store: plan.store.clone(),
                options: options.clone(),
                progress,
                events: self.events.clone(),
                connections: tokio::sync::Semaphore::new(options.max_connections.max(1)),
                control: control.clone(),
            });
            let outcomes = job.run(to_fetch.clone()).await;
            if control.state() == ControlState::Cancelled {
                let _ = stop.send(());
                let _ = reporter.await;
                plan.store.finish_revision(&plan.revision, &plan.commit)?;
                return Err(TransferError::Cancelled.into());
            }
            let _ = stop.send(());
            let _ = reporter.await;
            let total = outcomes.len();
            let mut failures = Vec::new();
            let mut first = None;
            for outcome in outcomes {
                match outcome.result {
                    Ok(_) => fetched += 1,
                    Err(e) => {
                        failures.push((outcome.path, e.to_string()));
                        first.get_or_insert(e);
                    }
                }
            }
            // The ref is written even after a partial failure: what did arrive is a usable snapshot.
            plan.store.finish_revision(&plan.revision, &plan.commit)?;
            if let Some(first) = first {
                failures.sort();
                return Err(Error::FilesFailed {
                    failed: failures.len(),
                    total,
                    first: Box::new(first),
                    failures,
                });
            }
        } else {
            plan.store.finish_revision(&plan.revision, &plan.commit)?;
        }
        Ok(DownloadReport {
            repo_type: plan.repo_type,
            repo_id: plan.repo_id.clone(),
            revision: plan.revision.clone(),
            commit: plan.commit.clone(),
            path: plan.destination.clone(),
            files_total: plan.files.len(),
            files_fetched: fetched,
            files_already_present: plan.files.len() - to_fetch.len(),
            bytes_total: plan.total_bytes(),
            bytes_fetched: bytes_to_fetch,
            elapsed_secs: started.elapsed().as_secs_f64(),
        })
    }
}

/// Which job row a download reports to.
#[derive(Clone, Copy, Debug)]
pub(crate) enum JobSlot {
    /// A new row, for a download that runs at once.
    New,
    /// A queued row this process claimed.
    Claimed(i64),
}

/// The job row of `plan`. Its request (commit, files, where to) is enough to plan it again: that is
/// how a queued job runs later, in whichever process runs the queue.
pub(crate) fn job_start(plan: &Plan, priority: i64) -> JobStart {
    JobStart {
        repo_type: plan.repo_type.as_str().to_string(),
        repo_id: plan.repo_id.clone(),
        revision: plan.revision.clone(),
        location: plan.store.location().to_string_lossy().into_owned(),
        request: serde_json::json!({
            "commit": plan.commit,
            "files": plan.files.iter().map(|f| f.path.as_str()).collect::<Vec<_>>(),
            "destination": plan.destination,
            "destination_kind": plan.destination_kind,
            "location": plan.store.location(),
        })
        .to_string(),
        requested_by: plan.requested_by,
        priority,
        bytes_total: plan.bytes_to_fetch() as i64,
    }
}

/// Keeps a running download and its job row in step: the row's state (changed by `haul pause`,
/// `resume`, `cancel` from any process) steers the download; the download's progress and why it is
/// held (outside its window) go into the row.
async fn follow_job(
    registry: Registry,
    job_id: i64,
    control: Control,
    live: LiveProgress,
    mut stop: tokio::sync::oneshot::Receiver<()>,
) {
    let mut ticker = tokio::time::interval(std::time::Duration::from_millis(300));
    let mut written = 0u64;
    let mut waiting: Option<String> = None;
    loop {
        tokio::select! {
            _ = &mut stop => return,
            _ = ticker.tick() => {}
        }
        match registry.job(job_id).await {
            Ok(Some(job)) => control.set(match job.state.as_str() {
                "paused" => ControlState::Paused,
                "cancelled" => ControlState::Cancelled,
                _ => ControlState::Running,
            }),
            Ok(None) => control.set(ControlState::Cancelled),
            Err(e) => tracing::warn!("cannot read the job's state: {e}"),
        }
        let bytes_done = live.get(job_id).map_or(written, |s| s.bytes_done);
        if bytes_done != written {
            if let Err(e) = registry.job_progress(job_id, bytes_done as i64).await {
                tracing::warn!("cannot record the job's progress: {e}");
            }
            written = bytes_done;
        }
        let held = control.hold_reason();
        if held != waiting {
            if let Err(e) = registry.job_waiting(job_id, held.as_deref()).await {
                tracing::warn!("cannot record why the job waits: {e}");
            }
            waiting = held;
        }
    }
}
