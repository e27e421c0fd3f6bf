//! `--local-dir` mode: real files at `<dir>/<path>`, with the Python client's bookkeeping in
//! `<dir>/.cache/huggingface/` (a `.gitignore` of `*`, and `download/<path>.metadata` holding the
//! commit, the etag and a timestamp) so `hf download --local-dir` sees the files as current.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use super::{
    CacheError, Presence, WritePaths, safe_relative, write_atomically, write_cachedir_tag,
};

#[derive(Clone, Debug)]
pub struct LocalDir {
    dir: PathBuf,
}

impl LocalDir {
    pub fn new(dir: &Path) -> LocalDir {
        LocalDir {
            dir: dir.to_path_buf(),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn bookkeeping(&self) -> PathBuf {
        self.dir.join(".cache").join("huggingface")
    }

    pub fn file_path(&self, path: &str) -> Result<PathBuf, CacheError> {
        Ok(self.dir.join(safe_relative(path)?))
    }

    fn download_entry(&self, path: &str, suffix: &str) -> Result<PathBuf, CacheError> {
        let relative = safe_relative(path)?;
        let mut name = relative
            .file_name()
            .map(|n| n.to_os_string())
            .unwrap_or_default();
        name.push(suffix);
        Ok(self
            .bookkeeping()
            .join("download")
            .join(relative.with_file_name(name)))
    }

    pub fn metadata_path(&self, path: &str) -> Result<PathBuf, CacheError> {
        self.download_entry(path, ".metadata")
    }

    pub fn prepare(&self) -> Result<(), CacheError> {
        let gitignore = self.bookkeeping().join(".gitignore");
        if !gitignore.exists() {
            write_atomically(&gitignore, b"*")?;
        }
        write_cachedir_tag(&self.bookkeeping())
    }

    pub fn write_paths(&self, path: &str, etag: &str) -> Result<WritePaths, CacheError> {
        Ok(WritePaths {
            incomplete: self.download_entry(path, &format!(".{etag}.incomplete"))?,
            lock: self.download_entry(path, ".lock")?,
        })
    }

    /// Present when the file has the right size and its metadata names this etag.
    pub fn presence(&self, path: &str, etag: &str, size: u64) -> Result<Presence, CacheError> {
        let file_ok =
            std::fs::metadata(self.file_path(path)?).is_ok_and(|m| m.is_file() && m.len() == size);
        let recorded_etag = std::fs::read_to_string(self.metadata_path(path)?)
            .ok()
            .and_then(|text| text.lines().nth(1).map(str::to_string));
        Ok(if file_ok && recorded_etag.as_deref() == Some(etag) {
            Presence::Present
        } else {
            Presence::Missing
        })
    }

    pub fn place(
        &self,
        path: &str,
        etag: &str,
        commit: &str,
        verified: &Path,
    ) -> Result<PathBuf, CacheError> {
        let target = self.file_path(path)?;
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| CacheError::io("create", parent, e))?;
        }
        if target.is_dir() {
            return Err(CacheError::io(
                "replace a folder with a file at",
                &target,
                std::io::Error::other("a folder is in the way"),
            ));
        }
        std::fs::rename(verified, &target)
            .map_err(|e| CacheError::io("move the verified file to", &target, e))?;
        // The Python client treats metadata older than the file (by more than a second) as stale,
        // so the timestamp is taken after the file is in place.
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs_f64())
            .unwrap_or(0.0);
        let metadata = format!("{commit}\n{etag}\n{now}\n");
        write_atomically(&self.metadata_path(path)?, metadata.as_bytes())?;
        Ok(target)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bookkeeping_paths_match_the_python_client() {
        let d = LocalDir::new(Path::new("/d"));
        assert_eq!(
            d.metadata_path("a/b.bin").unwrap(),
            PathBuf::from("/d/.cache/huggingface/download/a/b.bin.metadata")
        );
        let w = d.write_paths("a/b.bin", "e1").unwrap();
        assert_eq!(
            w.incomplete,
            PathBuf::from("/d/.cache/huggingface/download/a/b.bin.e1.incomplete")
        );
        assert!(d.file_path("../x").is_err());
    }

    #[test]
    fn placed_file_is_present() {
        let dir = tempfile::tempdir().unwrap();
        let d = LocalDir::new(dir.path());
        d.prepare().unwrap();
        let tmp = dir.path().join("t");
        std::fs::write(&tmp, b"abc").unwrap();
        d.place("x/y.txt", "e1", "c1", &tmp).unwrap();
        assert_eq!(std::fs::read(dir.path().join("x/y.txt")).unwrap(), b"abc");
        assert_eq!(d.presence("x/y.txt", "e1", 3).unwrap(), Presence::Present);
        assert_eq!(d.presence("x/y.txt", "e2", 3).unwrap(), Presence::Missing);
        let meta = std::fs::read_to_string(d.metadata_path("x/y.txt").unwrap()).unwrap();
        assert!(meta.starts_with("c1\ne1\n"), "{meta}");
    }
}
