//! Fetching the bytes: several files at once, one connection each, every byte hashed as it is
//! written. A dropped connection resumes with `Range` from the last byte written; an expired CDN link
//! is resolved again; a server that ignores `Range` is noticed and the file restarted; a file whose
//! hash does not match is fetched once more and never becomes a blob.

mod bandwidth;
pub mod control;
mod positioned;
mod progress_file;
mod ranges;
mod segmented;

pub use bandwidth::RateLimiter;
pub use control::{Control, ControlState};
pub use progress_file::path_for as progress_record_path;
use segmented::Segmented;

/// What a checkpointed partial file at `incomplete` already holds of this content (0 when untrusted).
pub fn resumable_bytes(incomplete: &std::path::Path, etag: &str, size: u64) -> u64 {
    progress_file::ProgressRecord::load(incomplete, etag, size).map_or(0, |r| r.done.covered())
}

/// Files at least this large are fetched over several connections and resume across runs.
pub const SEGMENTED_MIN_SIZE: u64 = 8 << 20;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use tokio::io::{AsyncSeekExt, AsyncWriteExt};
use tokio::sync::{Semaphore, broadcast};
use url::Url;

use crate::cache::{CacheError, FileLock, Presence, Store};
use crate::events::{Event, Progress};
use crate::hub::{HubClient, HubError, OpenError, RepoTarget, backoff, describe_transport_error};
use crate::plan::PlannedFile;
use crate::verify::StreamingHasher;

#[derive(Clone, Debug)]
pub struct TransferOptions {
    /// Files fetched at once.
    pub max_workers: usize,
    /// Connections one large file is fetched over.
    pub connections_per_file: usize,
    /// Connections open at once across all files of a download.
    pub max_connections: usize,
    /// The bandwidth limit every connection draws from (shared, changeable while running).
    pub limiter: Arc<RateLimiter>,
    /// Attempts without progress before a file fails.
    pub retries: u32,
    pub retry_base_delay: Duration,
    /// Whole-file re-fetches after a hash mismatch before the file is reported corrupt.
    pub corrupt_refetches: u32,
}

#[derive(Debug, thiserror::Error)]
pub enum TransferError {
    #[error(transparent)]
    Hub(#[from] HubError),
    #[error(transparent)]
    Cache(#[from] CacheError),
    #[error(
        "'{path}' arrived corrupted {attempts} times in a row (expected {algorithm} {expected}, got {actual}); nothing was kept. The server or a proxy is altering the file: try again later or another endpoint"
    )]
    HashMismatch {
        path: String,
        algorithm: &'static str,
        expected: String,
        actual: String,
        attempts: u32,
    },
    #[error(
        "'{path}' could not be fetched after {attempts} attempts: {reason}. Run the same command again to continue"
    )]
    Exhausted {
        path: String,
        attempts: u32,
        reason: String,
    },
    #[error("the download was cancelled; files already finished are kept")]
    Cancelled,
}

/// What became of one file.
pub struct FileOutcome {
    pub path: String,
    pub result: Result<PathBuf, TransferError>,
}

/// Everything a worker needs, shared by all of them.
pub struct TransferJob {
    pub hub: HubClient,
    pub repo_type: crate::repo_ref::RepoType,
    pub repo_id: String,
    pub commit: String,
    pub store: Store,
    pub options: TransferOptions,
    pub progress: Arc<Progress>,
    pub events: broadcast::Sender<Event>,
    /// Caps the connections open at once (`max_connections`).
    pub connections: Semaphore,
    /// Pause, resume, cancel.
    pub control: Control,
}

impl TransferJob {
    fn target(&self) -> RepoTarget<'_> {
        RepoTarget {
            repo_type: self.repo_type,
            repo_id: &self.repo_id,
        }
    }

    /// Fetches every file, `max_workers` at a time; one file's failure does not stop the others.
    pub async fn run(self: Arc<Self>, files: Vec<PlannedFile>) -> Vec<FileOutcome> {
        let permits = Arc::new(Semaphore::new(self.options.max_workers.max(1)));
        let mut tasks = tokio::task::JoinSet::new();
        for file in files {
            let job = Arc::clone(&self);
            let permits = Arc::clone(&permits);
            tasks.spawn(async move {
                let _permit = permits.acquire_owned().await;
                let result = job.fetch_file(&file).await;
                FileOutcome {
                    path: file.path.clone(),
                    result,
                }
            });
        }
        let mut outcomes = Vec::new();
        while let Some(joined) = tasks.join_next().await {
            match joined {
                Ok(outcome) => outcomes.push(outcome),
                Err(e) => tracing::error!("a download worker stopped unexpectedly: {e}"),
            }
        }
        outcomes
    }

    async fn fetch_file(&self, file: &PlannedFile) -> Result<PathBuf, TransferError> {
        let paths = self.store.write_paths(&file.path, &file.etag)?;
        let _lock = FileLock::acquire(&paths.lock).await?;
        // Another process may have finished this content while we waited for the lock.
        if self
            .store
            .presence(&file.path, &file.etag, file.size, &self.commit)?
            != Presence::Missing
        {
            self.progress.file_finished(&file.path);
            return Ok(self
                .store
                .link_existing(&file.path, &file.etag, &self.commit)?);
        }
        let _ = self.events.send(Event::FileStarted {
            path: file.path.clone(),
            size: file.size,
        });
        self.progress.file_started(&file.path, file.size);
        let result = self.fetch_verified(file, &paths.incomplete).await;
        let result = match result {
            Ok(()) => self
                .store
                .place(&file.path, &file.etag, &self.commit, &paths.incomplete)
                .map_err(TransferError::from),
            Err(e) => Err(e),
        };
        match &result {
            Ok(_) => {
                let _ = self.events.send(Event::FileVerified {
                    path: file.path.clone(),
                    size: file.size,
                    algorithm: file.hash.algorithm().to_string(),
                });
            }
            Err(e) => {
                // A partial file is never a blob. One with a progress record is kept for the next run
                // to resume (a full disk pauses the file: what landed is intact and stays).
                let resumable = progress_file::path_for(&paths.incomplete).exists()
                    && !matches!(e, TransferError::Cancelled);
                if !resumable {
                    let _ = tokio::fs::remove_file(&paths.incomplete).await;
                    progress_file::ProgressRecord::remove(&paths.incomplete);
                }
                let _ = self.events.send(Event::FileFailed {
                    path: file.path.clone(),
                    error: e.to_string(),
                });
            }
        }
        self.progress.file_finished(&file.path);
        result
    }

    /// Downloads into `incomplete` until the content hashes to what the Hub published.
    async fn fetch_verified(
        &self,
        file: &PlannedFile,
        incomplete: &Path,
    ) -> Result<(), TransferError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let actual = if file.size >= SEGMENTED_MIN_SIZE {
                match self.fetch_segmented(file, incomplete).await? {
                    Segmented::Done(hash) => hash,
                    Segmented::RangeUnsupported => {
                        tracing::info!(path = %file.path, "the server ignores byte ranges: one connection, from the start");
                        self.progress.rewind(&file.path, file.size);
                        self.fetch_once(file, incomplete).await?
                    }
                }
            } else {
                self.fetch_once(file, incomplete).await?
            };
            if actual == file.hash.hex() {
                return Ok(());
            }
            progress_file::ProgressRecord::remove(incomplete);
            self.progress.rewind(&file.path, file.size);
            tracing::warn!(path = %file.path, expected = file.hash.hex(), actual, "hash mismatch");
            if attempt > self.options.corrupt_refetches {
                return Err(TransferError::HashMismatch {
                    path: file.path.clone(),
                    algorithm: file.hash.algorithm(),
                    expected: file.hash.hex().to_string(),
                    actual,
                    attempts: attempt,
                });
            }
            let _ = self.events.send(Event::FileRetrying {
                path: file.path.clone(),
                attempt,
                reason: "the content did not match its hash; fetching it again".into(),
            });
        }
    }

    /// One pass over the file from byte 0, resuming after drops; returns the hash of what was written.
    async fn fetch_once(
        &self,
        file: &PlannedFile,
        incomplete: &Path,
    ) -> Result<String, TransferError> {
        if let Some(parent) = incomplete.parent() {
            tokio::fs::create_dir_all(parent)
                .await
                .map_err(|e| CacheError::io("create", parent, e))?;
        }
        let mut out = tokio::fs::File::create(incomplete)
            .await
            .map_err(|e| CacheError::io("create", incomplete, e))?;
        let mut hasher = StreamingHasher::new(&file.hash, file.size);
        let mut written: u64 = 0;
        let mut cdn_url: Option<Url> = None;
        let mut failures: u32 = 0;
        let mut last_reason = String::new();
        let mut control = self.control.watch();
        while written < file.size {
            if control::checkpoint(&mut control).await == ControlState::Cancelled {
                return Err(TransferError::Cancelled);
            }
            if failures >= self.options.retries {
                return Err(TransferError::Exhausted {
                    path: file.path.clone(),
                    attempts: failures,
                    reason: last_reason,
                });
            }
            let _permit = self.connections.acquire().await;
            let opened = self
                .hub
                .open_file(
                    self.target(),
                    &self.commit,
                    &file.path,
                    written,
                    None,
                    cdn_url.as_ref(),
                )
                .await;
            let opened = match opened {
                Ok(opened) => opened,
                Err(OpenError::Expired) => {
                    // Signed CDN links expire; the cure is a fresh one, not a failure.
                    cdn_url = None;
                    failures += 1;
                    last_reason = "the download link kept expiring".into();
                    continue;
                }
                Err(OpenError::RangeNotSatisfiable) => {
                    self.restart(file, &mut out, &mut hasher, &mut written, incomplete)
                        .await?;
                    failures += 1;
                    last_reason = "the server refused the byte range".into();
                    continue;
                }
                Err(OpenError::Transient {
                    reason,
                    wait,
                    status,
                }) => {
                    failures += 1;
                    last_reason = reason;
                    if status == Some(403) {
                        cdn_url = None;
                    }
                    self.pause_before_retry(file, failures, &last_reason, wait)
                        .await;
                    continue;
                }
                Err(OpenError::Fatal(e)) => return Err(e.into()),
            };
            if opened.redirected {
                cdn_url = Some(opened.served_from.clone());
            }
            if opened.start != written {
                // The server ignored Range and sends from byte 0: start over rather than append.
                tracing::info!(path = %file.path, "the server ignored the byte range; restarting this file from the beginning");
                self.restart(file, &mut out, &mut hasher, &mut written, incomplete)
                    .await?;
            }
            let before = written;
            let mut stream = opened.response.bytes_stream();
            let mut dropped: Option<String> = None;
            while let Some(chunk) = stream.next().await {
                let chunk = match chunk {
                    Ok(chunk) => chunk,
                    Err(e) => {
                        dropped = Some(describe_transport_error(&e));
                        break;
                    }
                };
                self.options.limiter.acquire(chunk.len()).await;
                let room = file.size - written;
                let usable = &chunk[..chunk.len().min(usize::try_from(room).unwrap_or(usize::MAX))];
                out.write_all(usable)
                    .await
                    .map_err(|e| CacheError::io("write", incomplete, e))?;
                hasher.update(usable);
                written += usable.len() as u64;
                self.progress.add(&file.path, usable.len() as u64);
                if usable.len() < chunk.len() {
                    // More bytes than the Hub said the file has: what we have is hashed and judged.
                    tracing::warn!(path = %file.path, "the server sent more bytes than the file's size");
                    break;
                }
                if !control::is_running(&control) {
                    break;
                }
            }
            if written >= file.size {
                break;
            }
            if !control::is_running(&control) {
                // Paused or cancelled: the connection is let go; the loop's checkpoint waits or ends.
                continue;
            }
            let reason = dropped.unwrap_or_else(|| "the connection closed early".into());
            // Progress earns fresh attempts: only a connection that delivers nothing counts against the file.
            failures = if written > before { 1 } else { failures + 1 };
            last_reason = reason;
            self.pause_before_retry(file, failures, &last_reason, None)
                .await;
        }
        out.flush()
            .await
            .map_err(|e| CacheError::io("write", incomplete, e))?;
        out.sync_all()
            .await
            .map_err(|e| CacheError::io("write", incomplete, e))?;
        Ok(hasher.finish_hex())
    }

    async fn restart(
        &self,
        file: &PlannedFile,
        out: &mut tokio::fs::File,
        hasher: &mut StreamingHasher,
        written: &mut u64,
        incomplete: &Path,
    ) -> Result<(), TransferError> {
        out.set_len(0)
            .await
            .map_err(|e| CacheError::io("truncate", incomplete, e))?;
        out.seek(std::io::SeekFrom::Start(0))
            .await
            .map_err(|e| CacheError::io("rewind", incomplete, e))?;
        *hasher = StreamingHasher::new(&file.hash, file.size);
        self.progress.rewind(&file.path, *written);
        *written = 0;
        Ok(())
    }

    async fn pause_before_retry(
        &self,
        file: &PlannedFile,
        attempt: u32,
        reason: &str,
        advised: Option<Duration>,
    ) {
        let wait = advised
            .unwrap_or_else(|| backoff(self.options.retry_base_delay, attempt.saturating_sub(1)));
        tracing::info!(path = %file.path, attempt, ?wait, reason, "retrying");
        let _ = self.events.send(Event::FileRetrying {
            path: file.path.clone(),
            attempt,
            reason: reason.to_string(),
        });
        tokio::time::sleep(wait).await;
    }
}
