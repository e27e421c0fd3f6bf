//! `outdated` and `update`: which repos in the library have a newer commit on the branch they were
//! downloaded from, and fetching just what changed.

use serde::Serialize;

use super::LibraryError;
use crate::Error;
use crate::facade::{DownloadReport, Haul};
use crate::hub::RepoTarget;
use crate::plan::{Destination, DownloadRequest};
use crate::registry::{ModelFilter, ModelRecord};
use crate::repo_ref::{RepoRef, RepoType};

#[derive(Clone, Debug, Serialize)]
pub struct Outdated {
    pub repo_type: String,
    pub repo_id: String,
    pub revision: String,
    pub location: String,
    pub local_commit: String,
    pub remote_commit: String,
}

/// A revision that names a commit can never be outdated; branches and tags can move.
fn is_commit(revision: &str) -> bool {
    revision.len() == 40 && revision.chars().all(|c| c.is_ascii_hexdigit())
}

impl Haul {
    /// Repos (of `only`, or all) whose branch has moved since they were downloaded. Needs the network.
    pub async fn outdated(&self, only: Option<&RepoRef>) -> Result<Vec<Outdated>, Error> {
        let hub = self.hub.as_ref().ok_or(LibraryError::Offline {
            what: "check for updates",
        })?;
        let registry = self.need_registry()?;
        let mut models: Vec<ModelRecord> = registry.list_models(&ModelFilter::default()).await?;
        if let Some(repo) = only {
            models.retain(|m| m.repo_type == repo.repo_type.as_str() && m.repo_id == repo.repo_id);
            if models.is_empty() {
                return Err(LibraryError::NotInLibrary {
                    repo: repo.to_string(),
                    cache: self.cache_root().to_path_buf(),
                }
                .into());
            }
        }
        let mut found = Vec::new();
        for model in models
            .into_iter()
            .filter(|m| m.state != "missing" && !is_commit(&m.revision))
        {
            let repo_type: RepoType = model.repo_type.parse().unwrap_or_default();
            let target = RepoTarget {
                repo_type,
                repo_id: &model.repo_id,
            };
            let (remote, _) = hub.repo_info(target, &model.revision).await?;
            registry.set_checked(model.id).await?;
            if remote != model.commit_sha {
                found.push(Outdated {
                    repo_type: model.repo_type.clone(),
                    repo_id: model.repo_id.clone(),
                    revision: model.revision.clone(),
                    location: model.location.clone(),
                    local_commit: model.commit_sha.clone(),
                    remote_commit: remote,
                });
            }
        }
        Ok(found)
    }

    /// Brings an outdated repo to its branch's new commit: only changed files are fetched.
    pub async fn update(&self, outdated: &Outdated) -> Result<DownloadReport, Error> {
        let repo = RepoRef {
            repo_type: outdated.repo_type.parse().unwrap_or_default(),
            repo_id: outdated.repo_id.clone(),
            revision: Some(outdated.revision.clone()),
            file: None,
            folder: None,
        };
        let mut request = DownloadRequest::new(repo);
        let location = std::path::PathBuf::from(&outdated.location);
        let registry = self.need_registry()?;
        let is_local_dir = registry
            .find_models(&outdated.repo_type, &outdated.repo_id)
            .await?
            .iter()
            .any(|m| m.location == outdated.location && m.location_kind == "local_dir");
        request.destination = if is_local_dir {
            Destination::LocalDir(location)
        } else {
            Destination::CacheDir(location)
        };
        // The same selection as before: the whole repo if the previous download had every file of its
        // commit, else the files it had (those still in the new commit).
        let record = registry
            .find_models(&outdated.repo_type, &outdated.repo_id)
            .await?
            .into_iter()
            .find(|m| m.location == outdated.location);
        if let (Some(record), Some(hub)) = (record, &self.hub) {
            let had: Vec<String> = registry
                .files(record.id, Some(&outdated.local_commit))
                .await?
                .into_iter()
                .map(|f| f.path)
                .collect();
            let target = RepoTarget {
                repo_type: request.repo.repo_type,
                repo_id: &outdated.repo_id,
            };
            let old_listing = hub.list_files(target, &outdated.local_commit, None).await?;
            let whole = !had.is_empty() && old_listing.iter().all(|e| had.contains(&e.path));
            if !whole && !had.is_empty() {
                let new_listing = hub
                    .list_files(target, &outdated.remote_commit, None)
                    .await?;
                request.files = had
                    .into_iter()
                    .filter(|p| new_listing.iter().any(|e| &e.path == p))
                    .collect();
            }
        }
        let plan = self.plan(&request).await?;
        self.download(&plan, &self.transfer_options()).await
    }
}
