//! From a request to a plan: the exact files of a commit that were asked for, their sizes and hashes,
//! which are already in place, and how many bytes are left to fetch. A plan is what `--dry-run` shows
//! and what a download executes; nothing is written while planning.

use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::Serialize;

use crate::cache::{Presence, Store, UnsafePath, safe_relative};
use crate::hub::TreeEntry;
use crate::registry::Requester;
use crate::repo_ref::{RepoRef, RepoType};
use crate::verify::ExpectedHash;

/// Where a download goes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Destination {
    /// The configured HF cache (`HF_HUB_CACHE`).
    #[default]
    DefaultCache,
    /// Another cache root (`--cache-dir`).
    CacheDir(PathBuf),
    /// Plain files in a folder (`--local-dir`).
    LocalDir(PathBuf),
}

/// What a user asked for.
#[derive(Clone, Debug)]
pub struct DownloadRequest {
    pub repo: RepoRef,
    /// Exact paths; empty means every file that passes the filters.
    pub files: Vec<String>,
    /// Glob patterns (`*.safetensors`, `onnx/*`); a file must match one when any are given.
    pub include: Vec<String>,
    /// Glob patterns a file must match none of.
    pub exclude: Vec<String>,
    pub destination: Destination,
    /// Who asked: recorded in the download history.
    pub requested_by: Requester,
}

impl DownloadRequest {
    pub fn new(repo: RepoRef) -> DownloadRequest {
        DownloadRequest {
            repo,
            files: Vec::new(),
            include: Vec::new(),
            exclude: Vec::new(),
            destination: Destination::DefaultCache,
            requested_by: Requester::Cli,
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct PlannedFile {
    pub path: String,
    pub size: u64,
    /// The blob name in the cache: sha256 for LFS files, git sha1 otherwise.
    pub etag: String,
    pub hash: ExpectedHash,
    pub lfs: bool,
    pub presence: Presence,
    /// Bytes a previous run left on disk that this one resumes from (a checkpointed partial file).
    pub resumed_bytes: u64,
}

impl PlannedFile {
    pub fn needs_bytes(&self) -> bool {
        self.presence == Presence::Missing
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Plan {
    pub repo_type: RepoType,
    pub repo_id: String,
    /// The revision as asked (`main` when none was named).
    pub revision: String,
    pub commit: String,
    /// `cache` or `local_dir`.
    pub destination_kind: &'static str,
    /// The snapshot folder or the local dir: where the files will be.
    pub destination: PathBuf,
    pub gated: bool,
    pub private: bool,
    /// Free bytes on the destination's file system, when it could be measured.
    pub free_space: Option<u64>,
    /// Planned from the cache alone (`HF_HUB_OFFLINE`).
    pub offline: bool,
    pub files: Vec<PlannedFile>,
    pub requested_by: Requester,
    #[serde(skip)]
    pub(crate) store: Store,
}

impl Plan {
    pub fn total_bytes(&self) -> u64 {
        self.files.iter().map(|f| f.size).sum()
    }

    /// Bytes still to come over the network (partial files a previous run left count for what they hold).
    pub fn bytes_to_fetch(&self) -> u64 {
        self.files
            .iter()
            .filter(|f| f.needs_bytes())
            .map(|f| f.size - f.resumed_bytes.min(f.size))
            .sum()
    }

    pub fn files_to_fetch(&self) -> usize {
        self.files.iter().filter(|f| f.needs_bytes()).count()
    }

    pub fn is_complete(&self) -> bool {
        self.files.iter().all(|f| f.presence == Presence::Present)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error("invalid pattern '{pattern}': {reason}")]
    BadPattern { pattern: String, reason: String },
    #[error(
        "the Hub listed a file Haul will not write: {0}. The repository may be malicious; nothing was downloaded"
    )]
    UnsafeEntry(UnsafePath),
    #[error("{repo} has no file '{path}' at revision '{revision}'")]
    NoSuchFile {
        repo: String,
        revision: String,
        path: String,
    },
    #[error(
        "offline (HF_HUB_OFFLINE is set) and {repo} at '{revision}' is not in the cache at {}: unset HF_HUB_OFFLINE and download it first",
        cache.display()
    )]
    OfflineNotCached {
        repo: String,
        revision: String,
        cache: PathBuf,
    },
    #[error(
        "no file of {repo} matches the request, so there is nothing to queue: check FILES, --include and --exclude"
    )]
    NothingToQueue { repo: String },
}

/// Builds the set of patterns the Python client's `allow_patterns` understands: `*` crosses `/`,
/// and a pattern ending in `/` means everything below that folder.
fn glob_set(patterns: &[String]) -> Result<Option<GlobSet>, PlanError> {
    if patterns.is_empty() {
        return Ok(None);
    }
    let mut builder = GlobSetBuilder::new();
    for pattern in patterns {
        let text = if pattern.ends_with('/') {
            format!("{pattern}*")
        } else {
            pattern.clone()
        };
        let glob = Glob::new(&text).map_err(|e| PlanError::BadPattern {
            pattern: pattern.clone(),
            reason: e.to_string(),
        })?;
        builder.add(glob);
    }
    builder
        .build()
        .map(Some)
        .map_err(|e| PlanError::BadPattern {
            pattern: patterns.join(", "),
            reason: e.to_string(),
        })
}

/// Which files of a listing the request wants.
pub struct Selection {
    include: Option<GlobSet>,
    exclude: Option<GlobSet>,
    folder: Option<String>,
}

impl Selection {
    pub fn new(request: &DownloadRequest) -> Result<Selection, PlanError> {
        Ok(Selection {
            include: glob_set(&request.include)?,
            exclude: glob_set(&request.exclude)?,
            folder: request
                .repo
                .folder
                .as_ref()
                .map(|f| format!("{}/", f.trim_end_matches('/'))),
        })
    }

    pub fn wants(&self, path: &str) -> bool {
        self.folder
            .as_ref()
            .is_none_or(|f| path.starts_with(f.as_str()))
            && self.include.as_ref().is_none_or(|g| g.is_match(path))
            && self.exclude.as_ref().is_none_or(|g| !g.is_match(path))
    }
}

/// The exact paths asked for: the file of a `/blob/` URL plus the positional FILES.
pub fn explicit_files(request: &DownloadRequest) -> Vec<String> {
    let mut files: Vec<String> = request
        .repo
        .file
        .iter()
        .cloned()
        .chain(request.files.iter().cloned())
        .collect();
    files.sort();
    files.dedup();
    files
}

/// Keeps the entries the request wants: exactly the named files when there are any (each must be
/// there, or its path is returned as the error), else those the selection accepts.
pub fn choose(
    entries: Vec<TreeEntry>,
    wanted: &[String],
    selection: &Selection,
) -> Result<Vec<TreeEntry>, String> {
    if wanted.is_empty() {
        return Ok(entries
            .into_iter()
            .filter(|e| selection.wants(&e.path))
            .collect());
    }
    if let Some(missing) = wanted
        .iter()
        .find(|w| !entries.iter().any(|e| &e.path == *w))
    {
        return Err(missing.clone());
    }
    Ok(entries
        .into_iter()
        .filter(|e| wanted.contains(&e.path))
        .collect())
}

/// Turns listed entries into planned files, refusing unsafe names and checking what is in place.
pub fn planned_files(
    entries: Vec<TreeEntry>,
    store: &Store,
    commit: &str,
) -> Result<Vec<PlannedFile>, crate::Error> {
    let mut files = Vec::with_capacity(entries.len());
    for entry in entries {
        safe_relative(&entry.path).map_err(PlanError::UnsafeEntry)?;
        let hash = entry.expected_hash();
        let etag = hash.hex().to_string();
        let size = entry.content_size();
        let presence = store.presence(&entry.path, &etag, size, commit)?;
        let resumed_bytes = if presence == Presence::Missing {
            let paths = store.write_paths(&entry.path, &etag)?;
            crate::transfer::resumable_bytes(&paths.incomplete, &etag, size)
        } else {
            0
        };
        files.push(PlannedFile {
            path: entry.path.clone(),
            size,
            etag,
            lfs: entry.lfs.is_some(),
            hash,
            presence,
            resumed_bytes,
        });
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

/// Lists a cached snapshot's files, for planning with no network (`HF_HUB_OFFLINE`).
pub fn files_in_snapshot(snapshot: &Path) -> std::io::Result<Vec<TreeEntry>> {
    let mut entries = Vec::new();
    let mut stack = vec![snapshot.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for item in std::fs::read_dir(&dir)? {
            let item = item?;
            let path = item.path();
            let meta = std::fs::symlink_metadata(&path)?;
            if meta.is_dir() {
                stack.push(path);
                continue;
            }
            let Ok(relative) = path.strip_prefix(snapshot) else {
                continue;
            };
            let Some(relative) = relative.to_str().map(|s| s.replace('\\', "/")) else {
                continue;
            };
            // A snapshot entry's link target names its blob, and the blob's name is its etag.
            let Some(etag) = std::fs::read_link(&path)
                .ok()
                .and_then(|t| t.file_name().and_then(|n| n.to_str()).map(str::to_string))
            else {
                continue;
            };
            let Some(hash) = ExpectedHash::from_etag(&etag) else {
                continue;
            };
            let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
            let lfs = matches!(hash, ExpectedHash::Sha256(_)).then(|| crate::hub::LfsInfo {
                oid: etag.clone(),
                size,
                pointer_size: 0,
            });
            entries.push(TreeEntry {
                kind: "file".into(),
                oid: etag,
                size,
                path: relative,
                lfs,
            });
        }
    }
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;
    use url::Url;

    fn request(include: &[&str], exclude: &[&str], url: &str) -> DownloadRequest {
        let repo = crate::repo_ref::parse(
            url,
            &Url::parse("https://huggingface.co").unwrap(),
            RepoType::Model,
        )
        .unwrap();
        let mut r = DownloadRequest::new(repo);
        r.include = include.iter().map(|s| s.to_string()).collect();
        r.exclude = exclude.iter().map(|s| s.to_string()).collect();
        r
    }

    #[test]
    fn filters_like_the_python_client() {
        let s = Selection::new(&request(&["*.json", "onnx/"], &["*secret*"], "o/n")).unwrap();
        assert!(s.wants("config.json"));
        assert!(s.wants("sub/dir/x.json"), "* crosses folders");
        assert!(s.wants("onnx/model.onnx"));
        assert!(!s.wants("model.bin"));
        assert!(!s.wants("secret.json"));
        let s = Selection::new(&request(
            &[],
            &[],
            "https://huggingface.co/o/n/tree/main/sub",
        ))
        .unwrap();
        assert!(s.wants("sub/a.txt") && !s.wants("subway.txt") && !s.wants("a.txt"));
    }

    #[test]
    fn bad_pattern_is_explained() {
        let Err(err) = Selection::new(&request(&["a[b"], &[], "o/n")) else {
            panic!("accepted")
        };
        assert!(err.to_string().contains("a[b"));
    }
}
