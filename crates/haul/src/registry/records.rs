//! The rows of the registry as Rust values, and who asked for a download.

use serde::{Deserialize, Serialize};

use crate::repo_ref::RepoType;

/// Who asked for a download.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Requester {
    #[default]
    Cli,
    App,
    Schedule,
}

impl Requester {
    pub fn as_str(self) -> &'static str {
        match self {
            Requester::Cli => "cli",
            Requester::App => "app",
            Requester::Schedule => "schedule",
        }
    }
}

/// A repo at one location (the HF cache, or a local dir).
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct ModelRecord {
    pub id: i64,
    pub repo_type: String,
    pub repo_id: String,
    pub location: String,
    pub location_kind: String,
    pub revision: String,
    pub commit_sha: String,
    pub size_bytes: i64,
    /// `complete`, `partial` or `missing`.
    pub state: String,
    pub added_at: i64,
    pub updated_at: i64,
    pub last_checked_at: Option<i64>,
    pub last_used_at: Option<i64>,
}

#[derive(Clone, Debug, Serialize, Deserialize, sqlx::FromRow, PartialEq, Eq)]
pub struct FileRecord {
    pub commit_sha: String,
    pub path: String,
    pub size_bytes: i64,
    pub etag: String,
    /// `sha256` or `git-sha1`.
    pub algorithm: String,
}

/// What to write for a model; `files: None` keeps the files already recorded.
#[derive(Clone, Debug)]
pub struct ModelUpsert {
    pub repo_type: String,
    pub repo_id: String,
    pub location: String,
    pub location_kind: String,
    pub revision: String,
    pub commit_sha: String,
    pub size_bytes: i64,
    pub state: String,
    pub files: Option<Vec<FileRecord>>,
}

#[derive(Clone, Debug, Default)]
pub struct ModelFilter {
    pub repo_type: Option<String>,
    pub name_contains: Option<String>,
    pub location: Option<String>,
}

#[derive(Clone, Debug)]
pub struct DownloadStart {
    pub repo_type: RepoType,
    pub repo_id: String,
    pub revision: String,
    pub location: String,
    pub requested_by: Requester,
}

#[derive(Clone, Debug)]
pub struct DownloadFinish {
    pub commit_sha: Option<String>,
    pub files_fetched: i64,
    pub bytes_fetched: i64,
    pub duration_ms: i64,
    /// `None` for success.
    pub error: Option<String>,
}

/// One row of download history.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct DownloadRecord {
    pub id: i64,
    pub repo_type: String,
    pub repo_id: String,
    pub revision: String,
    pub commit_sha: Option<String>,
    pub location: String,
    pub requested_by: String,
    pub requested_at: i64,
    pub finished_at: Option<i64>,
    pub files_fetched: i64,
    pub bytes_fetched: i64,
    pub duration_ms: i64,
    /// `running`, `ok` or `failed`.
    pub result: String,
    pub error: Option<String>,
}

impl DownloadRecord {
    /// Bytes per second over the whole download.
    pub fn average_speed(&self) -> f64 {
        if self.duration_ms > 0 {
            self.bytes_fetched as f64 * 1000.0 / self.duration_ms as f64
        } else {
            0.0
        }
    }
}
