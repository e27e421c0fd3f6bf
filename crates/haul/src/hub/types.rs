//! The JSON shapes the Hub answers with, as far as Haul reads them.

use serde::{Deserialize, Serialize};

use crate::verify::ExpectedHash;

/// `GET /api/{type}s/{repo}/revision/{rev}`.
#[derive(Clone, Debug, Deserialize)]
pub struct RepoInfo {
    pub id: Option<String>,
    /// The commit the revision resolved to.
    pub sha: Option<String>,
    #[serde(default)]
    pub private: bool,
    /// `false`, `"auto"` or `"manual"`.
    #[serde(default)]
    pub gated: serde_json::Value,
}

impl RepoInfo {
    pub fn is_gated(&self) -> bool {
        matches!(&self.gated, serde_json::Value::String(_))
            || self.gated == serde_json::Value::Bool(true)
    }
}

/// One entry of a tree listing or a paths-info answer.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct TreeEntry {
    #[serde(rename = "type")]
    pub kind: String,
    /// The git object id: for files, the blob sha1 (of the LFS pointer for LFS files).
    #[serde(default)]
    pub oid: String,
    #[serde(default)]
    pub size: u64,
    pub path: String,
    #[serde(default)]
    pub lfs: Option<LfsInfo>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct LfsInfo {
    /// sha256 of the content; `sha256` in the repo-info siblings shape.
    #[serde(alias = "sha256")]
    pub oid: String,
    pub size: u64,
    #[serde(rename = "pointerSize", default)]
    pub pointer_size: u64,
}

impl TreeEntry {
    pub fn is_file(&self) -> bool {
        self.kind == "file"
    }

    /// The etag the cache names the blob by, and the hash that proves the content.
    pub fn expected_hash(&self) -> ExpectedHash {
        match &self.lfs {
            Some(lfs) => ExpectedHash::Sha256(lfs.oid.to_ascii_lowercase()),
            None => ExpectedHash::GitSha1(self.oid.to_ascii_lowercase()),
        }
    }

    /// The content size: the LFS object's, not the pointer's.
    pub fn content_size(&self) -> u64 {
        self.lfs.as_ref().map_or(self.size, |l| l.size)
    }
}

/// `GET /api/whoami-v2`.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct WhoAmI {
    pub name: String,
    #[serde(rename = "type", default)]
    pub kind: String,
}
