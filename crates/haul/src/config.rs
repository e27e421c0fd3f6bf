//! Haul's settings for one run: where the Hub is, where the cache is, how many files at once, and the
//! Hugging Face environment conventions (`HF_ENDPOINT`, `HF_HOME`, `HF_HUB_CACHE`, `HF_TOKEN_PATH`,
//! `HF_HUB_OFFLINE`) resolved exactly as the Python client resolves them.

use std::path::PathBuf;
use std::time::Duration;

use url::Url;

use crate::paths::HaulDirs;

pub const DEFAULT_ENDPOINT: &str = "https://huggingface.co";

#[derive(Clone, Debug)]
pub struct Config {
    /// Haul's own folders (registry, settings, logs).
    pub dirs: HaulDirs,
    /// The Hub (or a mirror); API, resolve and web URLs hang off it.
    pub endpoint: Url,
    /// `$HF_HOME`: the token file and the default cache live below it.
    pub hf_home: PathBuf,
    /// `$HF_HUB_CACHE`: `models--org--name/…` folders live here.
    pub hub_cache: PathBuf,
    /// The Python client's token file.
    pub token_path: PathBuf,
    /// `HF_HUB_OFFLINE`: no request at all; answer from the cache or fail.
    pub offline: bool,
    /// Files downloaded at once.
    pub max_workers: usize,
    /// Attempts for one request or one file before giving up.
    pub retries: u32,
    /// How long a metadata request may take; mirrors and proxies can take seconds to answer a HEAD.
    pub metadata_timeout: Duration,
    /// A connection that delivers no byte for this long is dropped and the file resumed.
    pub read_timeout: Duration,
    /// First pause between retries; doubled each time, with jitter.
    pub retry_base_delay: Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{var} is '{value}', which is not a URL: {reason}")]
    BadEndpoint {
        var: &'static str,
        value: String,
        reason: String,
    },
    #[error(
        "cannot find a home directory for the Hugging Face cache or Haul's own files: set HOME (or HF_HOME and HAUL_HOME)"
    )]
    NoHome,
    #[error("{var} is '{value}': expected {expected}")]
    BadValue {
        var: &'static str,
        value: String,
        expected: &'static str,
    },
}

/// Reads a whole number from `var`, within `range`.
fn number(
    var: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    range: std::ops::RangeInclusive<u64>,
    expected: &'static str,
) -> Result<Option<u64>, ConfigError> {
    let Some(value) = var(name) else {
        return Ok(None);
    };
    match value.trim().parse::<u64>() {
        Ok(n) if range.contains(&n) => Ok(Some(n)),
        _ => Err(ConfigError::BadValue {
            var: name,
            value,
            expected,
        }),
    }
}

fn truthy(value: &str) -> bool {
    matches!(
        value.trim().to_ascii_uppercase().as_str(),
        "1" | "ON" | "YES" | "TRUE"
    )
}

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Config, ConfigError> {
        Config::from_vars(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
    }

    /// Resolves the settings from any variable source (tests pass a map).
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let endpoint_text = var("HF_ENDPOINT").unwrap_or_else(|| DEFAULT_ENDPOINT.to_string());
        let endpoint =
            parse_endpoint(&endpoint_text).map_err(|reason| ConfigError::BadEndpoint {
                var: "HF_ENDPOINT",
                value: endpoint_text.clone(),
                reason,
            })?;
        let home = var("HOME").map(PathBuf::from);
        let hf_home = match var("HF_HOME") {
            Some(h) => expand_user(&h, home.as_ref()),
            None => match var("XDG_CACHE_HOME") {
                Some(x) => PathBuf::from(x).join("huggingface"),
                None => home
                    .clone()
                    .ok_or(ConfigError::NoHome)?
                    .join(".cache")
                    .join("huggingface"),
            },
        };
        let hub_cache = var("HF_HUB_CACHE")
            .or_else(|| var("HUGGINGFACE_HUB_CACHE"))
            .map(|p| expand_user(&p, home.as_ref()))
            .unwrap_or_else(|| hf_home.join("hub"));
        let token_path = var("HF_TOKEN_PATH")
            .map(|p| expand_user(&p, home.as_ref()))
            .unwrap_or_else(|| hf_home.join("token"));
        let offline = var("HF_HUB_OFFLINE").is_some_and(|v| truthy(&v));
        let max_workers = number(
            &var,
            "HAUL_MAX_WORKERS",
            1..=256,
            "a number of files from 1 to 256",
        )?;
        let retries = number(
            &var,
            "HAUL_RETRIES",
            1..=100,
            "a number of attempts from 1 to 100",
        )?;
        let retry_delay = number(
            &var,
            "HAUL_RETRY_DELAY_MS",
            1..=60_000,
            "milliseconds from 1 to 60000",
        )?;
        let read_timeout = number(
            &var,
            "HAUL_READ_TIMEOUT_SECS",
            1..=3600,
            "seconds from 1 to 3600",
        )?;
        let metadata_timeout = number(
            &var,
            "HAUL_METADATA_TIMEOUT_SECS",
            1..=3600,
            "seconds from 1 to 3600",
        )?;
        let dirs = HaulDirs::from_vars(&var).ok_or(ConfigError::NoHome)?;
        Ok(Config {
            dirs,
            endpoint,
            hf_home,
            hub_cache,
            token_path,
            offline,
            max_workers: max_workers.map_or(8, |n| n as usize),
            retries: retries.map_or(5, |n| n as u32),
            metadata_timeout: Duration::from_secs(metadata_timeout.unwrap_or(60)),
            read_timeout: Duration::from_secs(read_timeout.unwrap_or(30)),
            retry_base_delay: Duration::from_millis(retry_delay.unwrap_or(500)),
        })
    }

    /// The endpoint without a trailing slash, as URLs are built on it.
    pub fn endpoint_str(&self) -> &str {
        self.endpoint.as_str().trim_end_matches('/')
    }
}

pub fn parse_endpoint(text: &str) -> Result<Url, String> {
    let url = Url::parse(text.trim()).map_err(|e| e.to_string())?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("only http and https endpoints are supported".into());
    }
    if url.host_str().is_none() {
        return Err("it has no host".into());
    }
    Ok(url)
}

fn expand_user(path: &str, home: Option<&PathBuf>) -> PathBuf {
    match (path.strip_prefix("~/"), home) {
        (Some(rest), Some(home)) => home.join(rest),
        _ => PathBuf::from(path),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Config {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_vars(|k| map.get(k).cloned()).unwrap()
    }

    #[test]
    fn defaults_follow_the_python_client() {
        let c = config(&[("HOME", "/home/u")]);
        assert_eq!(c.endpoint_str(), "https://huggingface.co");
        assert_eq!(c.hub_cache, PathBuf::from("/home/u/.cache/huggingface/hub"));
        assert_eq!(
            c.token_path,
            PathBuf::from("/home/u/.cache/huggingface/token")
        );
        assert!(!c.offline);
    }

    #[test]
    fn environment_overrides() {
        let c = config(&[
            ("HOME", "/home/u"),
            ("HF_HOME", "~/hf"),
            ("HF_ENDPOINT", "http://127.0.0.1:9/"),
            ("HF_HUB_OFFLINE", "yes"),
        ]);
        assert_eq!(c.hub_cache, PathBuf::from("/home/u/hf/hub"));
        assert_eq!(c.endpoint_str(), "http://127.0.0.1:9");
        assert!(c.offline);
        let c = config(&[
            ("HOME", "/h"),
            ("XDG_CACHE_HOME", "/x"),
            ("HF_HUB_CACHE", "/c"),
            ("HF_TOKEN_PATH", "/t"),
        ]);
        assert_eq!(
            (c.hf_home, c.hub_cache, c.token_path),
            ("/x/huggingface".into(), "/c".into(), "/t".into())
        );
    }

    #[test]
    fn haul_tuning_variables() {
        let c = config(&[
            ("HOME", "/h"),
            ("HAUL_RETRIES", "2"),
            ("HAUL_RETRY_DELAY_MS", "10"),
            ("HAUL_READ_TIMEOUT_SECS", "3"),
        ]);
        assert_eq!(
            (c.retries, c.retry_base_delay, c.read_timeout),
            (2, Duration::from_millis(10), Duration::from_secs(3))
        );
        let err = Config::from_vars(|k| match k {
            "HOME" => Some("/h".into()),
            "HAUL_MAX_WORKERS" => Some("0".into()),
            _ => None,
        })
        .unwrap_err();
        assert!(err.to_string().contains("HAUL_MAX_WORKERS is '0'"), "{err}");
    }

    #[test]
    fn bad_endpoint_is_explained() {
        let err =
            Config::from_vars(|k| (k == "HF_ENDPOINT").then(|| "ftp://x".to_string())).unwrap_err();
        assert!(err.to_string().contains("HF_ENDPOINT"), "{err}");
    }
}
