//! Taking things out of the cache safely: a repo or some of its revisions (a blob another kept
//! revision still uses stays), and prunes of leftovers — partial downloads nobody is writing,
//! detached revisions, blobs no snapshot uses. Everything is planned first (for `--dry-run` and
//! confirmation), and nothing outside the cache root is ever touched.

use std::collections::BTreeSet;
use std::fs::TryLockError;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::inventory::RepoInventory;
use super::{CacheError, repo_folder_name};

/// What removing (some of) a repo will delete.
#[derive(Clone, Debug, Serialize)]
pub struct Removal {
    pub repo: String,
    pub repo_dir: PathBuf,
    /// The whole repo folder goes (no revision is kept).
    pub whole_repo: bool,
    /// Commits whose snapshots go.
    pub revisions: Vec<String>,
    /// Ref names that go with them.
    pub refs: Vec<String>,
    /// Blobs (etags) that go: used by no kept revision.
    pub blobs: Vec<String>,
    /// Blobs used by a removed revision that stay because a kept revision uses them too.
    pub kept_shared: Vec<String>,
    pub bytes_freed: u64,
}

/// Plans removing `commits` (all revisions when empty) of one repo.
pub fn plan_removal(inventory: &RepoInventory, commits: &[String]) -> Removal {
    let removing = |commit: &str| commits.is_empty() || commits.iter().any(|c| c == commit);
    let (gone, kept): (Vec<_>, Vec<_>) = inventory
        .revisions
        .iter()
        .partition(|r| removing(&r.commit));
    let kept_etags: BTreeSet<&str> = kept
        .iter()
        .flat_map(|r| r.files.iter().map(|f| f.etag.as_str()))
        .collect();
    let gone_etags: BTreeSet<&str> = gone
        .iter()
        .flat_map(|r| r.files.iter().map(|f| f.etag.as_str()))
        .collect();
    let whole_repo = kept.is_empty();
    let blobs: Vec<String> = if whole_repo {
        inventory.blobs.keys().cloned().collect()
    } else {
        gone_etags
            .iter()
            .filter(|e| !kept_etags.contains(*e) && inventory.blobs.contains_key(**e))
            .map(|e| e.to_string())
            .collect()
    };
    let kept_shared = gone_etags
        .iter()
        .filter(|e| kept_etags.contains(*e))
        .map(|e| e.to_string())
        .collect();
    let mut bytes_freed: u64 = blobs.iter().filter_map(|e| inventory.blobs.get(e)).sum();
    if whole_repo {
        bytes_freed += inventory
            .incomplete
            .iter()
            .filter_map(|p| std::fs::metadata(p).ok())
            .map(|m| m.len())
            .sum::<u64>();
    }
    Removal {
        repo: format!("{}{}", inventory.repo_type.url_prefix(), inventory.repo_id),
        repo_dir: inventory.repo_dir.clone(),
        whole_repo,
        revisions: gone.iter().map(|r| r.commit.clone()).collect(),
        refs: gone.iter().flat_map(|r| r.refs.iter().cloned()).collect(),
        blobs,
        kept_shared,
        bytes_freed,
    }
}

/// `path`, resolved, lies inside `root`, resolved.
fn inside(root: &Path, path: &Path) -> Result<PathBuf, CacheError> {
    let refuse = || {
        CacheError::io(
            "remove",
            path,
            std::io::Error::other("it is outside the cache; Haul only removes what is inside it"),
        )
    };
    let root = std::fs::canonicalize(root).map_err(|e| CacheError::io("resolve", root, e))?;
    // The entry itself may be a symlink (a snapshot link): resolve its folder, keep its own name.
    let parent = path.parent().ok_or_else(refuse)?;
    let name = path.file_name().ok_or_else(refuse)?;
    let real = std::fs::canonicalize(parent)
        .map_err(|e| CacheError::io("resolve", parent, e))?
        .join(name);
    if real.starts_with(&root) && real != root {
        Ok(real)
    } else {
        Err(refuse())
    }
}

fn remove_path(root: &Path, path: &Path) -> Result<(), CacheError> {
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        return Ok(());
    };
    let real = inside(root, path)?;
    let result = if meta.is_dir() {
        std::fs::remove_dir_all(&real)
    } else {
        std::fs::remove_file(&real)
    };
    result.map_err(|e| CacheError::io("remove", &real, e))
}

/// Carries out a removal planned against the cache at `root`.
pub fn remove(root: &Path, removal: &Removal) -> Result<(), CacheError> {
    let dir = &removal.repo_dir;
    if std::fs::symlink_metadata(dir).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(CacheError::io(
            "remove",
            dir,
            std::io::Error::other("the repo folder is a symlink; refusing to follow it"),
        ));
    }
    if removal.whole_repo {
        remove_path(root, dir)?;
        if let Some(folder) = dir.file_name().and_then(|n| n.to_str()) {
            remove_path(root, &root.join(".locks").join(folder))?;
        }
        return Ok(());
    }
    for reference in &removal.refs {
        remove_path(
            root,
            &dir.join("refs").join(super::safe_relative(reference)?),
        )?;
    }
    for commit in &removal.revisions {
        remove_path(
            root,
            &dir.join("snapshots").join(super::safe_relative(commit)?),
        )?;
    }
    for etag in &removal.blobs {
        remove_path(root, &dir.join("blobs").join(super::safe_relative(etag)?))?;
    }
    Ok(())
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PruneKind {
    /// A partial download no process is writing.
    Partial,
    /// A snapshot no ref points at.
    DetachedRevision,
    /// A blob no snapshot uses.
    UnusedBlob,
    /// A ref to a commit with no snapshot.
    DanglingRef,
}

#[derive(Clone, Debug, Serialize)]
pub struct PruneItem {
    pub repo: String,
    pub kind: PruneKind,
    pub path: PathBuf,
    pub bytes: u64,
}

/// Whether some process holds the blob's flock (a download in progress).
fn in_use(root: &Path, inventory: &RepoInventory, etag: &str) -> bool {
    let folder = repo_folder_name(inventory.repo_type, &inventory.repo_id);
    let lock = root
        .join(".locks")
        .join(folder)
        .join(format!("{etag}.lock"));
    let Ok(file) = std::fs::File::open(&lock) else {
        return false;
    };
    match file.try_lock() {
        Ok(()) => false,
        Err(TryLockError::WouldBlock) => true,
        Err(TryLockError::Error(_)) => false,
    }
}

/// Everything a prune of these repos would delete.
pub fn plan_prune(root: &Path, inventories: &[RepoInventory]) -> Vec<PruneItem> {
    let mut items = Vec::new();
    for inventory in inventories {
        let repo = format!("{}{}", inventory.repo_type.url_prefix(), inventory.repo_id);
        for partial in &inventory.incomplete {
            let etag = partial
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| n.strip_suffix(".incomplete"))
                .unwrap_or("");
            if in_use(root, inventory, etag) {
                continue;
            }
            let bytes = std::fs::metadata(partial).map(|m| m.len()).unwrap_or(0);
            items.push(PruneItem {
                repo: repo.clone(),
                kind: PruneKind::Partial,
                path: partial.clone(),
                bytes,
            });
        }
        let detached: Vec<String> = inventory
            .revisions
            .iter()
            .filter(|r| r.refs.is_empty())
            .map(|r| r.commit.clone())
            .collect();
        for commit in &detached {
            items.push(PruneItem {
                repo: repo.clone(),
                kind: PruneKind::DetachedRevision,
                path: inventory.repo_dir.join("snapshots").join(commit),
                bytes: 0,
            });
        }
        // Blobs nothing will use once the detached revisions are gone (or that nothing used already).
        let still_used: BTreeSet<&str> = inventory
            .revisions
            .iter()
            .filter(|r| !r.refs.is_empty())
            .flat_map(|r| r.files.iter().map(|f| f.etag.as_str()))
            .collect();
        for (etag, size) in &inventory.blobs {
            if !still_used.contains(etag.as_str()) {
                items.push(PruneItem {
                    repo: repo.clone(),
                    kind: PruneKind::UnusedBlob,
                    path: inventory.repo_dir.join("blobs").join(etag),
                    bytes: *size,
                });
            }
        }
        for reference in &inventory.dangling_refs {
            items.push(PruneItem {
                repo: repo.clone(),
                kind: PruneKind::DanglingRef,
                path: inventory.repo_dir.join("refs").join(reference),
                bytes: 0,
            });
        }
    }
    items
}

/// Deletes the planned items; returns the bytes freed.
pub fn prune(root: &Path, items: &[PruneItem]) -> Result<u64, CacheError> {
    let mut freed = 0;
    for item in items {
        remove_path(root, &item.path)?;
        if item.kind == PruneKind::Partial {
            remove_path(root, &crate::transfer::progress_record_path(&item.path))?;
        }
        freed += item.bytes;
    }
    Ok(freed)
}
