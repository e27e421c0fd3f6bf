//! `haul __complete-repos` (hidden): the library's repositories, one a line, as a user types them
//! (`org/name`, `datasets/org/name`, `spaces/org/name`), for the completion scripts. It runs on every
//! Tab press: it never creates a database, and it prints nothing at all when something is wrong.

use haul::paths::HaulDirs;
use haul::registry::{ModelFilter, Registry};

pub async fn run(dirs: Option<HaulDirs>) {
    let Some(dirs) = dirs else { return };
    let path = dirs.database();
    if !path.exists() {
        return;
    }
    let Ok(registry) = Registry::open(&path).await else {
        return;
    };
    let models = registry
        .list_models(&ModelFilter::default())
        .await
        .unwrap_or_default();
    registry.close().await;
    let mut names: Vec<String> = models
        .iter()
        .map(|m| {
            let prefix = m
                .repo_type
                .parse::<haul::RepoType>()
                .map(|t| t.url_prefix())
                .unwrap_or("");
            format!("{prefix}{}", m.repo_id)
        })
        .collect();
    names.sort();
    names.dedup();
    for name in names {
        println!("{name}");
    }
}
