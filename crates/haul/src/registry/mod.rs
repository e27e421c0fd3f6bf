//! The registry: a SQLite database (WAL, migrations embedded at build time) recording what Haul has
//! downloaded, where, every file's hash, and the history of downloads. The cache on disk stays the
//! truth for files; the registry is the memory around it and can be rebuilt from the cache by a scan.
//! Several processes (the app, a CLI, the daemon) use it at once: WAL lets readers and one writer
//! proceed together, and a busy timeout makes writers wait their turn instead of failing.

mod jobs;
mod records;
mod schedules;

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

pub use jobs::{JobRecord, JobSelector, JobStart};
pub use records::{
    DownloadFinish, DownloadRecord, DownloadStart, FileRecord, ModelFilter, ModelRecord,
    ModelUpsert, Requester,
};
pub use schedules::{ClaimOutcome, ScheduleClaim, ScheduleRun};

/// The migrations, compiled into the binary.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    #[error(
        "cannot open Haul's database at {}: {reason}. If it is damaged, move it aside; `haul scan` rebuilds the library from the cache",
        path.display()
    )]
    Open { path: PathBuf, reason: String },
    #[error(
        "Haul's database at {} was written by a newer Haul (schema {found}, this one knows {known}): upgrade Haul",
        path.display()
    )]
    TooNew {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    #[error(
        "Haul's database failed: {0}. If it persists, move the database aside; `haul scan` rebuilds the library"
    )]
    Query(String),
}

impl From<sqlx::Error> for RegistryError {
    fn from(e: sqlx::Error) -> Self {
        RegistryError::Query(e.to_string())
    }
}

/// Milliseconds since the Unix epoch: how the registry stores time.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

#[derive(Clone, Debug)]
pub struct Registry {
    pool: SqlitePool,
    path: PathBuf,
}

impl Registry {
    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    pub async fn open(path: &Path) -> Result<Registry, RegistryError> {
        let open_error = |reason: String| RegistryError::Open {
            path: path.to_path_buf(),
            reason,
        };
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| open_error(e.to_string()))?;
        }
        // Creating the file, switching it to WAL (which needs the database to itself, and does not
        // wait for a busy one) and migrating happen under one lock, so that processes opening a new
        // database at once take turns instead of one failing with "database is locked".
        let mut lock_name = path
            .file_name()
            .map(|n| n.to_os_string())
            .unwrap_or_default();
        lock_name.push(".migrate.lock");
        let _lock = crate::cache::FileLock::acquire(&path.with_file_name(lock_name))
            .await
            .map_err(|e| open_error(e.to_string()))?;
        let url = format!("sqlite://{}", path.display());
        let options = SqliteConnectOptions::from_str(&url)
            .map_err(|e| open_error(e.to_string()))?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            // Another process may hold the write lock for a moment; wait rather than fail.
            .busy_timeout(Duration::from_secs(15));
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await
            .map_err(|e| open_error(e.to_string()))?;
        let registry = Registry {
            pool,
            path: path.to_path_buf(),
        };
        registry.migrate().await?;
        Ok(registry)
    }

    async fn migrate(&self) -> Result<(), RegistryError> {
        let known = MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0);
        let applied: Option<i64> =
            sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations WHERE success = 1")
                .fetch_one(&self.pool)
                .await
                .unwrap_or(None);
        if let Some(found) = applied.filter(|v| *v > known) {
            return Err(RegistryError::TooNew {
                path: self.path.clone(),
                found,
                known,
            });
        }
        MIGRATOR
            .run(&self.pool)
            .await
            .map_err(|e| RegistryError::Open {
                path: self.path.clone(),
                reason: format!("migration failed: {e}"),
            })
    }

    pub(crate) fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version in force.
    pub async fn schema_version(&self) -> Result<i64, RegistryError> {
        Ok(sqlx::query_scalar(
            "SELECT COALESCE(MAX(version), 0) FROM _sqlx_migrations WHERE success = 1",
        )
        .fetch_one(&self.pool)
        .await?)
    }

    /// SQLite's own consistency check: `ok` when the file is sound.
    pub async fn integrity_check(&self) -> Result<String, RegistryError> {
        Ok(sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_one(&self.pool)
            .await?)
    }

    /// Closes every connection (checkpointing the WAL), e.g. before the process exits.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    // --- download history ---

    pub async fn download_started(&self, start: &DownloadStart) -> Result<i64, RegistryError> {
        let id = sqlx::query(
            "INSERT INTO downloads (repo_type, repo_id, revision, location, requested_by, requested_at, result)
             VALUES (?, ?, ?, ?, ?, ?, 'running')",
        )
        .bind(start.repo_type.as_str())
        .bind(&start.repo_id)
        .bind(&start.revision)
        .bind(&start.location)
        .bind(start.requested_by.as_str())
        .bind(now_ms())
        .execute(&self.pool)
        .await?
        .last_insert_rowid();
        Ok(id)
    }

    pub async fn download_finished(
        &self,
        id: i64,
        finish: &DownloadFinish,
    ) -> Result<(), RegistryError> {
        sqlx::query(
            "UPDATE downloads SET commit_sha = ?, finished_at = ?, files_fetched = ?, bytes_fetched = ?,
                                  duration_ms = ?, result = ?, error = ?
             WHERE id = ?",
        )
        .bind(&finish.commit_sha)
        .bind(now_ms())
        .bind(finish.files_fetched)
        .bind(finish.bytes_fetched)
        .bind(finish.duration_ms)
        .bind(if finish.error.is_none() { "ok" } else { "failed" })
        .bind(&finish.error)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Newest first.
    pub async fn history(
        &self,
        repo_type: &str,
        repo_id: &str,
        limit: i64,
    ) -> Result<Vec<DownloadRecord>, RegistryError> {
        Ok(sqlx::query_as::<_, DownloadRecord>(
            "SELECT id, repo_type, repo_id, revision, commit_sha, location, requested_by, requested_at, finished_at,
                    files_fetched, bytes_fetched, duration_ms, result, error
             FROM downloads WHERE repo_type = ? AND repo_id = ? ORDER BY requested_at DESC, id DESC LIMIT ?",
        )
        .bind(repo_type)
        .bind(repo_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn count_downloads(&self) -> Result<i64, RegistryError> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM downloads")
            .fetch_one(&self.pool)
            .await?)
    }

    // --- models and their files ---

    /// Records a model at a location with the files of one commit, replacing what was known of that commit.
    pub async fn upsert_model(&self, model: &ModelUpsert) -> Result<i64, RegistryError> {
        let now = now_ms();
        // The transaction opens with a write, so it takes the write lock at once (no read-to-write upgrade to deadlock on).
        let mut tx = self.pool.begin().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO models (repo_type, repo_id, location, location_kind, revision, commit_sha, size_bytes, state,
                                 added_at, updated_at, last_checked_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (repo_type, repo_id, location) DO UPDATE SET
                 location_kind = excluded.location_kind, revision = excluded.revision,
                 commit_sha = excluded.commit_sha, size_bytes = excluded.size_bytes, state = excluded.state,
                 updated_at = excluded.updated_at, last_checked_at = excluded.last_checked_at
             RETURNING id",
        )
        .bind(&model.repo_type)
        .bind(&model.repo_id)
        .bind(&model.location)
        .bind(&model.location_kind)
        .bind(&model.revision)
        .bind(&model.commit_sha)
        .bind(model.size_bytes)
        .bind(&model.state)
        .bind(now)
        .bind(now)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        if let Some(files) = &model.files {
            sqlx::query("DELETE FROM files WHERE model_id = ? AND commit_sha = ?")
                .bind(id)
                .bind(&model.commit_sha)
                .execute(&mut *tx)
                .await?;
            for file in files {
                sqlx::query(
                    "INSERT INTO files (model_id, commit_sha, path, size_bytes, etag, algorithm) VALUES (?, ?, ?, ?, ?, ?)",
                )
                .bind(id)
                .bind(&model.commit_sha)
                .bind(&file.path)
                .bind(file.size_bytes)
                .bind(&file.etag)
                .bind(&file.algorithm)
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await?;
        Ok(id)
    }

    pub async fn list_models(
        &self,
        filter: &ModelFilter,
    ) -> Result<Vec<ModelRecord>, RegistryError> {
        Ok(sqlx::query_as::<_, ModelRecord>(
            "SELECT id, repo_type, repo_id, location, location_kind, revision, commit_sha, size_bytes, state,
                    added_at, updated_at, last_checked_at, last_used_at
             FROM models
             WHERE (?1 IS NULL OR repo_type = ?1)
               AND (?2 IS NULL OR instr(lower(repo_id), lower(?2)) > 0)
               AND (?3 IS NULL OR location = ?3)
             ORDER BY repo_type, repo_id, location",
        )
        .bind(filter.repo_type.as_deref())
        .bind(filter.name_contains.as_deref())
        .bind(filter.location.as_deref())
        .fetch_all(&self.pool)
        .await?)
    }

    /// The model records of one repo (one per location it was downloaded to).
    pub async fn find_models(
        &self,
        repo_type: &str,
        repo_id: &str,
    ) -> Result<Vec<ModelRecord>, RegistryError> {
        Ok(sqlx::query_as::<_, ModelRecord>(
            "SELECT id, repo_type, repo_id, location, location_kind, revision, commit_sha, size_bytes, state,
                    added_at, updated_at, last_checked_at, last_used_at
             FROM models WHERE repo_type = ? AND repo_id = ? ORDER BY location",
        )
        .bind(repo_type)
        .bind(repo_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// The files of a model, for one commit or all.
    pub async fn files(
        &self,
        model_id: i64,
        commit_sha: Option<&str>,
    ) -> Result<Vec<FileRecord>, RegistryError> {
        Ok(sqlx::query_as::<_, FileRecord>(
            "SELECT commit_sha, path, size_bytes, etag, algorithm FROM files
             WHERE model_id = ? AND (?2 IS NULL OR commit_sha = ?2) ORDER BY commit_sha, path",
        )
        .bind(model_id)
        .bind(commit_sha)
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn set_state(
        &self,
        model_id: i64,
        state: &str,
        size_bytes: i64,
    ) -> Result<(), RegistryError> {
        sqlx::query(
            "UPDATE models SET state = ?, size_bytes = ?, last_checked_at = ? WHERE id = ?",
        )
        .bind(state)
        .bind(size_bytes)
        .bind(now_ms())
        .bind(model_id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Notes that the model was just compared with the Hub.
    pub async fn set_checked(&self, model_id: i64) -> Result<(), RegistryError> {
        sqlx::query("UPDATE models SET last_checked_at = ? WHERE id = ?")
            .bind(now_ms())
            .bind(model_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn forget_revision(
        &self,
        model_id: i64,
        commit_sha: &str,
    ) -> Result<(), RegistryError> {
        sqlx::query("DELETE FROM files WHERE model_id = ? AND commit_sha = ?")
            .bind(model_id)
            .bind(commit_sha)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Forgets a model and its files; its download history stays.
    pub async fn forget_model(&self, model_id: i64) -> Result<(), RegistryError> {
        sqlx::query("DELETE FROM models WHERE id = ?")
            .bind(model_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo_ref::RepoType;

    #[tokio::test]
    async fn records_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let registry = Registry::open(&dir.path().join("sub/haul.db"))
            .await
            .unwrap();
        assert_eq!(registry.schema_version().await.unwrap(), 5);
        let upsert = ModelUpsert {
            repo_type: "model".into(),
            repo_id: "org/m".into(),
            location: "/c".into(),
            location_kind: "cache".into(),
            revision: "main".into(),
            commit_sha: "a".repeat(40),
            size_bytes: 10,
            state: "complete".into(),
            files: Some(vec![FileRecord {
                commit_sha: "a".repeat(40),
                path: "x.bin".into(),
                size_bytes: 10,
                etag: "e".repeat(64),
                algorithm: "sha256".into(),
            }]),
        };
        let id = registry.upsert_model(&upsert).await.unwrap();
        assert_eq!(
            registry.upsert_model(&upsert).await.unwrap(),
            id,
            "same repo and location: same row"
        );
        let listed = registry
            .list_models(&ModelFilter {
                name_contains: Some("ORG/".into()),
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(registry.files(id, None).await.unwrap().len(), 1);
        assert!(
            registry
                .list_models(&ModelFilter {
                    repo_type: Some("dataset".into()),
                    ..Default::default()
                })
                .await
                .unwrap()
                .is_empty()
        );

        let start = DownloadStart {
            repo_type: RepoType::Model,
            repo_id: "org/m".into(),
            revision: "main".into(),
            location: "/c".into(),
            requested_by: Requester::Cli,
        };
        let d = registry.download_started(&start).await.unwrap();
        let finish = DownloadFinish {
            commit_sha: Some("a".repeat(40)),
            files_fetched: 1,
            bytes_fetched: 10,
            duration_ms: 5,
            error: None,
        };
        registry.download_finished(d, &finish).await.unwrap();
        let history = registry.history("model", "org/m", 10).await.unwrap();
        assert_eq!(
            (history[0].result.as_str(), history[0].bytes_fetched),
            ("ok", 10)
        );
        registry.forget_model(id).await.unwrap();
        assert!(
            registry.files(id, None).await.unwrap().is_empty(),
            "files go with their model"
        );
        assert_eq!(
            registry.history("model", "org/m", 10).await.unwrap().len(),
            1,
            "history stays"
        );
    }
}
