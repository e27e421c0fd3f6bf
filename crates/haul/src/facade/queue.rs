//! The job queue through the facade: put a plan in the queue with a priority, list and steer jobs
//! (pause, resume, cancel, retry, reprioritise), and run one queued job — what the service does, in
//! whichever process runs it, highest priority first, then oldest. A queued job keeps its request in
//! its row (the commit, the files, where to), so it is planned again when its turn comes: files that
//! arrived meanwhile are not fetched twice, and a partial file continues from its checkpoint.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::Haul;
use super::download::{JobSlot, job_start};
use crate::library::LibraryError;
use crate::notify::Notification;
use crate::plan::{Destination, DownloadRequest, Plan};
use crate::registry::{JobRecord, JobSelector, Requester};
use crate::repo_ref::RepoRef;
use crate::transfer::Control;
use crate::{DownloadReport, Error};

/// A job's request as its row keeps it: enough to plan it again.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct QueuedRequest {
    /// The commit the plan was made for: the job fetches exactly that.
    pub commit: String,
    /// The files of the plan (their paths in the repo).
    pub files: Vec<String>,
    /// `cache` or `local_dir`.
    pub destination_kind: String,
    /// The cache root or the local dir.
    pub location: PathBuf,
}

fn no_job(what: String) -> Error {
    LibraryError::NoJob(what).into()
}

impl Haul {
    /// Puts `plan` in the queue with `priority` (higher runs first; equal ones oldest first) and
    /// returns the job's number. A running service (the app or `haul daemon`) starts it when its turn
    /// comes, at most `max_jobs` at once; until then it shows as `queued`.
    pub async fn enqueue(&self, plan: &Plan, priority: i64) -> Result<i64, Error> {
        if plan.files.is_empty() {
            return Err(crate::plan::PlanError::NothingToQueue {
                repo: format!("{}{}", plan.repo_type.url_prefix(), plan.repo_id),
            }
            .into());
        }
        Ok(self
            .need_registry()?
            .job_queued(&job_start(plan, priority))
            .await?)
    }

    /// Active jobs first (by priority, then age), then up to `limit` in all with the latest finished.
    pub async fn jobs(&self, limit: i64) -> Result<Vec<JobRecord>, Error> {
        Ok(self.need_registry()?.jobs(limit).await?)
    }

    /// The queued jobs, in the order a service starts them.
    pub async fn queued_jobs(&self) -> Result<Vec<JobRecord>, Error> {
        Ok(self.need_registry()?.queued_jobs().await?)
    }

    pub async fn job(&self, id: i64) -> Result<JobRecord, Error> {
        self.need_registry()?
            .job(id)
            .await?
            .ok_or_else(|| no_job(format!("there is no job {id}: `haul queue` lists them")))
    }

    /// A failed or cancelled job goes back to the queue (its files are planned again, so what did
    /// arrive is kept).
    pub async fn retry_job(&self, id: i64) -> Result<JobRecord, Error> {
        let job = self.job(id).await?;
        if !self.need_registry()?.retry_job(id).await? {
            return Err(no_job(format!(
                "job {id} is {}: only a failed or cancelled job can be retried",
                job.shown_state()
            )));
        }
        self.job(id).await
    }

    /// Changes a job's priority (it matters while the job is queued).
    pub async fn set_job_priority(&self, id: i64, priority: i64) -> Result<JobRecord, Error> {
        if !self.need_registry()?.set_job_priority(id, priority).await? {
            return Err(no_job(format!(
                "there is no job {id}: `haul queue` lists them"
            )));
        }
        self.job(id).await
    }

    /// Pauses running and queued jobs (a queued one is skipped until resumed); returns how many.
    pub async fn pause_jobs(&self, which: JobSelector) -> Result<u64, Error> {
        Ok(self
            .need_registry()?
            .set_job_state(which, &["running", "queued"], "paused")
            .await?)
    }

    /// Resumes paused jobs: a running one continues, one that had not started goes back to the queue.
    pub async fn resume_jobs(&self, which: JobSelector) -> Result<u64, Error> {
        Ok(self.need_registry()?.resume_jobs(which).await?)
    }

    /// Cancels jobs: a running one stops (its process removes the partial files), a queued or paused
    /// one never runs.
    pub async fn cancel_jobs(&self, which: JobSelector) -> Result<u64, Error> {
        Ok(self
            .need_registry()?
            .set_job_state(which, &["running", "queued", "paused"], "cancelled")
            .await?)
    }

    /// The plan of job `id`, made again from its row.
    pub async fn plan_job(&self, id: i64) -> Result<Plan, Error> {
        let job = self.job(id).await?;
        let damaged = |why: String| {
            Error::from(LibraryError::Damaged(format!(
                "job {id}'s request cannot be read ({why}); cancel it and download again"
            )))
        };
        let text = self
            .need_registry()?
            .job_request(id)
            .await?
            .ok_or_else(|| damaged("it is gone".into()))?;
        let request: QueuedRequest =
            serde_json::from_str(&text).map_err(|e| damaged(e.to_string()))?;
        let repo = RepoRef {
            repo_type: job.repo_type.parse().map_err(|e| damaged(format!("{e}")))?,
            repo_id: job.repo_id.clone(),
            revision: Some(request.commit.clone()),
            file: None,
            folder: None,
        };
        let mut download = DownloadRequest::new(repo);
        download.files = request.files;
        download.destination = match request.destination_kind.as_str() {
            "cache" => Destination::CacheDir(request.location),
            "local_dir" => Destination::LocalDir(request.location),
            other => return Err(damaged(format!("unknown destination '{other}'"))),
        };
        download.requested_by = match job.requested_by.as_str() {
            "app" => Requester::App,
            "schedule" => Requester::Schedule,
            _ => Requester::Cli,
        };
        let mut plan = self.plan(&download).await?;
        // Pinned to the commit, named as asked: the cache's ref is written for the revision.
        plan.revision = job.revision;
        Ok(plan)
    }

    /// Runs queued job `id`, which this process has claimed (the service does both), steered by
    /// `control` and by the job's row. A job that cannot even be planned is recorded as failed.
    pub(crate) async fn run_claimed_job(
        &self,
        id: i64,
        control: &Control,
    ) -> Result<DownloadReport, Error> {
        let plan = match self.plan_job(id).await {
            Ok(plan) => plan,
            Err(e) => {
                let registry = self.need_registry()?;
                registry
                    .job_finished(id, "failed", Some(&e.to_string()))
                    .await?;
                if let Ok(job) = self.job(id).await {
                    let prefix = match job.repo_type.as_str() {
                        "model" => String::new(),
                        other => format!("{other}s/"),
                    };
                    self.notify(Notification::failed(
                        &format!("{prefix}{}", job.repo_id),
                        &e,
                    ));
                }
                return Err(e);
            }
        };
        self.download_announced(
            &plan,
            &self.transfer_options(),
            control,
            JobSlot::Claimed(id),
            true,
        )
        .await
    }
}
