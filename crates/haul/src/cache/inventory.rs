//! Reading a cache back: which repos, revisions, refs, files and blobs are on disk, as the Python
//! client's `scan_cache_dir` sees them. Used to import repos other tools downloaded, to verify, and to
//! plan removals and prunes. Reads only; never follows a link out of the repo folder.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::CacheError;
use crate::repo_ref::RepoType;

#[derive(Clone, Debug, Serialize)]
pub struct SnapshotFile {
    pub path: String,
    /// The blob the snapshot entry points at (its name is the etag).
    pub etag: String,
    pub size: u64,
    /// The link leads nowhere (its blob is gone).
    pub broken: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct RevisionInventory {
    pub commit: String,
    /// Ref names pointing here (`main`, `v1`, `refs/pr/1`); none means detached.
    pub refs: Vec<String>,
    pub files: Vec<SnapshotFile>,
}

#[derive(Clone, Debug, Serialize)]
pub struct RepoInventory {
    pub repo_type: RepoType,
    pub repo_id: String,
    pub repo_dir: PathBuf,
    pub revisions: Vec<RevisionInventory>,
    /// Every complete blob: etag → size.
    pub blobs: BTreeMap<String, u64>,
    /// Partial downloads left in `blobs/`.
    pub incomplete: Vec<PathBuf>,
    /// Refs pointing at a commit with no snapshot.
    pub dangling_refs: Vec<String>,
}

impl RepoInventory {
    /// Bytes on disk: each blob once, however many revisions share it.
    pub fn size_on_disk(&self) -> u64 {
        self.blobs.values().sum()
    }

    pub fn revision(&self, commit: &str) -> Option<&RevisionInventory> {
        self.revisions.iter().find(|r| r.commit == commit)
    }

    /// The commit a ref names, if it has a snapshot.
    pub fn commit_of(&self, reference: &str) -> Option<&str> {
        self.revisions
            .iter()
            .find(|r| r.refs.iter().any(|x| x == reference))
            .map(|r| r.commit.as_str())
    }
}

/// `models--org--name` → (model, `org/name`).
pub fn parse_repo_folder(name: &str) -> Option<(RepoType, String)> {
    let (kind, rest) = name.split_once("--")?;
    let repo_type = match kind {
        "models" => RepoType::Model,
        "datasets" => RepoType::Dataset,
        "spaces" => RepoType::Space,
        _ => return None,
    };
    (!rest.is_empty()).then(|| (repo_type, rest.replace("--", "/")))
}

/// Every repo folder in a cache root. A root that does not exist is an empty cache.
pub fn scan_cache(root: &Path) -> Result<Vec<RepoInventory>, CacheError> {
    let entries = match std::fs::read_dir(root) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(CacheError::io("read", root, e)),
    };
    let mut repos = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        if !path.is_dir() || path.is_symlink() {
            continue;
        }
        if let Some((repo_type, repo_id)) = parse_repo_folder(name) {
            repos.push(scan_repo(&path, repo_type, &repo_id)?);
        }
    }
    repos.sort_by(|a, b| {
        (a.repo_type.as_str(), &a.repo_id).cmp(&(b.repo_type.as_str(), &b.repo_id))
    });
    Ok(repos)
}

/// One repo folder.
pub fn scan_repo(
    repo_dir: &Path,
    repo_type: RepoType,
    repo_id: &str,
) -> Result<RepoInventory, CacheError> {
    let mut blobs = BTreeMap::new();
    let mut incomplete = Vec::new();
    let blobs_dir = repo_dir.join("blobs");
    if let Ok(entries) = std::fs::read_dir(&blobs_dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            let Some(name) = path
                .file_name()
                .and_then(|n| n.to_str())
                .map(str::to_string)
            else {
                continue;
            };
            let Ok(meta) = std::fs::symlink_metadata(&path) else {
                continue;
            };
            if !meta.is_file() {
                continue;
            }
            if name.ends_with(".incomplete") {
                incomplete.push(path);
            } else if crate::verify::ExpectedHash::from_etag(&name).is_some() {
                blobs.insert(name, meta.len());
            }
            // Anything else (a partial file's progress record, a temporary file) belongs to a partial download.
        }
    }
    let refs = read_refs(&repo_dir.join("refs"));
    let mut revisions = Vec::new();
    let mut with_snapshot = BTreeSet::new();
    if let Ok(entries) = std::fs::read_dir(repo_dir.join("snapshots")) {
        for entry in entries.flatten() {
            let path = entry.path();
            let Some(commit) = path
                .file_name()
                .and_then(|n| n.to_str())
                .map(str::to_string)
            else {
                continue;
            };
            if !path.is_dir() {
                continue;
            }
            let files = snapshot_files(&path, &blobs);
            let names: Vec<String> = refs
                .iter()
                .filter(|(_, c)| **c == commit)
                .map(|(r, _)| r.clone())
                .collect();
            with_snapshot.insert(commit.clone());
            revisions.push(RevisionInventory {
                commit,
                refs: names,
                files,
            });
        }
    }
    revisions.sort_by(|a, b| {
        b.refs
            .len()
            .cmp(&a.refs.len())
            .then(a.commit.cmp(&b.commit))
    });
    let dangling_refs = refs
        .iter()
        .filter(|(_, c)| !with_snapshot.contains(*c))
        .map(|(r, _)| r.clone())
        .collect();
    Ok(RepoInventory {
        repo_type,
        repo_id: repo_id.to_string(),
        repo_dir: repo_dir.to_path_buf(),
        revisions,
        blobs,
        incomplete,
        dangling_refs,
    })
}

/// `refs/main`, `refs/refs/pr/1` … → name → commit.
fn read_refs(refs_dir: &Path) -> BTreeMap<String, String> {
    let mut refs = BTreeMap::new();
    let mut stack = vec![refs_dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let Ok(relative) = path.strip_prefix(refs_dir) else {
                continue;
            };
            let Some(name) = relative.to_str().map(|s| s.replace('\\', "/")) else {
                continue;
            };
            if let Ok(commit) = std::fs::read_to_string(&path) {
                refs.insert(name, commit.trim().to_string());
            }
        }
    }
    refs
}

fn snapshot_files(snapshot: &Path, blobs: &BTreeMap<String, u64>) -> Vec<SnapshotFile> {
    let mut files = Vec::new();
    let mut stack = vec![snapshot.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(meta) = std::fs::symlink_metadata(&path) else {
                continue;
            };
            if meta.is_dir() {
                stack.push(path);
                continue;
            }
            let Some(relative) = path
                .strip_prefix(snapshot)
                .ok()
                .and_then(|r| r.to_str())
                .map(|s| s.replace('\\', "/"))
            else {
                continue;
            };
            let (etag, size, broken) = if meta.file_type().is_symlink() {
                let etag = std::fs::read_link(&path)
                    .ok()
                    .and_then(|t| t.file_name().and_then(|n| n.to_str()).map(str::to_string))
                    .unwrap_or_default();
                match blobs.get(&etag) {
                    Some(size) => (etag, *size, false),
                    None => (etag, 0, true),
                }
            } else {
                // A copied file (no symlinks on this platform): its name carries no etag.
                (String::new(), meta.len(), false)
            };
            files.push(SnapshotFile {
                path: relative,
                etag,
                size,
                broken,
            });
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folder_names() {
        assert_eq!(
            parse_repo_folder("models--org--name"),
            Some((RepoType::Model, "org/name".into()))
        );
        assert_eq!(
            parse_repo_folder("datasets--solo"),
            Some((RepoType::Dataset, "solo".into()))
        );
        assert_eq!(parse_repo_folder(".locks"), None);
        assert_eq!(parse_repo_folder("CACHEDIR.TAG"), None);
    }
}
