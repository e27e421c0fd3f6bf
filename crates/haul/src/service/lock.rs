//! One service per data dir: the tray app or `haul daemon`, never both. An exclusive flock on
//! `service.lock` in the data dir, holding the owner's pid and start time so a second one can say who
//! is already running. The kernel drops the lock when the process dies, however it dies.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error(
        "another Haul service is already running{} (it holds {}): stop it first (`systemctl --user stop haul`, or quit the app), or let it do the work",
        owner.as_ref().map(|o| format!(" (pid {})", o.pid)).unwrap_or_default(),
        path.display()
    )]
    AlreadyRunning { path: PathBuf, owner: Option<Owner> },
    #[error("cannot install the service: {0}")]
    Install(String),
    #[error("the service's scheduler failed: {0}")]
    Scheduler(String),
    #[error("cannot take the service lock at {}: {source}", path.display())]
    Lock {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Who holds the lock.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Owner {
    pub pid: u32,
    pub started_ms: i64,
}

/// Held for the life of the service.
#[derive(Debug)]
pub struct ServiceLock {
    _file: File,
    path: PathBuf,
}

fn read_owner(file: &mut File) -> Option<Owner> {
    let mut text = String::new();
    file.seek(SeekFrom::Start(0)).ok()?;
    file.read_to_string(&mut text).ok()?;
    let mut lines = text.lines();
    let pid = lines.next()?.trim().parse().ok()?;
    let started_ms = lines.next()?.trim().parse().ok()?;
    Some(Owner { pid, started_ms })
}

impl ServiceLock {
    pub fn path_in(data_dir: &Path) -> PathBuf {
        data_dir.join("service.lock")
    }

    /// Takes the lock, or says who has it.
    pub fn acquire(data_dir: &Path) -> Result<ServiceLock, ServiceError> {
        let path = ServiceLock::path_in(data_dir);
        let lock_error = |source| ServiceError::Lock {
            path: path.clone(),
            source,
        };
        std::fs::create_dir_all(data_dir).map_err(lock_error)?;
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(lock_error)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                return Err(ServiceError::AlreadyRunning {
                    owner: read_owner(&mut file),
                    path,
                });
            }
            Err(TryLockError::Error(e)) => return Err(lock_error(e)),
        }
        let owner = format!("{}\n{}\n", std::process::id(), crate::registry::now_ms());
        file.set_len(0).map_err(lock_error)?;
        file.seek(SeekFrom::Start(0)).map_err(lock_error)?;
        file.write_all(owner.as_bytes()).map_err(lock_error)?;
        file.flush().map_err(lock_error)?;
        Ok(ServiceLock { _file: file, path })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The running service, if any (read without taking the lock).
    pub fn owner(data_dir: &Path) -> Option<Owner> {
        let mut file = File::open(ServiceLock::path_in(data_dir)).ok()?;
        match file.try_lock() {
            Ok(()) => None,
            Err(_) => read_owner(&mut file),
        }
    }
}
