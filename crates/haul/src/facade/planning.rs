//! Planning: from a request to the exact files of one commit, online from the Hub or offline from the
//! cache, without changing anything on disk.

use crate::Error;
use crate::cache::{Store, free_space};
use crate::hub::RepoTarget;
use crate::plan::{self, DownloadRequest, Plan, PlanError, Selection};
use crate::registry::Requester;
use crate::repo_ref::RepoRef;

use super::Haul;

impl Haul {
    /// Works out exactly what a download would fetch. Makes no change on disk.
    pub async fn plan(&self, request: &DownloadRequest) -> Result<Plan, Error> {
        let selection = Selection::new(request)?;
        let store = self.store_for(request);
        let repo = &request.repo;
        let revision = repo.revision_or_main().to_string();
        let Some(hub) = &self.hub else {
            return self.plan_offline(request, &selection, store, revision);
        };
        let target = RepoTarget {
            repo_type: repo.repo_type,
            repo_id: &repo.repo_id,
        };
        let (commit, info) = hub.repo_info(target, &revision).await?;
        let wanted = plan::explicit_files(request);
        let listed = if wanted.is_empty() {
            hub.list_files(target, &commit, repo.folder.as_deref())
                .await?
        } else {
            hub.paths_info(target, &commit, &wanted).await?
        };
        let entries =
            plan::choose(listed, &wanted, &selection).map_err(|path| PlanError::NoSuchFile {
                repo: repo.to_string(),
                revision: revision.clone(),
                path,
            })?;
        let free_space = free_space(&store.space_probe()).ok();
        let mut plan = assemble(repo, store, revision, commit, entries)?;
        plan.free_space = free_space;
        plan.requested_by = request.requested_by;
        plan.gated = info.is_gated();
        plan.private = info.private;
        Ok(plan)
    }

    /// Plans from the cache alone: the ref (or the commit itself) must lead to a snapshot on disk.
    fn plan_offline(
        &self,
        request: &DownloadRequest,
        selection: &Selection,
        store: Store,
        revision: String,
    ) -> Result<Plan, Error> {
        let repo = &request.repo;
        let not_cached = |what: String| {
            Error::from(PlanError::OfflineNotCached {
                repo: what,
                revision: revision.clone(),
                cache: self.config.hub_cache.clone(),
            })
        };
        let Store::Cache(cache) = &store else {
            return Err(not_cached(repo.to_string()));
        };
        let is_commit = revision.len() == 40 && revision.chars().all(|c| c.is_ascii_hexdigit());
        let commit = if is_commit {
            revision.clone()
        } else {
            let ref_path = cache.ref_path(&revision)?;
            std::fs::read_to_string(&ref_path)
                .map_err(|_| not_cached(repo.to_string()))?
                .trim()
                .to_string()
        };
        let snapshot = cache.snapshot_dir(&commit);
        let cached =
            plan::files_in_snapshot(&snapshot).map_err(|_| not_cached(repo.to_string()))?;
        let entries = plan::choose(cached, &plan::explicit_files(request), selection)
            .map_err(|missing| not_cached(format!("{repo} file '{missing}'")))?;
        let mut plan = assemble(repo, store, revision, commit, entries)?;
        plan.offline = true;
        plan.requested_by = request.requested_by;
        Ok(plan)
    }
}

/// A plan of `entries` at `commit`; the caller fills in what it learnt about the repo.
fn assemble(
    repo: &RepoRef,
    store: Store,
    revision: String,
    commit: String,
    entries: Vec<crate::hub::TreeEntry>,
) -> Result<Plan, Error> {
    let files = plan::planned_files(entries, &store, &commit)?;
    Ok(Plan {
        repo_type: repo.repo_type,
        repo_id: repo.repo_id.clone(),
        destination_kind: destination_kind(&store),
        destination: store.root_for(&commit),
        free_space: None,
        revision,
        commit,
        gated: false,
        private: false,
        offline: false,
        files,
        requested_by: Requester::Cli,
        store,
    })
}

fn destination_kind(store: &Store) -> &'static str {
    match store {
        Store::Cache(_) => "cache",
        Store::LocalDir(_) => "local_dir",
    }
}
