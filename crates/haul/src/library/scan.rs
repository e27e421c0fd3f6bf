//! `scan` imports into the registry every repo found in the cache, whoever downloaded it, and marks
//! recorded repos whose files are gone; `prune` removes leftovers (partial files, detached revisions,
//! unused blobs, dangling refs).

use std::path::PathBuf;

use serde::Serialize;

use crate::Error;
use crate::cache::inventory::{self, RepoInventory};
use crate::cache::removal::{self, PruneItem};
use crate::facade::Haul;
use crate::registry::{FileRecord, ModelFilter, ModelUpsert};

#[derive(Clone, Debug, Serialize)]
pub struct ScanReport {
    pub root: PathBuf,
    /// Repos the library did not know.
    pub imported: Vec<String>,
    /// Repos it knew, brought up to date.
    pub updated: Vec<String>,
    /// Recorded repos no longer in the cache.
    pub missing: Vec<String>,
    pub bytes_on_disk: u64,
}

fn label(inventory: &RepoInventory) -> String {
    format!("{}{}", inventory.repo_type.url_prefix(), inventory.repo_id)
}

impl Haul {
    pub async fn scan(&self) -> Result<ScanReport, Error> {
        let registry = self.need_registry()?;
        let root = self.cache_root().to_path_buf();
        let location = root.to_string_lossy().into_owned();
        let inventories = inventory::scan_cache(&root)?;
        let known = registry
            .list_models(&ModelFilter {
                location: Some(location.clone()),
                ..Default::default()
            })
            .await?;
        let mut report = ScanReport {
            root: root.clone(),
            imported: Vec::new(),
            updated: Vec::new(),
            missing: Vec::new(),
            bytes_on_disk: 0,
        };
        for inventory in &inventories {
            if inventory.revisions.is_empty() {
                continue;
            }
            report.bytes_on_disk += inventory.size_on_disk();
            let was_known = known.iter().any(|m| {
                m.repo_type == inventory.repo_type.as_str() && m.repo_id == inventory.repo_id
            });
            // The current revision: the one `main` names, else the one with most refs (revisions come sorted so).
            let current = inventory
                .revisions
                .iter()
                .find(|r| r.refs.iter().any(|x| x == "main"))
                .unwrap_or(&inventory.revisions[0]);
            let others = inventory
                .revisions
                .iter()
                .filter(|r| r.commit != current.commit);
            for revision in others.chain(std::iter::once(current)) {
                let files = revision
                    .files
                    .iter()
                    .filter(|f| !f.broken && !f.etag.is_empty())
                    .map(|f| FileRecord {
                        commit_sha: revision.commit.clone(),
                        path: f.path.clone(),
                        size_bytes: f.size as i64,
                        etag: f.etag.clone(),
                        algorithm: if f.etag.len() == 64 {
                            "sha256"
                        } else {
                            "git-sha1"
                        }
                        .to_string(),
                    })
                    .collect();
                let broken = revision.files.iter().any(|f| f.broken);
                let upsert = ModelUpsert {
                    repo_type: inventory.repo_type.as_str().to_string(),
                    repo_id: inventory.repo_id.clone(),
                    location: location.clone(),
                    location_kind: "cache".into(),
                    revision: revision
                        .refs
                        .first()
                        .cloned()
                        .unwrap_or_else(|| revision.commit.clone()),
                    commit_sha: revision.commit.clone(),
                    size_bytes: inventory.size_on_disk() as i64,
                    state: if broken { "partial" } else { "complete" }.into(),
                    files: Some(files),
                };
                registry.upsert_model(&upsert).await?;
            }
            if was_known {
                report.updated.push(label(inventory))
            } else {
                report.imported.push(label(inventory))
            }
        }
        for model in known {
            let present = inventories.iter().any(|i| {
                i.repo_type.as_str() == model.repo_type
                    && i.repo_id == model.repo_id
                    && !i.revisions.is_empty()
            });
            if !present {
                registry.set_state(model.id, "missing", 0).await?;
                report.missing.push(model.repo_id.clone());
            }
        }
        Ok(report)
    }

    /// What `prune` would delete in the cache.
    pub fn plan_prune(&self) -> Result<Vec<PruneItem>, Error> {
        let inventories = inventory::scan_cache(self.cache_root())?;
        Ok(removal::plan_prune(self.cache_root(), &inventories))
    }

    /// Deletes the planned leftovers; returns the bytes freed.
    pub fn prune(&self, items: &[PruneItem]) -> Result<u64, Error> {
        Ok(removal::prune(self.cache_root(), items)?)
    }
}
