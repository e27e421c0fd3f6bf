//! Jobs in the registry: one row per download, with its progress and process, so any process can
//! list them and pause, resume or cancel them (the running process follows the row). Jobs that go
//! through the queue wait as `queued` until a service claims them, highest priority first, then
//! oldest; the claim is one statement, so two services (or a service and a stale one) never start
//! the same job.

use serde::Serialize;

use super::{Registry, RegistryError, Requester, now_ms};
use crate::process::{alive, own_pid};

#[derive(Clone, Debug)]
pub struct JobStart {
    pub repo_type: String,
    pub repo_id: String,
    pub revision: String,
    pub location: String,
    /// The request as JSON, so the job can be run again.
    pub request: String,
    pub requested_by: Requester,
    pub priority: i64,
    pub bytes_total: i64,
}

const JOB_COLUMNS: &str =
    "id, repo_type, repo_id, revision, location, requested_by, priority, state, created_at,
    updated_at, error, bytes_total, bytes_done, pid, queued_at, waiting";

#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct JobRecord {
    pub id: i64,
    pub repo_type: String,
    pub repo_id: String,
    pub revision: String,
    pub location: String,
    pub requested_by: String,
    pub priority: i64,
    /// `queued`, `running`, `paused`, `done`, `failed` or `cancelled`.
    pub state: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub error: Option<String>,
    pub bytes_total: i64,
    pub bytes_done: i64,
    pub pid: Option<i64>,
    /// When it went into the queue; `None` for a download run at once (`haul download`).
    pub queued_at: Option<i64>,
    /// Why a running job moves no bytes without being paused (outside its schedule's window).
    pub waiting: Option<String>,
}

impl JobRecord {
    pub fn is_active(&self) -> bool {
        matches!(self.state.as_str(), "queued" | "running" | "paused")
    }

    /// Whether a running or paused job's process is gone (killed, crashed, the machine restarted).
    pub fn is_interrupted(&self) -> bool {
        matches!(self.state.as_str(), "running" | "paused") && self.pid.is_some_and(|p| !alive(p))
    }

    /// The state as a user should read it: `interrupted` for a job whose process died, `waiting`
    /// for a running job held outside its window, else the stored state.
    pub fn shown_state(&self) -> &str {
        if self.is_interrupted() {
            "interrupted"
        } else if self.state == "running" && self.waiting.is_some() {
            "waiting"
        } else {
            &self.state
        }
    }
}

/// Which jobs a pause, resume or cancel applies to.
#[derive(Clone, Copy, Debug)]
pub enum JobSelector {
    One(i64),
    All,
}

impl Registry {
    /// Records a download that starts now, in this process.
    pub async fn job_started(&self, job: &JobStart) -> Result<i64, RegistryError> {
        self.insert_job(job, "running", Some(own_pid())).await
    }

    /// Records a download for the queue: a service starts it when its turn comes.
    pub async fn job_queued(&self, job: &JobStart) -> Result<i64, RegistryError> {
        self.insert_job(job, "queued", None).await
    }

    async fn insert_job(
        &self,
        job: &JobStart,
        state: &str,
        pid: Option<i64>,
    ) -> Result<i64, RegistryError> {
        let now = now_ms();
        Ok(sqlx::query(
            "INSERT INTO jobs (repo_type, repo_id, revision, location, request, requested_by, priority, state,
                               created_at, updated_at, bytes_total, bytes_done, pid, queued_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)",
        )
        .bind(&job.repo_type)
        .bind(&job.repo_id)
        .bind(&job.revision)
        .bind(&job.location)
        .bind(&job.request)
        .bind(job.requested_by.as_str())
        .bind(job.priority)
        .bind(state)
        .bind(now)
        .bind(now)
        .bind(job.bytes_total)
        .bind(pid)
        .bind((state == "queued").then_some(now))
        .execute(self.pool())
        .await?
        .last_insert_rowid())
    }

    pub async fn job(&self, id: i64) -> Result<Option<JobRecord>, RegistryError> {
        Ok(
            sqlx::query_as::<_, JobRecord>(&format!("SELECT {JOB_COLUMNS} FROM jobs WHERE id = ?"))
                .bind(id)
                .fetch_optional(self.pool())
                .await?,
        )
    }

    /// The request a job was made from (JSON), to plan it again.
    pub async fn job_request(&self, id: i64) -> Result<Option<String>, RegistryError> {
        Ok(sqlx::query_scalar("SELECT request FROM jobs WHERE id = ?")
            .bind(id)
            .fetch_optional(self.pool())
            .await?)
    }

    /// Active jobs first (by priority, then age), then the most recent finished ones.
    pub async fn jobs(&self, limit: i64) -> Result<Vec<JobRecord>, RegistryError> {
        Ok(sqlx::query_as::<_, JobRecord>(&format!(
            "SELECT {JOB_COLUMNS} FROM jobs
             ORDER BY state IN ('queued', 'running', 'paused') DESC,
                      CASE WHEN state IN ('queued', 'running', 'paused') THEN priority ELSE 0 END DESC,
                      CASE WHEN state IN ('queued', 'running', 'paused') THEN -created_at ELSE updated_at END DESC,
                      id DESC
             LIMIT ?"
        ))
        .bind(limit)
        .fetch_all(self.pool())
        .await?)
    }

    /// Queued jobs in the order a service starts them.
    pub async fn queued_jobs(&self) -> Result<Vec<JobRecord>, RegistryError> {
        Ok(sqlx::query_as::<_, JobRecord>(&format!(
            "SELECT {JOB_COLUMNS} FROM jobs WHERE state = 'queued' ORDER BY priority DESC, created_at, id"
        ))
        .fetch_all(self.pool())
        .await?)
    }

    /// Claims the next queued job for this process (highest priority, then oldest) and marks it
    /// running; `None` when the queue is empty. One statement: two processes never get the same job.
    pub async fn claim_next_queued(&self) -> Result<Option<i64>, RegistryError> {
        Ok(sqlx::query_scalar(
            "UPDATE jobs SET state = 'running', pid = ?1, updated_at = ?2, error = NULL, waiting = NULL
             WHERE id = (SELECT id FROM jobs WHERE state = 'queued' ORDER BY priority DESC, created_at, id LIMIT 1)
               AND state = 'queued'
             RETURNING id",
        )
        .bind(own_pid())
        .bind(now_ms())
        .fetch_optional(self.pool())
        .await?)
    }

    /// A claimed job starts: what it has to fetch, now that it is planned.
    pub async fn job_running(&self, id: i64, bytes_total: i64) -> Result<(), RegistryError> {
        sqlx::query(
            "UPDATE jobs SET bytes_total = ?, bytes_done = 0, pid = ?, updated_at = ? WHERE id = ?",
        )
        .bind(bytes_total)
        .bind(own_pid())
        .bind(now_ms())
        .bind(id)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Puts jobs this process was running back in the queue (a service stopping mid-way); a paused
    /// one stays paused, and goes back to the queue when resumed.
    pub async fn requeue_jobs(&self, ids: &[i64]) -> Result<(), RegistryError> {
        for id in ids {
            sqlx::query(
                "UPDATE jobs SET state = CASE state WHEN 'running' THEN 'queued' ELSE state END,
                                 pid = NULL, waiting = NULL, updated_at = ?
                 WHERE id = ? AND state IN ('running', 'paused')",
            )
            .bind(now_ms())
            .bind(id)
            .execute(self.pool())
            .await?;
        }
        Ok(())
    }

    /// Queue jobs whose process died while running them go back to the queue; returns how many.
    pub async fn requeue_interrupted(&self) -> Result<usize, RegistryError> {
        let orphans: Vec<i64> = sqlx::query_as::<_, JobRecord>(&format!(
            "SELECT {JOB_COLUMNS} FROM jobs WHERE queued_at IS NOT NULL AND state IN ('running', 'paused')"
        ))
        .fetch_all(self.pool())
        .await?
        .into_iter()
        .filter(JobRecord::is_interrupted)
        .map(|j| j.id)
        .collect();
        self.requeue_jobs(&orphans).await?;
        Ok(orphans.len())
    }

    pub async fn job_progress(&self, id: i64, bytes_done: i64) -> Result<(), RegistryError> {
        sqlx::query("UPDATE jobs SET bytes_done = ?, updated_at = ? WHERE id = ?")
            .bind(bytes_done)
            .bind(now_ms())
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Why a running job moves nothing (`None`: it moves again).
    pub async fn job_waiting(&self, id: i64, reason: Option<&str>) -> Result<(), RegistryError> {
        sqlx::query("UPDATE jobs SET waiting = ?, updated_at = ? WHERE id = ?")
            .bind(reason)
            .bind(now_ms())
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Records how a job ended: `done`, `failed`, `cancelled` (or `paused`, waiting for disk space).
    pub async fn job_finished(
        &self,
        id: i64,
        state: &str,
        error: Option<&str>,
    ) -> Result<(), RegistryError> {
        // A finished job has every byte, however few progress reports a quick download made.
        sqlx::query(
            "UPDATE jobs SET state = ?, error = ?, waiting = NULL, updated_at = ?,
                 bytes_done = CASE WHEN ? = 'done' THEN bytes_total ELSE bytes_done END
             WHERE id = ?",
        )
        .bind(state)
        .bind(error)
        .bind(now_ms())
        .bind(state)
        .bind(id)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// A failed or cancelled job goes back to the queue, progress reset; `false` when it is not one.
    pub async fn retry_job(&self, id: i64) -> Result<bool, RegistryError> {
        let now = now_ms();
        Ok(sqlx::query(
            "UPDATE jobs SET state = 'queued', error = NULL, waiting = NULL, pid = NULL, bytes_done = 0,
                             queued_at = ?, updated_at = ?
             WHERE id = ? AND state IN ('failed', 'cancelled')",
        )
        .bind(now)
        .bind(now)
        .bind(id)
        .execute(self.pool())
        .await?
        .rows_affected()
            > 0)
    }

    /// Returns whether the job exists.
    pub async fn set_job_priority(&self, id: i64, priority: i64) -> Result<bool, RegistryError> {
        Ok(
            sqlx::query("UPDATE jobs SET priority = ?, updated_at = ? WHERE id = ?")
                .bind(priority)
                .bind(now_ms())
                .bind(id)
                .execute(self.pool())
                .await?
                .rows_affected()
                > 0,
        )
    }

    /// Moves the selected jobs that are in one of `from` to `to`; returns how many moved.
    pub async fn set_job_state(
        &self,
        selector: JobSelector,
        from: &[&str],
        to: &str,
    ) -> Result<u64, RegistryError> {
        let mut moved = 0;
        for state in from {
            let result = match selector {
                JobSelector::One(id) => {
                    sqlx::query(
                        "UPDATE jobs SET state = ?, updated_at = ? WHERE id = ? AND state = ?",
                    )
                    .bind(to)
                    .bind(now_ms())
                    .bind(id)
                    .bind(state)
                    .execute(self.pool())
                    .await?
                }
                JobSelector::All => {
                    sqlx::query("UPDATE jobs SET state = ?, updated_at = ? WHERE state = ?")
                        .bind(to)
                        .bind(now_ms())
                        .bind(state)
                        .execute(self.pool())
                        .await?
                }
            };
            moved += result.rows_affected();
        }
        Ok(moved)
    }

    /// Resumes the selected paused jobs: one a process is still following runs again; one that
    /// never started, or whose queue run's process is gone, goes back to the queue. Returns how many.
    pub async fn resume_jobs(&self, selector: JobSelector) -> Result<u64, RegistryError> {
        let paused: Vec<JobRecord> = match selector {
            JobSelector::One(id) => self.job(id).await?.into_iter().collect(),
            JobSelector::All => {
                sqlx::query_as::<_, JobRecord>(&format!(
                    "SELECT {JOB_COLUMNS} FROM jobs WHERE state = 'paused'"
                ))
                .fetch_all(self.pool())
                .await?
            }
        };
        let mut moved = 0;
        for job in paused.iter().filter(|j| j.state == "paused") {
            let to_queue = job.pid.is_none() || (job.queued_at.is_some() && job.is_interrupted());
            let result = sqlx::query(
                "UPDATE jobs SET state = ?, pid = CASE WHEN ? THEN NULL ELSE pid END, updated_at = ?
                 WHERE id = ? AND state = 'paused'",
            )
            .bind(if to_queue { "queued" } else { "running" })
            .bind(to_queue)
            .bind(now_ms())
            .bind(job.id)
            .execute(self.pool())
            .await?;
            moved += result.rows_affected();
        }
        Ok(moved)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn start(id: &str, priority: i64) -> JobStart {
        JobStart {
            repo_type: "model".into(),
            repo_id: id.into(),
            revision: "main".into(),
            location: "/c".into(),
            request: "{}".into(),
            requested_by: Requester::Cli,
            priority,
            bytes_total: 10,
        }
    }

    #[tokio::test]
    async fn the_queue_hands_out_jobs_by_priority_then_age_once_each() {
        let dir = tempfile::tempdir().unwrap();
        let registry = Registry::open(&dir.path().join("haul.db")).await.unwrap();
        let low = registry.job_queued(&start("org/low", 0)).await.unwrap();
        let high = registry.job_queued(&start("org/high", 5)).await.unwrap();
        let low2 = registry.job_queued(&start("org/low2", 0)).await.unwrap();
        let paused = registry.job_queued(&start("org/paused", 9)).await.unwrap();
        assert_eq!(
            registry
                .set_job_state(JobSelector::One(paused), &["queued"], "paused")
                .await
                .unwrap(),
            1
        );
        let queued: Vec<i64> = registry
            .queued_jobs()
            .await
            .unwrap()
            .iter()
            .map(|j| j.id)
            .collect();
        assert_eq!(queued, [high, low, low2]);
        assert_eq!(registry.claim_next_queued().await.unwrap(), Some(high));
        let claimed = registry.job(high).await.unwrap().unwrap();
        assert_eq!(
            (claimed.state.as_str(), claimed.pid),
            ("running", Some(own_pid()))
        );
        assert_eq!(registry.claim_next_queued().await.unwrap(), Some(low));
        assert_eq!(registry.claim_next_queued().await.unwrap(), Some(low2));
        assert_eq!(
            registry.claim_next_queued().await.unwrap(),
            None,
            "the paused one waits"
        );

        // Resumed before it ever ran, it goes back to the queue (not to "running" with no process).
        assert_eq!(
            registry
                .resume_jobs(JobSelector::One(paused))
                .await
                .unwrap(),
            1
        );
        assert_eq!(registry.job(paused).await.unwrap().unwrap().state, "queued");

        // A service stopping mid-way puts its jobs back; a failed job can be retried.
        registry.requeue_jobs(&[high]).await.unwrap();
        let back = registry.job(high).await.unwrap().unwrap();
        assert_eq!((back.state.as_str(), back.pid), ("queued", None));
        registry
            .job_finished(low, "failed", Some("boom"))
            .await
            .unwrap();
        assert!(registry.retry_job(low).await.unwrap());
        assert!(
            !registry.retry_job(low).await.unwrap(),
            "a queued job is not retried"
        );
        let retried = registry.job(low).await.unwrap().unwrap();
        assert_eq!((retried.state.as_str(), retried.error), ("queued", None));
        assert!(registry.set_job_priority(low, 50).await.unwrap());
        assert!(!registry.set_job_priority(9999, 1).await.unwrap());
        assert_eq!(registry.claim_next_queued().await.unwrap(), Some(low));
    }

    #[tokio::test]
    async fn a_held_job_shows_as_waiting_and_a_dead_ones_as_interrupted() {
        let dir = tempfile::tempdir().unwrap();
        let registry = Registry::open(&dir.path().join("haul.db")).await.unwrap();
        let id = registry.job_started(&start("org/m", 0)).await.unwrap();
        registry
            .job_waiting(id, Some("outside window daily 01:00-02:00"))
            .await
            .unwrap();
        let job = registry.job(id).await.unwrap().unwrap();
        assert_eq!(job.shown_state(), "waiting");
        registry.job_waiting(id, None).await.unwrap();
        assert_eq!(
            registry.job(id).await.unwrap().unwrap().shown_state(),
            "running"
        );

        let mut child = std::process::Command::new("true").spawn().unwrap();
        let dead = i64::from(child.id());
        child.wait().unwrap();
        let queued = registry.job_queued(&start("org/q", 0)).await.unwrap();
        sqlx::query("UPDATE jobs SET state = 'running', pid = ? WHERE id IN (?, ?)")
            .bind(dead)
            .bind(id)
            .bind(queued)
            .execute(registry.pool())
            .await
            .unwrap();
        assert_eq!(
            registry.job(id).await.unwrap().unwrap().shown_state(),
            "interrupted"
        );
        assert_eq!(
            registry.requeue_interrupted().await.unwrap(),
            1,
            "only the queue's job"
        );
        assert_eq!(registry.job(queued).await.unwrap().unwrap().state, "queued");
    }
}
