//! The HF cache folder: can Haul write there, how much room is left, and are partial downloads lying
//! around that no process is writing?

use std::path::{Path, PathBuf};

use super::{Check, bytes};
use crate::cache::free_space;
use crate::cache::inventory::scan_cache;
use crate::cache::removal::{PruneKind, plan_prune};
use crate::config::Config;

/// Below this, a typical model no longer fits.
const LOW_SPACE: u64 = 5 << 30;
/// Below this, nothing much fits.
const NO_SPACE: u64 = 200 << 20;

pub(super) async fn checks(config: &Config) -> Vec<Check> {
    let root = config.hub_cache.clone();
    // File system walks and writes: off the async workers.
    tokio::task::spawn_blocking(move || {
        let writable = cache_dir(&root);
        let space = space(&root);
        let partial = if writable.status == super::Status::Ok {
            partial_files(&root)
        } else {
            Check::warning(
                "partial_files",
                "not looked for: the cache folder is not usable",
                "fix the cache folder first",
            )
        };
        vec![writable, space, partial]
    })
    .await
    .unwrap_or_else(|e| {
        vec![Check::error(
            "cache_dir",
            format!("the check stopped: {e}"),
            "report this as a bug",
        )]
    })
}

fn other_cache_fix(root: &Path) -> String {
    format!(
        "make {} writable by you, or use another cache: `haul config set cache_dir DIR` (or HF_HUB_CACHE)",
        root.display()
    )
}

fn cache_dir(root: &Path) -> Check {
    const NAME: &str = "cache_dir";
    let existing = nearest_existing(root);
    if !existing.is_dir() {
        return Check::error(
            NAME,
            format!(
                "{} cannot be a folder: {} is a file",
                root.display(),
                existing.display()
            ),
            other_cache_fix(root),
        );
    }
    // Writing is the only sure test (permissions, ACLs, read-only mounts, root squash all differ).
    let probe = existing.join(format!(".haul-doctor-{}.tmp", std::process::id()));
    let written = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe);
    let _ = std::fs::remove_file(&probe);
    match written {
        Ok(_) if existing == root => Check::ok(NAME, format!("{} is writable", root.display())),
        Ok(_) => Check::ok(
            NAME,
            format!(
                "{} does not exist yet; {} is writable, so it can be made",
                root.display(),
                existing.display()
            ),
        ),
        Err(e) => Check::error(
            NAME,
            format!("cannot write in {}: {e}", existing.display()),
            other_cache_fix(root),
        ),
    }
}

fn space(root: &Path) -> Check {
    const NAME: &str = "free_space";
    let probe = nearest_existing(root);
    match free_space(&probe) {
        Ok(free) if free < NO_SPACE => Check::error(
            NAME,
            format!(
                "only {} free for the cache ({})",
                bytes(free),
                probe.display()
            ),
            "free some space (`haul prune`, `haul remove REPO`) or move the cache: `haul config set cache_dir DIR`",
        ),
        Ok(free) if free < LOW_SPACE => Check::warning(
            NAME,
            format!("{} free for the cache ({})", bytes(free), probe.display()),
            "large models may not fit: free some space (`haul prune`, `haul remove REPO`) or move the cache",
        ),
        Ok(free) => Check::ok(
            NAME,
            format!("{} free for the cache ({})", bytes(free), probe.display()),
        ),
        Err(e) => Check::warning(
            NAME,
            e.to_string(),
            "check that the cache's disk is mounted",
        ),
    }
}

fn partial_files(root: &Path) -> Check {
    const NAME: &str = "partial_files";
    if !root.exists() {
        return Check::ok(NAME, "none (the cache is empty)");
    }
    let inventories = match scan_cache(root) {
        Ok(inventories) => inventories,
        Err(e) => return Check::warning(NAME, e.to_string(), other_cache_fix(root)),
    };
    let leftovers: Vec<_> = plan_prune(root, &inventories)
        .into_iter()
        .filter(|item| item.kind == PruneKind::Partial)
        .collect();
    if leftovers.is_empty() {
        return Check::ok(NAME, "none");
    }
    let total: u64 = leftovers.iter().map(|i| i.bytes).sum();
    let mut repos: Vec<&str> = leftovers.iter().map(|i| i.repo.as_str()).collect();
    repos.dedup();
    Check::warning(
        NAME,
        format!(
            "{} partial download{} ({}) that no process is writing, in {}",
            leftovers.len(),
            if leftovers.len() == 1 { "" } else { "s" },
            bytes(total),
            repos.join(", ")
        ),
        "`haul download` the repository again to finish them, or `haul prune` to delete them",
    )
}

/// The path itself or its closest ancestor that exists.
fn nearest_existing(path: &Path) -> PathBuf {
    let mut current = path;
    loop {
        if current.exists() {
            return current.to_path_buf();
        }
        match current.parent() {
            Some(parent) => current = parent,
            None => return PathBuf::from("."),
        }
    }
}
