//! The shared Hugging Face cache layout, byte for byte as `huggingface_hub` writes it:
//! `blobs/<etag>`, `snapshots/<commit>/<path>` as relative symlinks, `refs/<revision>`,
//! `.locks/<repo folder>/<etag>.lock`, and `CACHEDIR.TAG` at the root.

use std::path::{Path, PathBuf};

use super::{
    CacheError, Presence, WritePaths, safe_relative, write_atomically, write_cachedir_tag,
};
use crate::repo_ref::RepoType;

/// `models--org--name`: the folder name of a repo in the cache.
pub fn repo_folder_name(repo_type: RepoType, repo_id: &str) -> String {
    format!("{}--{}", repo_type.plural(), repo_id.replace('/', "--"))
}

#[derive(Clone, Debug)]
pub struct HubCache {
    root: PathBuf,
    repo_dir: PathBuf,
    locks_dir: PathBuf,
}

impl HubCache {
    pub fn new(root: &Path, repo_type: RepoType, repo_id: &str) -> HubCache {
        let folder = repo_folder_name(repo_type, repo_id);
        HubCache {
            root: root.to_path_buf(),
            repo_dir: root.join(&folder),
            locks_dir: root.join(".locks").join(&folder),
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn repo_dir(&self) -> &Path {
        &self.repo_dir
    }

    pub fn blob_path(&self, etag: &str) -> PathBuf {
        self.repo_dir.join("blobs").join(etag)
    }

    pub fn snapshot_dir(&self, commit: &str) -> PathBuf {
        self.repo_dir.join("snapshots").join(commit)
    }

    pub fn ref_path(&self, revision: &str) -> Result<PathBuf, CacheError> {
        Ok(self.repo_dir.join("refs").join(safe_relative(revision)?))
    }

    pub fn prepare(&self) -> Result<(), CacheError> {
        for dir in [
            self.repo_dir.join("blobs"),
            self.repo_dir.join("snapshots"),
            self.repo_dir.join("refs"),
        ] {
            std::fs::create_dir_all(&dir).map_err(|e| CacheError::io("create", &dir, e))?;
        }
        write_cachedir_tag(&self.root)
    }

    pub fn write_paths(&self, etag: &str) -> WritePaths {
        WritePaths {
            incomplete: self
                .repo_dir
                .join("blobs")
                .join(format!("{etag}.incomplete")),
            lock: self.locks_dir.join(format!("{etag}.lock")),
        }
    }

    fn blob_has_size(&self, etag: &str, size: u64) -> bool {
        std::fs::metadata(self.blob_path(etag)).is_ok_and(|m| m.is_file() && m.len() == size)
    }

    pub fn presence(
        &self,
        path: &str,
        etag: &str,
        size: u64,
        commit: &str,
    ) -> Result<Presence, CacheError> {
        let link = self.snapshot_dir(commit).join(safe_relative(path)?);
        if !self.blob_has_size(etag, size) {
            return Ok(Presence::Missing);
        }
        // The snapshot entry must lead to this very blob; a link to another blob is stale.
        let leads_here = std::fs::canonicalize(&link)
            .ok()
            .zip(std::fs::canonicalize(self.blob_path(etag)).ok())
            .is_some_and(|(a, b)| a == b);
        Ok(if leads_here {
            Presence::Present
        } else {
            Presence::ContentOnly
        })
    }

    /// Renames `verified` (when given) to the blob, then points the snapshot entry at it.
    pub fn place(
        &self,
        path: &str,
        etag: &str,
        commit: &str,
        verified: Option<&Path>,
    ) -> Result<PathBuf, CacheError> {
        let relative = safe_relative(path)?;
        let blob = self.blob_path(etag);
        if let Some(source) = verified {
            std::fs::rename(source, &blob)
                .map_err(|e| CacheError::io("move the verified file to", &blob, e))?;
        }
        let link = self.snapshot_dir(commit).join(&relative);
        let parent = link.parent().unwrap_or(&self.repo_dir);
        std::fs::create_dir_all(parent).map_err(|e| CacheError::io("create", parent, e))?;
        // One `..` per folder between the link and the repo folder: snapshots/<commit>/a/b → ../../../blobs/x
        let depth = relative.components().count() + 1;
        let mut target = PathBuf::new();
        for _ in 0..depth {
            target.push("..");
        }
        target.push("blobs");
        target.push(etag);
        match std::fs::symlink_metadata(&link) {
            Ok(meta) if meta.is_dir() => {
                return Err(CacheError::io(
                    "replace a folder with a file at",
                    &link,
                    std::io::Error::other("a folder is in the way"),
                ));
            }
            Ok(_) => {
                std::fs::remove_file(&link).map_err(|e| CacheError::io("replace", &link, e))?
            }
            Err(_) => {}
        }
        make_link(&target, &blob, &link)?;
        Ok(link)
    }

    /// Writes `refs/<revision>` (no newline, as the Python client does) unless the revision is the commit itself.
    pub fn finish_revision(&self, revision: &str, commit: &str) -> Result<(), CacheError> {
        let snapshot = self.snapshot_dir(commit);
        std::fs::create_dir_all(&snapshot).map_err(|e| CacheError::io("create", &snapshot, e))?;
        if revision == commit {
            return Ok(());
        }
        let path = self.ref_path(revision)?;
        if std::fs::read_to_string(&path).is_ok_and(|current| current == commit) {
            return Ok(());
        }
        write_atomically(&path, commit.as_bytes())
    }
}

/// Where the platform has symlinks the snapshot entry is one (what every HF tool expects); elsewhere a copy.
#[cfg(unix)]
fn make_link(target: &Path, _blob: &Path, link: &Path) -> Result<(), CacheError> {
    std::os::unix::fs::symlink(target, link).map_err(|e| CacheError::io("link", link, e))
}

#[cfg(not(unix))]
fn make_link(_target: &Path, blob: &Path, link: &Path) -> Result<(), CacheError> {
    std::fs::copy(blob, link).map_err(|e| CacheError::io("copy into the snapshot", link, e))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_names() {
        assert_eq!(
            repo_folder_name(RepoType::Dataset, "org/x"),
            "datasets--org--x"
        );
        let c = HubCache::new(Path::new("/c"), RepoType::Model, "o/n");
        assert_eq!(
            c.ref_path("refs/pr/1").unwrap(),
            PathBuf::from("/c/models--o--n/refs/refs/pr/1")
        );
        assert!(c.ref_path("../../x").is_err());
        assert_eq!(
            c.write_paths("abc").lock,
            PathBuf::from("/c/.locks/models--o--n/abc.lock")
        );
    }

    #[test]
    fn places_relative_links() {
        let dir = tempfile::tempdir().unwrap();
        let c = HubCache::new(dir.path(), RepoType::Model, "o/n");
        c.prepare().unwrap();
        let tmp = dir.path().join("t");
        std::fs::write(&tmp, b"x").unwrap();
        let link = c.place("a/b/c.txt", "e1", "c0", Some(&tmp)).unwrap();
        assert_eq!(
            std::fs::read_link(&link).unwrap(),
            PathBuf::from("../../../../blobs/e1")
        );
        assert_eq!(std::fs::read(&link).unwrap(), b"x");
        assert_eq!(
            c.presence("a/b/c.txt", "e1", 1, "c0").unwrap(),
            Presence::Present
        );
        assert_eq!(
            c.presence("other", "e1", 1, "c0").unwrap(),
            Presence::ContentOnly
        );
        assert_eq!(
            c.presence("a/b/c.txt", "e1", 2, "c0").unwrap(),
            Presence::Missing
        );
        c.finish_revision("main", "c0").unwrap();
        assert_eq!(
            std::fs::read_to_string(c.ref_path("main").unwrap()).unwrap(),
            "c0"
        );
        assert!(dir.path().join("CACHEDIR.TAG").exists());
    }
}
