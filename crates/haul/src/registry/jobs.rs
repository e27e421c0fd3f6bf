//! Jobs in the registry: one row per download being run, with its progress and process, so any
//! process can list them and pause, resume or cancel them (the running process follows the row).

use serde::Serialize;

use super::{Registry, RegistryError, Requester, now_ms};

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
}

impl JobRecord {
    pub fn is_active(&self) -> bool {
        matches!(self.state.as_str(), "queued" | "running" | "paused")
    }
}

/// Which jobs a pause, resume or cancel applies to.
#[derive(Clone, Copy, Debug)]
pub enum JobSelector {
    One(i64),
    All,
}

impl Registry {
    pub async fn job_started(&self, job: &JobStart) -> Result<i64, RegistryError> {
        let now = now_ms();
        Ok(sqlx::query(
            "INSERT INTO jobs (repo_type, repo_id, revision, location, request, requested_by, priority, state,
                               created_at, updated_at, bytes_total, bytes_done, pid)
             VALUES (?, ?, ?, ?, ?, ?, ?, 'running', ?, ?, ?, 0, ?)",
        )
        .bind(&job.repo_type)
        .bind(&job.repo_id)
        .bind(&job.revision)
        .bind(&job.location)
        .bind(&job.request)
        .bind(job.requested_by.as_str())
        .bind(job.priority)
        .bind(now)
        .bind(now)
        .bind(job.bytes_total)
        .bind(i64::from(std::process::id()))
        .execute(self.pool())
        .await?
        .last_insert_rowid())
    }

    pub async fn job(&self, id: i64) -> Result<Option<JobRecord>, RegistryError> {
        Ok(sqlx::query_as::<_, JobRecord>(
            "SELECT id, repo_type, repo_id, revision, location, requested_by, priority, state, created_at, updated_at,
                    error, bytes_total, bytes_done, pid
             FROM jobs WHERE id = ?",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?)
    }

    /// Active jobs first (by priority, then age), then the most recent finished ones.
    pub async fn jobs(&self, limit: i64) -> Result<Vec<JobRecord>, RegistryError> {
        Ok(sqlx::query_as::<_, JobRecord>(
            "SELECT id, repo_type, repo_id, revision, location, requested_by, priority, state, created_at, updated_at,
                    error, bytes_total, bytes_done, pid
             FROM jobs
             ORDER BY state IN ('queued', 'running', 'paused') DESC, priority DESC, updated_at DESC, id DESC LIMIT ?",
        )
        .bind(limit)
        .fetch_all(self.pool())
        .await?)
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

    /// Records how a job ended: `done`, `failed` or `cancelled`.
    pub async fn job_finished(
        &self,
        id: i64,
        state: &str,
        error: Option<&str>,
    ) -> Result<(), RegistryError> {
        sqlx::query("UPDATE jobs SET state = ?, error = ?, updated_at = ? WHERE id = ?")
            .bind(state)
            .bind(error)
            .bind(now_ms())
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(())
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
}
