//! Where downloaded files live on disk, in exactly the layouts the Hugging Face tools read:
//! the shared cache (`models--org--name/{blobs,snapshots,refs}`, `.locks/`, `CACHEDIR.TAG`) or a
//! plain folder (`--local-dir`) with the Python client's `.cache/huggingface/download/*.metadata`.

mod hub_cache;
pub mod inventory;
mod local_dir;
mod lock;
pub mod removal;
pub mod safe_path;

use std::io;
use std::path::{Path, PathBuf};

pub use hub_cache::{HubCache, repo_folder_name};
pub use local_dir::LocalDir;
pub use lock::FileLock;
pub use safe_path::{UnsafePath, safe_relative};

use crate::repo_ref::RepoType;

#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    #[error(
        "the disk is full: could not {action} {}. Free some space (or choose another --cache-dir / --local-dir) and run the same command again: finished files are kept, and large files continue where they stopped",
        path.display()
    )]
    DiskFull { action: &'static str, path: PathBuf },
    #[error(
        "not enough free space in {}: {needed} bytes are needed, {available} are free ({} short). Free some space or choose another destination",
        path.display(), needed - available
    )]
    InsufficientSpace {
        path: PathBuf,
        needed: u64,
        available: u64,
    },
    #[error("permission denied: could not {action} {}. Check the folder's owner and mode, or choose another destination", path.display())]
    PermissionDenied { action: &'static str, path: PathBuf },
    #[error("could not {action} {}: {source}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error(transparent)]
    UnsafePath(#[from] UnsafePath),
}

impl CacheError {
    /// Classifies an I/O failure so a full disk or a permission problem reads as one.
    pub fn io(action: &'static str, path: &Path, source: io::Error) -> CacheError {
        let path = path.to_path_buf();
        match source.kind() {
            io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded => {
                CacheError::DiskFull { action, path }
            }
            io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem => {
                CacheError::PermissionDenied { action, path }
            }
            _ => CacheError::Io {
                action,
                path,
                source,
            },
        }
    }
}

/// Whether a planned file is already in place.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Presence {
    /// In place and (by name or metadata) known to be this content.
    Present,
    /// The content is in the cache (another revision has it), only the snapshot link is missing.
    ContentOnly,
    Missing,
}

/// Where one file is written while it downloads, and the lock that guards it.
#[derive(Clone, Debug)]
pub struct WritePaths {
    pub incomplete: PathBuf,
    pub lock: PathBuf,
}

/// The destination of a download: the shared HF cache or a plain folder.
#[derive(Clone, Debug)]
pub enum Store {
    Cache(HubCache),
    LocalDir(LocalDir),
}

impl Store {
    pub fn cache(root: &Path, repo_type: RepoType, repo_id: &str) -> Store {
        Store::Cache(HubCache::new(root, repo_type, repo_id))
    }

    pub fn local_dir(dir: &Path) -> Store {
        Store::LocalDir(LocalDir::new(dir))
    }

    /// Creates the folders and markers the layout needs (`CACHEDIR.TAG`, `.gitignore`).
    pub fn prepare(&self) -> Result<(), CacheError> {
        match self {
            Store::Cache(c) => c.prepare(),
            Store::LocalDir(d) => d.prepare(),
        }
    }

    pub fn presence(
        &self,
        path: &str,
        etag: &str,
        size: u64,
        commit: &str,
    ) -> Result<Presence, CacheError> {
        match self {
            Store::Cache(c) => c.presence(path, etag, size, commit),
            Store::LocalDir(d) => d.presence(path, etag, size),
        }
    }

    pub fn write_paths(&self, path: &str, etag: &str) -> Result<WritePaths, CacheError> {
        match self {
            Store::Cache(c) => Ok(c.write_paths(etag)),
            Store::LocalDir(d) => d.write_paths(path, etag),
        }
    }

    /// Moves a verified download into place (blob + snapshot link, or the file + its metadata).
    pub fn place(
        &self,
        path: &str,
        etag: &str,
        commit: &str,
        verified: &Path,
    ) -> Result<PathBuf, CacheError> {
        match self {
            Store::Cache(c) => c.place(path, etag, commit, Some(verified)),
            Store::LocalDir(d) => d.place(path, etag, commit, verified),
        }
    }

    /// Links content the cache already holds into this commit's snapshot.
    pub fn link_existing(
        &self,
        path: &str,
        etag: &str,
        commit: &str,
    ) -> Result<PathBuf, CacheError> {
        match self {
            Store::Cache(c) => c.place(path, etag, commit, None),
            Store::LocalDir(d) => Ok(d.file_path(path)?),
        }
    }

    /// Records which commit a revision name points at (cache only).
    pub fn finish_revision(&self, revision: &str, commit: &str) -> Result<(), CacheError> {
        match self {
            Store::Cache(c) => c.finish_revision(revision, commit),
            Store::LocalDir(_) => Ok(()),
        }
    }

    /// Where the user finds the files: the snapshot folder or the local dir.
    pub fn root_for(&self, commit: &str) -> PathBuf {
        match self {
            Store::Cache(c) => c.snapshot_dir(commit),
            Store::LocalDir(d) => d.dir().to_path_buf(),
        }
    }

    /// The cache root or the local dir, as recorded in the registry.
    pub fn location(&self) -> &Path {
        match self {
            Store::Cache(c) => c.root(),
            Store::LocalDir(d) => d.dir(),
        }
    }

    /// Whether any file of `commit` is in place (after a partial failure, the library still lists it).
    pub fn has_any(&self, commit: &str) -> bool {
        match self {
            Store::Cache(c) => {
                std::fs::read_dir(c.snapshot_dir(commit)).is_ok_and(|mut d| d.next().is_some())
            }
            Store::LocalDir(d) => d.dir().join(".cache/huggingface/download").exists(),
        }
    }

    /// A folder on the destination's file system, for measuring free space.
    pub fn space_probe(&self) -> PathBuf {
        let start = match self {
            Store::Cache(c) => c.root().to_path_buf(),
            Store::LocalDir(d) => d.dir().to_path_buf(),
        };
        nearest_existing(&start)
    }
}

fn nearest_existing(path: &Path) -> PathBuf {
    let mut current = path;
    loop {
        if current.exists() {
            return current.to_path_buf();
        }
        match current.parent() {
            Some(parent) => current = parent,
            None => return PathBuf::from("."),
        }
    }
}

/// Bytes free for an unprivileged writer on the file system holding `path`.
pub fn free_space(path: &Path) -> Result<u64, CacheError> {
    let stat = rustix::fs::statvfs(path)
        .map_err(|e| CacheError::io("measure free space on", path, e.into()))?;
    Ok(stat.f_bavail.saturating_mul(stat.f_frsize))
}

/// The cache-directory tag (bford.info/cachedir) that tells backup tools to skip a folder, word for
/// word as `huggingface_hub` writes it.
const CACHEDIR_TAG: &str = "Signature: 8a477f597d28d172789f06886806bc55\n\
# This file is a cache directory tag created by huggingface_hub.\n\
# For information about cache directory tags, see:\n\
#\thttps://bford.info/cachedir/\n";

/// Puts `CACHEDIR.TAG` in `dir` unless one is there.
pub(crate) fn write_cachedir_tag(dir: &Path) -> Result<(), CacheError> {
    let tag = dir.join("CACHEDIR.TAG");
    if tag.exists() {
        return Ok(());
    }
    write_atomically(&tag, CACHEDIR_TAG.as_bytes())
}

/// Writes `contents` to `path` through a temporary file and a rename, so readers never see half of it.
pub(crate) fn write_atomically(path: &Path, contents: &[u8]) -> Result<(), CacheError> {
    let parent = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(|e| CacheError::io("create", parent, e))?;
    let file_name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let temp = parent.join(format!(".{file_name}.{}.tmp", std::process::id()));
    std::fs::write(&temp, contents).map_err(|e| CacheError::io("write", &temp, e))?;
    std::fs::rename(&temp, path).map_err(|e| {
        let _ = std::fs::remove_file(&temp);
        CacheError::io("rename into place", path, e)
    })
}
