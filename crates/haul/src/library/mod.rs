//! The library: what Haul (and other tools) have put in the cache, seen through the registry and
//! checked against the disk — list, show, remove — with verify, scan and prune beside it. The cache on
//! disk is the truth for files; the registry adds where things came from and what they cost.

mod outdated;
mod scan;
mod verify;

use std::path::{Path, PathBuf};

use serde::Serialize;

pub use outdated::Outdated;
pub use scan::ScanReport;
pub use verify::{VerifyReport, VerifyTarget};

use crate::Error;
use crate::cache::inventory::{self, RepoInventory};
use crate::cache::removal::{self, Removal};
use crate::cache::repo_folder_name;
use crate::facade::Haul;
use crate::registry::{DownloadRecord, FileRecord, ModelFilter, ModelRecord, Registry};
use crate::repo_ref::RepoRef;

#[derive(Debug, thiserror::Error)]
pub enum LibraryError {
    #[error("{repo} is not in the library at {}: nothing to do. `haul list` shows what is there; `haul scan` imports what other tools downloaded", cache.display())]
    NotInLibrary { repo: String, cache: PathBuf },
    #[error("{repo} has no revision '{revision}' in the cache; it has: {available}")]
    NoSuchRevision {
        repo: String,
        revision: String,
        available: String,
    },
    #[error("{what} needs the Hub, but HF_HUB_OFFLINE is set: unset it to {what}")]
    Offline { what: &'static str },
    #[error("{0}")]
    Damaged(String),
    #[error("{0}")]
    NoJob(String),
    #[error(
        "refusing to delete without confirmation, and there is no terminal to ask on: pass -y (or --dry-run to look first)"
    )]
    Confirm,
}

/// Everything known about one repo.
#[derive(Clone, Debug, Serialize)]
pub struct RepoDetail {
    pub repo: String,
    /// Where it was downloaded (registry rows), one per location.
    pub records: Vec<ModelRecord>,
    /// What is in the configured cache right now.
    pub cached: Option<RepoInventory>,
    /// Files of the current commit as recorded.
    pub files: Vec<FileRecord>,
    pub history: Vec<DownloadRecord>,
}

impl Haul {
    pub(crate) fn need_registry(&self) -> Result<&Registry, Error> {
        self.registry.as_ref().ok_or_else(|| {
            LibraryError::Damaged("the library needs Haul's database, which is not open".into())
                .into()
        })
    }

    /// The cache root library commands act on (`HF_HUB_CACHE`, or `--cache-dir`).
    pub fn cache_root(&self) -> &Path {
        &self.config.hub_cache
    }

    fn inventory_of(&self, repo: &RepoRef) -> Result<Option<RepoInventory>, Error> {
        self.inventory_in(self.cache_root(), repo)
    }

    /// What the cache rooted at `root` holds of `repo`; `None` when nothing.
    pub(crate) fn inventory_in(
        &self,
        root: &Path,
        repo: &RepoRef,
    ) -> Result<Option<RepoInventory>, Error> {
        let dir = root.join(repo_folder_name(repo.repo_type, &repo.repo_id));
        if !dir.is_dir() {
            return Ok(None);
        }
        Ok(Some(inventory::scan_repo(
            &dir,
            repo.repo_type,
            &repo.repo_id,
        )?))
    }

    /// The library, with each record's state checked against the disk (no hashing; `verify` does that).
    pub async fn list(&self, filter: &ModelFilter) -> Result<Vec<ModelRecord>, Error> {
        let registry = self.need_registry()?;
        let mut models = registry.list_models(filter).await?;
        for model in &mut models {
            let on_disk = match model.location_kind.as_str() {
                "cache" => Path::new(&model.location)
                    .join(repo_folder_name(
                        model.repo_type.parse().unwrap_or_default(),
                        &model.repo_id,
                    ))
                    .join("snapshots")
                    .join(&model.commit_sha)
                    .is_dir(),
                _ => Path::new(&model.location).is_dir(),
            };
            if !on_disk && model.state != "missing" {
                registry.set_state(model.id, "missing", 0).await?;
                model.state = "missing".into();
                model.size_bytes = 0;
            }
        }
        Ok(models)
    }

    pub async fn show(&self, repo: &RepoRef) -> Result<RepoDetail, Error> {
        let registry = self.need_registry()?;
        let type_name = repo.repo_type.as_str();
        let records = registry.find_models(type_name, &repo.repo_id).await?;
        let cached = self.inventory_of(repo)?;
        if records.is_empty() && cached.is_none() {
            return Err(LibraryError::NotInLibrary {
                repo: repo.to_string(),
                cache: self.cache_root().to_path_buf(),
            }
            .into());
        }
        let files = match records.first() {
            Some(record) => registry.files(record.id, Some(&record.commit_sha)).await?,
            None => Vec::new(),
        };
        let history = registry.history(type_name, &repo.repo_id, 20).await?;
        Ok(RepoDetail {
            repo: repo.to_string(),
            records,
            cached,
            files,
            history,
        })
    }

    /// What `remove` would delete: the repo's revision named by `repo.revision` (a ref or a commit), or all of it.
    pub fn plan_remove(&self, repo: &RepoRef) -> Result<Removal, Error> {
        let Some(inventory) = self.inventory_of(repo)? else {
            return Err(LibraryError::NotInLibrary {
                repo: repo.to_string(),
                cache: self.cache_root().to_path_buf(),
            }
            .into());
        };
        let commits = match &repo.revision {
            None => Vec::new(),
            Some(revision) => {
                let commit = inventory
                    .commit_of(revision)
                    .map(str::to_string)
                    .or_else(|| inventory.revision(revision).map(|r| r.commit.clone()))
                    .ok_or_else(|| LibraryError::NoSuchRevision {
                        repo: repo.to_string(),
                        revision: revision.clone(),
                        available: describe_revisions(&inventory),
                    })?;
                vec![commit]
            }
        };
        Ok(removal::plan_removal(&inventory, &commits))
    }

    /// Deletes what `plan_remove` planned and updates the registry to match.
    pub async fn remove(&self, repo: &RepoRef, plan: &Removal) -> Result<(), Error> {
        self.remove_in(self.cache_root(), repo, plan).await
    }

    /// [`Haul::remove`] in the cache rooted at `root` (a schedule's cache may not be the configured one).
    pub(crate) async fn remove_in(
        &self,
        root: &Path,
        repo: &RepoRef,
        plan: &Removal,
    ) -> Result<(), Error> {
        removal::remove(root, plan)?;
        let Some(registry) = &self.registry else {
            return Ok(());
        };
        let location = root.to_string_lossy().into_owned();
        for record in registry
            .find_models(repo.repo_type.as_str(), &repo.repo_id)
            .await?
        {
            if record.location != location {
                continue;
            }
            if plan.whole_repo {
                registry.forget_model(record.id).await?;
                continue;
            }
            for commit in &plan.revisions {
                registry.forget_revision(record.id, commit).await?;
            }
            let size = self
                .inventory_in(root, repo)?
                .map(|i| i.size_on_disk())
                .unwrap_or(0);
            let state = if plan.revisions.contains(&record.commit_sha) {
                "missing"
            } else {
                record.state.as_str()
            };
            registry.set_state(record.id, state, size as i64).await?;
        }
        Ok(())
    }
}

fn describe_revisions(inventory: &RepoInventory) -> String {
    let names: Vec<String> = inventory
        .revisions
        .iter()
        .map(|r| {
            if r.refs.is_empty() {
                r.commit.clone()
            } else {
                format!(
                    "{} ({})",
                    r.refs.join(", "),
                    &r.commit[..r.commit.len().min(10)]
                )
            }
        })
        .collect();
    if names.is_empty() {
        "none".into()
    } else {
        names.join("; ")
    }
}
