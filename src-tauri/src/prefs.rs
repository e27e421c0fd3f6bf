//! The app's own preferences, which mean nothing to the CLI: start at login and close to tray. Kept
//! in `desktop.json` beside Haul's settings file.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct AppPrefs {
    pub close_to_tray: bool,
    pub start_at_login: bool,
}

impl Default for AppPrefs {
    fn default() -> AppPrefs {
        AppPrefs {
            close_to_tray: true,
            start_at_login: false,
        }
    }
}

impl AppPrefs {
    pub fn path(config_dir: &Path) -> PathBuf {
        config_dir.join("desktop.json")
    }

    /// A missing or unreadable file gives the defaults (and says so in the log).
    pub fn load(config_dir: &Path) -> AppPrefs {
        let path = AppPrefs::path(config_dir);
        match std::fs::read_to_string(&path) {
            Ok(text) => serde_json::from_str(&text).unwrap_or_else(|e| {
                tracing::warn!("{} is not valid ({e}); using the defaults", path.display());
                AppPrefs::default()
            }),
            Err(_) => AppPrefs::default(),
        }
    }

    /// Written whole to a temporary file then renamed, so a crash never leaves half a file.
    pub fn save(&self, config_dir: &Path) -> std::io::Result<()> {
        std::fs::create_dir_all(config_dir)?;
        let path = AppPrefs::path(config_dir);
        let tmp = path.with_extension("json.tmp");
        let text = serde_json::to_string_pretty(self).map_err(std::io::Error::other)?;
        std::fs::write(&tmp, text)?;
        std::fs::rename(&tmp, &path)
    }
}
