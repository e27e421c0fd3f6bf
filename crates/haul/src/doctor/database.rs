//! Haul's database: does it open, and does SQLite's `PRAGMA integrity_check` pass?

use super::Check;
use crate::config::Config;
use crate::registry::{Registry, RegistryError};

pub(super) async fn database(config: &Config) -> Check {
    const NAME: &str = "database";
    let path = config.dirs.database();
    if !path.exists() {
        return Check::ok(
            NAME,
            format!("none yet at {} (made on first use)", path.display()),
        );
    }
    let aside = format!(
        "move it aside (`mv {0} {0}.broken`); `haul scan` rebuilds the library from the cache",
        path.display()
    );
    let registry = match Registry::open(&path).await {
        Ok(registry) => registry,
        Err(RegistryError::TooNew { found, known, .. }) => {
            return Check::error(
                NAME,
                format!(
                    "{} was written by a newer Haul (schema {found}; this one knows {known})",
                    path.display()
                ),
                "upgrade Haul",
            );
        }
        Err(RegistryError::Open { reason, .. } | RegistryError::Query(reason)) => {
            return Check::error(
                NAME,
                format!(
                    "{} cannot be opened: {}",
                    path.display(),
                    first_line(&reason)
                ),
                aside,
            );
        }
    };
    let result = registry.integrity_check().await;
    registry.close().await;
    match result {
        Ok(answer) if answer == "ok" => Check::ok(
            NAME,
            format!("{} passes the integrity check", path.display()),
        ),
        Ok(answer) => Check::error(
            NAME,
            format!(
                "{} fails the integrity check: {}",
                path.display(),
                first_line(&answer)
            ),
            aside,
        ),
        Err(RegistryError::Query(reason) | RegistryError::Open { reason, .. }) => Check::error(
            NAME,
            format!(
                "{} fails the integrity check: {}",
                path.display(),
                first_line(&reason)
            ),
            aside,
        ),
        Err(e) => Check::error(NAME, e.to_string(), aside),
    }
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or("")
}
