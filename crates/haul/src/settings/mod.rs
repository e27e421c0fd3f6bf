//! Haul's settings: the `config.toml` a person edits (or `haul config set` writes), as a typed
//! [`Settings`] where every field is optional. [`crate::Config`] layers it: defaults → this file →
//! environment → flags. String key names exist only in [`keys`], the one table the edge (`haul config`,
//! the file, the app) goes through.
//!
//! The file is untrusted: unknown keys, wrong types and out-of-range values are errors that name the
//! file, line and key (and the key most likely meant); a malformed file is never reset or overwritten.

mod bandwidth;
mod error;
mod file;
pub mod keys;

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use url::Url;

pub use bandwidth::{Bandwidth, BandwidthError, MIN_BYTES_PER_SEC};
pub use error::{At, Problem, SettingsError};
pub use file::SettingsFile;
pub use keys::{Field, KEYS, Key, Kind, Value, key};

/// One layer of settings (the file, the environment, the flags); `None` means "not set here".
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// The Hugging Face cache root; `~/` is expanded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_dir: Option<PathBuf>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<Url>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_concurrent_files: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connections_per_file: Option<u32>,
    /// Queued downloads a service runs at once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_jobs: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bandwidth_limit: Option<Bandwidth>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proxy: Option<Url>,
    #[serde(default)]
    pub notifications: NotificationSettings,
}

/// Which events reach the desktop's notifications.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotificationSettings {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_available: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule_error: Option<bool>,
}

impl Settings {
    /// The bottom layer: every key that has a default, set to it. The cache's default depends on the
    /// environment (`XDG_CACHE_HOME`, `HOME`), so the caller passes it.
    pub fn defaults(cache_dir: PathBuf) -> Settings {
        Settings {
            cache_dir: Some(cache_dir),
            endpoint: Url::parse(crate::config::DEFAULT_ENDPOINT).ok(),
            max_concurrent_files: Some(keys::DEFAULT_MAX_CONCURRENT_FILES),
            connections_per_file: Some(keys::DEFAULT_CONNECTIONS_PER_FILE),
            max_jobs: Some(keys::DEFAULT_MAX_JOBS),
            bandwidth_limit: Some(Bandwidth::Unlimited),
            proxy: None,
            notifications: NotificationSettings {
                finished: Some(true),
                failed: Some(true),
                update_available: Some(true),
                schedule_error: Some(true),
            },
        }
    }

    /// Reads a settings file's text; `path` is only for messages.
    pub fn from_toml(text: &str, path: &std::path::Path) -> Result<Settings, SettingsError> {
        file::parse(text, path)
    }
}

/// Which layer a value came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    Default,
    File,
    /// The environment variable that set it.
    Env(&'static str),
    Flag,
}

impl Source {
    pub fn label(self) -> &'static str {
        match self {
            Source::Default => "default",
            Source::File => "file",
            Source::Env(_) => "env",
            Source::Flag => "flag",
        }
    }

    pub fn var(self) -> Option<&'static str> {
        match self {
            Source::Env(var) => Some(var),
            _ => None,
        }
    }
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Env(var) => write!(f, "env {var}"),
            other => f.write_str(other.label()),
        }
    }
}

/// One key's effective value and where it came from, as `haul config list` and the app show it.
#[derive(Clone, Debug)]
pub struct Effective {
    pub key: &'static Key,
    /// `None` for a key that is unset everywhere and has no default (`proxy`).
    pub value: Option<Value>,
    pub source: Source,
}

impl Effective {
    /// The value as people read it (empty when unset).
    pub fn text(&self) -> String {
        self.value
            .as_ref()
            .map(Value::to_string)
            .unwrap_or_default()
    }
}

impl Serialize for Effective {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Shown<'a> {
            key: &'static str,
            value: Option<&'a Value>,
            source: &'static str,
            #[serde(skip_serializing_if = "Option::is_none")]
            var: Option<&'static str>,
            default: &'static str,
            expected: String,
            about: &'static str,
        }
        Shown {
            key: self.key.name,
            value: self.value.as_ref(),
            source: self.source.label(),
            var: self.source.var(),
            default: self.key.default,
            expected: self.key.kind.expected(),
            about: self.key.about,
        }
        .serialize(serializer)
    }
}

impl From<SettingsError> for crate::Error {
    fn from(e: SettingsError) -> crate::Error {
        crate::Error::Config(e.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_shape_is_the_file_shape() {
        let s: Settings = serde_json::from_value(serde_json::json!({
            "max_concurrent_files": 4,
            "bandwidth_limit": "20M",
            "notifications": { "failed": false }
        }))
        .unwrap();
        assert_eq!(s.max_concurrent_files, Some(4));
        assert_eq!(s.bandwidth_limit, Some(Bandwidth::PerSecond(20_000_000)));
        assert_eq!(s.notifications.failed, Some(false));
        assert!(
            serde_json::from_value::<Settings>(serde_json::json!({ "colour": 1 })).is_err(),
            "unknown keys are refused"
        );
        let out = serde_json::to_value(&s).unwrap();
        assert_eq!(out["bandwidth_limit"], "20MB");
        let bad: Settings =
            serde_json::from_value(serde_json::json!({ "max_concurrent_files": 0 })).unwrap();
        let err = bad.validate().unwrap_err().to_string();
        assert!(err.contains("out of range"), "{err}");
    }
}
