//! `verify`: re-hash every cached file and compare it with the Hub's hashes (or, offline, with the
//! hashes already known: the registry's, else the blob names, which are the hashes). Reports corrupt,
//! missing and extra files; `repair` fetches again only the bad ones.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use serde::Serialize;

use super::LibraryError;
use crate::Error;
use crate::cache::inventory::{self, RepoInventory, RevisionInventory};
use crate::events::{Progress, report_progress};
use crate::facade::Haul;
use crate::hub::RepoTarget;
use crate::plan::{Destination, DownloadRequest};
use crate::repo_ref::RepoRef;
use crate::transfer::TransferOptions;
use crate::verify::{ExpectedHash, hash_file};

#[derive(Clone, Debug)]
pub enum VerifyTarget {
    /// One repo; its `revision` (a ref or a commit) limits the check to that revision.
    Repo(RepoRef),
    /// Every repo in the cache.
    All,
}

#[derive(Clone, Debug, Serialize)]
pub struct VerifyReport {
    pub repo: String,
    pub commit: String,
    pub refs: Vec<String>,
    /// What the files were compared with: `hub`, `registry` or `blob names`.
    pub against: String,
    pub files_checked: usize,
    pub bytes_checked: u64,
    pub corrupt: Vec<String>,
    pub missing: Vec<String>,
    pub extra: Vec<String>,
    pub repaired: Vec<String>,
}

impl VerifyReport {
    /// Every file present and intact (after repairs).
    pub fn is_ok(&self) -> bool {
        self.corrupt
            .iter()
            .chain(&self.missing)
            .all(|p| self.repaired.contains(p))
    }
}

/// What a file should be: its etag (= its hash) and size.
type Expected = BTreeMap<String, (String, u64)>;

impl Haul {
    pub async fn verify(
        &self,
        target: &VerifyTarget,
        repair: bool,
    ) -> Result<Vec<VerifyReport>, Error> {
        let root = self.cache_root().to_path_buf();
        let inventories: Vec<(RepoInventory, Option<String>)> = match target {
            VerifyTarget::All => inventory::scan_cache(&root)?
                .into_iter()
                .map(|i| (i, None))
                .collect(),
            VerifyTarget::Repo(repo) => {
                let inventory =
                    self.inventory_of(repo)?
                        .ok_or_else(|| LibraryError::NotInLibrary {
                            repo: repo.to_string(),
                            cache: root.clone(),
                        })?;
                vec![(inventory, repo.revision.clone())]
            }
        };
        if repair && self.hub.is_none() {
            return Err(LibraryError::Offline { what: "repair" }.into());
        }
        let mut reports = Vec::new();
        for (inventory, revision) in inventories {
            let revisions: Vec<&RevisionInventory> = match &revision {
                None => inventory.revisions.iter().collect(),
                Some(rev) => {
                    let found = inventory
                        .revisions
                        .iter()
                        .filter(|r| r.commit == *rev || r.refs.iter().any(|x| x == rev))
                        .collect::<Vec<_>>();
                    if found.is_empty() {
                        return Err(LibraryError::NoSuchRevision {
                            repo: format!(
                                "{}{}",
                                inventory.repo_type.url_prefix(),
                                inventory.repo_id
                            ),
                            revision: rev.clone(),
                            available: super::describe_revisions(&inventory),
                        }
                        .into());
                    }
                    found
                }
            };
            for revision in revisions {
                let mut report = self.verify_revision(&inventory, revision).await?;
                if repair && !(report.corrupt.is_empty() && report.missing.is_empty()) {
                    self.repair(&inventory, &mut report).await?;
                }
                reports.push(report);
            }
        }
        Ok(reports)
    }

    /// The paths the registry recorded for this revision in the configured cache (what was asked
    /// for), when it recorded any.
    async fn recorded_paths(
        &self,
        inventory: &RepoInventory,
        revision: &RevisionInventory,
    ) -> Result<Option<std::collections::BTreeSet<String>>, Error> {
        let Some(registry) = &self.registry else {
            return Ok(None);
        };
        let location = self.cache_root().to_string_lossy().into_owned();
        for record in registry
            .find_models(inventory.repo_type.as_str(), &inventory.repo_id)
            .await?
        {
            if record.location != location {
                continue;
            }
            let files = registry.files(record.id, Some(&revision.commit)).await?;
            if !files.is_empty() {
                return Ok(Some(files.into_iter().map(|f| f.path).collect()));
            }
        }
        Ok(None)
    }

    /// The hashes a revision's files should have, and where they came from.
    async fn expected_files(
        &self,
        inventory: &RepoInventory,
        revision: &RevisionInventory,
    ) -> Result<(Expected, String), Error> {
        if let Some(hub) = &self.hub {
            let target = RepoTarget {
                repo_type: inventory.repo_type,
                repo_id: &inventory.repo_id,
            };
            match hub.list_files(target, &revision.commit, None).await {
                Ok(entries) => {
                    // A download of some files (include/exclude, a pick in the app) is checked for
                    // those files: the others were never asked for, so they are not "missing".
                    let chosen = self.recorded_paths(inventory, revision).await?;
                    let expected = entries
                        .iter()
                        .filter(|e| chosen.as_ref().is_none_or(|c| c.contains(&e.path)))
                        .map(|e| {
                            (
                                e.path.clone(),
                                (e.expected_hash().hex().to_string(), e.content_size()),
                            )
                        })
                        .collect();
                    return Ok((expected, "hub".into()));
                }
                Err(e) => tracing::warn!(
                    "cannot list {} at the Hub ({e}); checking against the hashes already known",
                    inventory.repo_id
                ),
            }
        }
        if let Some(registry) = &self.registry {
            let location = self.cache_root().to_string_lossy().into_owned();
            for record in registry
                .find_models(inventory.repo_type.as_str(), &inventory.repo_id)
                .await?
            {
                if record.location != location {
                    continue;
                }
                let files = registry.files(record.id, Some(&revision.commit)).await?;
                if !files.is_empty() {
                    let expected = files
                        .into_iter()
                        .map(|f| (f.path, (f.etag, f.size_bytes.max(0) as u64)))
                        .collect();
                    return Ok((expected, "registry".into()));
                }
            }
        }
        let expected = revision
            .files
            .iter()
            .map(|f| (f.path.clone(), (f.etag.clone(), f.size)))
            .collect();
        Ok((expected, "blob names".into()))
    }

    async fn verify_revision(
        &self,
        inventory: &RepoInventory,
        revision: &RevisionInventory,
    ) -> Result<VerifyReport, Error> {
        let (expected, against) = self.expected_files(inventory, revision).await?;
        let on_disk: BTreeMap<&str, &inventory::SnapshotFile> = revision
            .files
            .iter()
            .map(|f| (f.path.as_str(), f))
            .collect();
        let mut missing = Vec::new();
        let mut corrupt = Vec::new();
        let mut to_hash = Vec::new();
        for (path, (etag, size)) in &expected {
            match on_disk.get(path.as_str()) {
                None => missing.push(path.clone()),
                Some(file) if file.broken => missing.push(path.clone()),
                Some(file) if !file.etag.is_empty() && file.etag != *etag => {
                    corrupt.push(path.clone())
                }
                Some(_) => to_hash.push((path.clone(), etag.clone(), *size)),
            }
        }
        let extra = if against == "blob names" {
            Vec::new()
        } else {
            on_disk
                .keys()
                .filter(|p| !expected.contains_key(**p))
                .map(|p| p.to_string())
                .collect()
        };
        let total: u64 = to_hash.iter().map(|(_, _, size)| size).sum();
        let progress = Arc::new(Progress::new(total, to_hash.len() as u64));
        let (stop, stopped) = tokio::sync::oneshot::channel();
        let reporter = tokio::spawn(report_progress(
            Arc::clone(&progress),
            self.events.clone(),
            stopped,
            None,
        ));
        let workers = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2);
        let permits = Arc::new(tokio::sync::Semaphore::new(workers));
        let mut tasks = tokio::task::JoinSet::new();
        let files_checked = to_hash.len();
        for (path, etag, size) in to_hash {
            let blob = inventory.repo_dir.join("blobs").join(&etag);
            let progress = Arc::clone(&progress);
            let permits = Arc::clone(&permits);
            tasks.spawn(async move {
                let _permit = permits.acquire_owned().await;
                progress.file_started(&path, size);
                let good = match ExpectedHash::from_etag(&etag) {
                    Some(hash) => {
                        let hash_for_thread = hash.clone();
                        let blob_for_thread: PathBuf = blob.clone();
                        tokio::task::spawn_blocking(move || {
                            hash_file(&blob_for_thread, &hash_for_thread)
                        })
                        .await
                        .ok()
                        .and_then(Result::ok)
                        .is_some_and(|actual| actual == hash.hex())
                    }
                    // A name that is no hash cannot be checked: report it rather than pass it.
                    None => false,
                };
                progress.add(&path, size);
                progress.file_finished(&path);
                (path, good)
            });
        }
        while let Some(done) = tasks.join_next().await {
            if let Ok((path, false)) = done {
                corrupt.push(path);
            }
        }
        let _ = stop.send(());
        let _ = reporter.await;
        corrupt.sort();
        Ok(VerifyReport {
            repo: format!("{}{}", inventory.repo_type.url_prefix(), inventory.repo_id),
            commit: revision.commit.clone(),
            refs: revision.refs.clone(),
            against,
            files_checked,
            bytes_checked: total,
            corrupt,
            missing,
            extra,
            repaired: Vec::new(),
        })
    }

    /// Deletes the corrupt blobs and fetches the bad files of this commit again — only those.
    async fn repair(
        &self,
        inventory: &RepoInventory,
        report: &mut VerifyReport,
    ) -> Result<(), Error> {
        let snapshot = inventory.repo_dir.join("snapshots").join(&report.commit);
        for path in &report.corrupt {
            let link = snapshot
                .join(crate::cache::safe_relative(path).map_err(crate::cache::CacheError::from)?);
            if let Some(etag) = std::fs::read_link(&link)
                .ok()
                .and_then(|t| t.file_name().and_then(|n| n.to_str()).map(str::to_string))
            {
                let blob = inventory.repo_dir.join("blobs").join(
                    crate::cache::safe_relative(&etag).map_err(crate::cache::CacheError::from)?,
                );
                let _ = std::fs::remove_file(blob);
            }
            let _ = std::fs::remove_file(&link);
        }
        let bad: Vec<String> = report
            .corrupt
            .iter()
            .chain(&report.missing)
            .cloned()
            .collect();
        let repo = RepoRef {
            repo_type: inventory.repo_type,
            repo_id: inventory.repo_id.clone(),
            revision: Some(report.commit.clone()),
            file: None,
            folder: None,
        };
        let mut request = DownloadRequest::new(repo);
        request.files = bad.clone();
        request.destination = Destination::CacheDir(self.cache_root().to_path_buf());
        let plan = self.plan(&request).await?;
        self.download(&plan, &TransferOptions::from_config(&self.config))
            .await?;
        report.repaired = bad;
        Ok(())
    }
}
