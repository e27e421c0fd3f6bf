//! Advisory file locks (`flock`) on the same `.lock` files the Python client uses, so Haul and
//! `huggingface_hub` never write the same blob at once.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::CacheError;

/// Held while a blob is written; the lock is released when this is dropped.
pub struct FileLock {
    _file: File,
    path: PathBuf,
}

impl FileLock {
    /// Waits (without blocking the runtime) until the lock at `path` is ours.
    pub async fn acquire(path: &Path) -> Result<FileLock, CacheError> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| CacheError::io("create the lock folder", parent, e))?;
        }
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(path)
            .map_err(|e| CacheError::io("open the lock file", path, e))?;
        let mut waited = Duration::ZERO;
        loop {
            match file.try_lock() {
                Ok(()) => {
                    return Ok(FileLock {
                        _file: file,
                        path: path.to_path_buf(),
                    });
                }
                Err(TryLockError::WouldBlock) => {
                    if waited.as_secs() > 0 && waited.as_millis().is_multiple_of(10_000) {
                        tracing::info!(path = %path.display(), "waiting for another process to finish writing this file");
                    }
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    waited += Duration::from_millis(100);
                }
                Err(TryLockError::Error(e)) => return Err(CacheError::io("lock", path, e)),
            }
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}
