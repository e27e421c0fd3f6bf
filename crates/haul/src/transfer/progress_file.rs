//! What survives a crash: beside each partial file, a small record of which byte ranges are on disk.
//! The data is flushed to disk before the record that claims it is written (atomically, by rename), so
//! after `kill -9` or a power cut the record never claims bytes the file lacks. A partial file without a
//! matching record (another tool's, an older layout, another version of the file) is never trusted.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::ranges::RangeSet;

const FORMAT: u32 = 1;

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct ProgressRecord {
    pub format: u32,
    /// The content this partial file is of: its etag (= hash) and size.
    pub etag: String,
    pub size: u64,
    pub done: RangeSet,
}

/// `<partial>.progress`.
pub fn path_for(incomplete: &Path) -> PathBuf {
    let mut name = incomplete
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(".progress");
    incomplete.with_file_name(name)
}

impl ProgressRecord {
    pub fn new(etag: &str, size: u64) -> ProgressRecord {
        ProgressRecord {
            format: FORMAT,
            etag: etag.to_string(),
            size,
            done: RangeSet::new(),
        }
    }

    /// The record for this partial file, if there is one for exactly this content and the file is as long.
    pub fn load(incomplete: &Path, etag: &str, size: u64) -> Option<ProgressRecord> {
        let text = std::fs::read(path_for(incomplete)).ok()?;
        let record: ProgressRecord = serde_json::from_slice(&text).ok()?;
        let file_len = std::fs::metadata(incomplete).ok()?.len();
        let fits = record
            .done
            .ranges()
            .last()
            .is_none_or(|&(_, end)| end <= size);
        (record.format == FORMAT
            && record.etag == etag
            && record.size == size
            && file_len == size
            && fits)
            .then_some(record)
    }

    /// Writes the record atomically (temp file, fsync, rename).
    pub fn save(&self, incomplete: &Path) -> std::io::Result<()> {
        use std::io::Write;
        let target = path_for(incomplete);
        let temp = target.with_extension("progress.tmp");
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(&serde_json::to_vec(self).map_err(std::io::Error::other)?)?;
        file.sync_all()?;
        std::fs::rename(&temp, &target)
    }

    pub fn remove(incomplete: &Path) {
        let _ = std::fs::remove_file(path_for(incomplete));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_matching_record_is_trusted() {
        let dir = tempfile::tempdir().unwrap();
        let partial = dir.path().join("abc.incomplete");
        std::fs::write(&partial, vec![0u8; 100]).unwrap();
        let mut record = ProgressRecord::new("abc", 100);
        record.done.insert(0, 40);
        record.save(&partial).unwrap();
        assert_eq!(
            ProgressRecord::load(&partial, "abc", 100),
            Some(record.clone())
        );
        assert_eq!(
            ProgressRecord::load(&partial, "other", 100),
            None,
            "another content"
        );
        assert_eq!(
            ProgressRecord::load(&partial, "abc", 200),
            None,
            "another size"
        );
        std::fs::write(&partial, vec![0u8; 50]).unwrap();
        assert_eq!(
            ProgressRecord::load(&partial, "abc", 100),
            None,
            "the file is not as long as the record says"
        );
        std::fs::write(path_for(&partial), b"{not json").unwrap();
        assert_eq!(ProgressRecord::load(&partial, "abc", 100), None);
    }
}
