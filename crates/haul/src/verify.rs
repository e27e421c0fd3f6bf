//! Content verification: sha256 for LFS files, the git blob sha1 (`sha1("blob <len>\0" + bytes)`) for
//! regular ones, computed as bytes stream in so a finished download is already a verified one. sha256 comes
//! from ring (the TLS stack's), the fastest of the implementations compared in docs/BENCHMARKS.md.

use std::io::Read;
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha1::{Digest, Sha1};

/// The hash the Hub publishes for a file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "algorithm", content = "hex", rename_all = "lowercase")]
pub enum ExpectedHash {
    Sha256(String),
    #[serde(rename = "git-sha1")]
    GitSha1(String),
}

impl ExpectedHash {
    pub fn hex(&self) -> &str {
        match self {
            ExpectedHash::Sha256(h) | ExpectedHash::GitSha1(h) => h,
        }
    }

    pub fn algorithm(&self) -> &'static str {
        match self {
            ExpectedHash::Sha256(_) => "sha256",
            ExpectedHash::GitSha1(_) => "git-sha1",
        }
    }

    /// Guesses the algorithm from an etag alone: 64 hex digits are a sha256, 40 a git sha1.
    pub fn from_etag(etag: &str) -> Option<ExpectedHash> {
        let is_hex = etag.chars().all(|c| c.is_ascii_hexdigit());
        match etag.len() {
            64 if is_hex => Some(ExpectedHash::Sha256(etag.to_ascii_lowercase())),
            40 if is_hex => Some(ExpectedHash::GitSha1(etag.to_ascii_lowercase())),
            _ => None,
        }
    }
}

/// Hashes a file's bytes in order as they arrive.
#[derive(Clone)]
pub enum StreamingHasher {
    Sha256(ring::digest::Context),
    GitSha1(Sha1),
}

impl StreamingHasher {
    /// `size` is needed up front for the git blob header.
    pub fn new(expected: &ExpectedHash, size: u64) -> Self {
        match expected {
            ExpectedHash::Sha256(_) => {
                StreamingHasher::Sha256(ring::digest::Context::new(&ring::digest::SHA256))
            }
            ExpectedHash::GitSha1(_) => {
                let mut h = Sha1::new();
                h.update(format!("blob {size}\0").as_bytes());
                StreamingHasher::GitSha1(h)
            }
        }
    }

    pub fn update(&mut self, bytes: &[u8]) {
        match self {
            StreamingHasher::Sha256(h) => h.update(bytes),
            StreamingHasher::GitSha1(h) => h.update(bytes),
        }
    }

    pub fn finish_hex(self) -> String {
        match self {
            StreamingHasher::Sha256(h) => hex::encode(h.finish().as_ref()),
            StreamingHasher::GitSha1(h) => hex::encode(h.finalize()),
        }
    }
}

/// Hashes a whole file from disk, for checking what is already there.
pub fn hash_file(path: &Path, expected: &ExpectedHash) -> std::io::Result<String> {
    let mut file = std::fs::File::open(path)?;
    let size = file.metadata()?.len();
    let mut hasher = StreamingHasher::new(expected, size);
    let mut buffer = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
    }
    Ok(hasher.finish_hex())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn git_blob_sha1_matches_git() {
        // `printf 'hello\n' | git hash-object --stdin`
        let expected = ExpectedHash::GitSha1("ce013625030ba8dba906f756967f9e9ca394464a".into());
        let mut h = StreamingHasher::new(&expected, 6);
        h.update(b"hel");
        h.update(b"lo\n");
        assert_eq!(h.finish_hex(), expected.hex());
    }

    #[test]
    fn sha256_streams() {
        let expected = ExpectedHash::Sha256(
            "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824".into(),
        );
        let mut h = StreamingHasher::new(&expected, 5);
        h.update(b"he");
        h.update(b"llo");
        assert_eq!(h.finish_hex(), expected.hex());
        assert_eq!(
            ExpectedHash::from_etag(expected.hex()),
            Some(expected.clone())
        );
        assert_eq!(ExpectedHash::from_etag("W/x"), None);
    }
}
