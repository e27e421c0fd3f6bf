//! [`Haul`], the one object every face calls: plan a download, run it, and watch its events.
//! It wires the Hub client, the cache layout, the transfer and the progress stream together.

use std::sync::Arc;
use std::time::Instant;

use serde::Serialize;
use tokio::sync::broadcast;

use crate::Error;
use crate::auth::Token;
use crate::cache::{CacheError, Presence, Store, free_space};
use crate::config::Config;
use crate::events::{Event, Progress, report_progress};
use crate::hub::{HubClient, RepoTarget};
use crate::plan::{self, Destination, DownloadRequest, Plan, PlanError, Selection};
use crate::repo_ref::{self, RepoRef, RepoType};
use crate::transfer::{TransferJob, TransferOptions};

/// What a finished download did.
#[derive(Clone, Debug, Serialize)]
pub struct DownloadReport {
    pub repo_type: RepoType,
    pub repo_id: String,
    pub revision: String,
    pub commit: String,
    /// The snapshot folder or the local dir.
    pub path: std::path::PathBuf,
    pub files_total: usize,
    pub files_fetched: usize,
    pub files_already_present: usize,
    pub bytes_total: u64,
    pub bytes_fetched: u64,
    pub elapsed_secs: f64,
}

pub struct Haul {
    config: Config,
    hub: Option<HubClient>,
    events: broadcast::Sender<Event>,
}

impl Haul {
    /// No network client is made when offline, so nothing can send a request by mistake.
    pub fn new(config: Config, token: Option<Token>) -> Result<Haul, Error> {
        let hub = if config.offline {
            None
        } else {
            Some(HubClient::new(&config, token)?)
        };
        let (events, _) = broadcast::channel(1024);
        Ok(Haul {
            config,
            hub,
            events,
        })
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.events.subscribe()
    }

    /// Parses what a user typed, accepting web URLs of the configured endpoint only.
    pub fn parse_ref(&self, input: &str, default_type: RepoType) -> Result<RepoRef, Error> {
        Ok(repo_ref::parse(input, &self.config.endpoint, default_type)?)
    }

    fn store_for(&self, request: &DownloadRequest) -> Store {
        let (repo_type, repo_id) = (request.repo.repo_type, request.repo.repo_id.as_str());
        match &request.destination {
            Destination::DefaultCache => Store::cache(&self.config.hub_cache, repo_type, repo_id),
            Destination::CacheDir(dir) => Store::cache(dir, repo_type, repo_id),
            Destination::LocalDir(dir) => Store::local_dir(dir),
        }
    }

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
        Ok(plan)
    }

    /// Fetches what the plan lacks, verifies it, and puts it in place. Files already present are only linked.
    pub async fn download(
        &self,
        plan: &Plan,
        options: &TransferOptions,
    ) -> Result<DownloadReport, Error> {
        let started = Instant::now();
        let to_fetch: Vec<_> = plan
            .files
            .iter()
            .filter(|f| f.needs_bytes())
            .cloned()
            .collect();
        let bytes_to_fetch: u64 = to_fetch.iter().map(|f| f.size).sum();
        if !to_fetch.is_empty() {
            let probe = plan.store.space_probe();
            let available = free_space(&probe)?;
            if bytes_to_fetch > available {
                return Err(CacheError::InsufficientSpace {
                    path: probe,
                    needed: bytes_to_fetch,
                    available,
                }
                .into());
            }
        }
        plan.store.prepare()?;
        for file in plan
            .files
            .iter()
            .filter(|f| f.presence == Presence::ContentOnly)
        {
            plan.store
                .link_existing(&file.path, &file.etag, &plan.commit)?;
        }
        let mut fetched = 0;
        if let (false, Some(hub)) = (to_fetch.is_empty(), &self.hub) {
            let progress = Arc::new(Progress::new(bytes_to_fetch, to_fetch.len() as u64));
            let (stop, stopped) = tokio::sync::oneshot::channel();
            let reporter = tokio::spawn(report_progress(
                Arc::clone(&progress),
                self.events.clone(),
                stopped,
            ));
            let job = Arc::new(TransferJob {
                hub: hub.clone(),
                repo_type: plan.repo_type,
                repo_id: plan.repo_id.clone(),
                commit: plan.commit.clone(),
                store: plan.store.clone(),
                options: options.clone(),
                progress,
                events: self.events.clone(),
            });
            let outcomes = job.run(to_fetch.clone()).await;
            let _ = stop.send(());
            let _ = reporter.await;
            let total = outcomes.len();
            let mut failures = Vec::new();
            let mut first = None;
            for outcome in outcomes {
                match outcome.result {
                    Ok(_) => fetched += 1,
                    Err(e) => {
                        failures.push((outcome.path, e.to_string()));
                        first.get_or_insert(e);
                    }
                }
            }
            // The ref is written even after a partial failure: what did arrive is a usable snapshot.
            plan.store.finish_revision(&plan.revision, &plan.commit)?;
            if let Some(first) = first {
                failures.sort();
                return Err(Error::FilesFailed {
                    failed: failures.len(),
                    total,
                    first: Box::new(first),
                    failures,
                });
            }
        } else {
            plan.store.finish_revision(&plan.revision, &plan.commit)?;
        }
        Ok(DownloadReport {
            repo_type: plan.repo_type,
            repo_id: plan.repo_id.clone(),
            revision: plan.revision.clone(),
            commit: plan.commit.clone(),
            path: plan.destination.clone(),
            files_total: plan.files.len(),
            files_fetched: fetched,
            files_already_present: plan.files.len() - to_fetch.len(),
            bytes_total: plan.total_bytes(),
            bytes_fetched: bytes_to_fetch,
            elapsed_secs: started.elapsed().as_secs_f64(),
        })
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
        store,
    })
}

fn destination_kind(store: &Store) -> &'static str {
    match store {
        Store::Cache(_) => "cache",
        Store::LocalDir(_) => "local_dir",
    }
}

impl TransferOptions {
    pub fn from_config(config: &Config) -> TransferOptions {
        TransferOptions {
            max_workers: config.max_workers,
            retries: config.retries,
            retry_base_delay: config.retry_base_delay,
            corrupt_refetches: 1,
        }
    }
}
