//! Haul's settings for one run, resolved in layers: defaults → the settings file (`config.toml`, see
//! [`crate::settings`]) → the environment → flags. The Hugging Face conventions (`HF_ENDPOINT`,
//! `HF_HOME`, `HF_HUB_CACHE`, `HF_TOKEN_PATH`, `HF_HUB_OFFLINE`) are resolved exactly as the Python
//! client resolves them, and beat the file, so Haul and `huggingface_hub` keep agreeing on the cache.
//!
//! Faces call [`Config::load`] (or [`Config::load_explained`] to show where each value came from).

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Serialize;
use url::Url;

use crate::paths::HaulDirs;
use crate::settings::keys::{
    DEFAULT_CONNECTIONS_PER_FILE, DEFAULT_MAX_CONCURRENT_FILES, DEFAULT_MAX_JOBS, expand_home,
};
use crate::settings::{
    At, Effective, Field, KEYS, Settings, SettingsError, SettingsFile, Source, Value,
};

pub const DEFAULT_ENDPOINT: &str = "https://huggingface.co";

/// The standard proxy variables; any of them beats a proxy from the file (reqwest then reads them).
const SYSTEM_PROXY_VARS: &[&str] = &[
    "HTTPS_PROXY",
    "https_proxy",
    "ALL_PROXY",
    "all_proxy",
    "HTTP_PROXY",
    "http_proxy",
];

#[derive(Clone, Debug)]
pub struct Config {
    /// Haul's own folders (registry, settings, logs).
    pub dirs: HaulDirs,
    /// The Hub (or a mirror); API, resolve and web URLs hang off it.
    pub endpoint: Url,
    /// `$HF_HOME`: the token file and the default cache live below it.
    pub hf_home: PathBuf,
    /// `$HF_HUB_CACHE` (or the `cache_dir` setting): `models--org--name/…` folders live here.
    pub hub_cache: PathBuf,
    /// The Python client's token file.
    pub token_path: PathBuf,
    /// `HF_HUB_OFFLINE`: no request at all; answer from the cache or fail.
    pub offline: bool,
    /// Files downloaded at once (the `max_concurrent_files` setting).
    pub max_workers: usize,
    /// Connections (byte ranges) for one large file.
    pub connections_per_file: usize,
    /// Queued downloads a service runs at once (the `max_jobs` setting).
    pub max_jobs: usize,
    /// Cap on the total download speed, in bytes per second; `None` is unlimited.
    pub bandwidth_limit: Option<u64>,
    /// The proxy every request goes through, from the settings file, `HAUL_PROXY` or a flag. `None`
    /// leaves reqwest's usual handling of `HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY` and `NO_PROXY`.
    pub proxy: Option<Url>,
    /// Which events become desktop notifications.
    pub notifications: Notifications,
    /// Attempts for one request or one file before giving up.
    pub retries: u32,
    /// How long a metadata request may take; mirrors and proxies can take seconds to answer a HEAD.
    pub metadata_timeout: Duration,
    /// A connection that delivers no byte for this long is dropped and the file resumed.
    pub read_timeout: Duration,
    /// First pause between retries; doubled each time, with jitter.
    pub retry_base_delay: Duration,
}

/// Which events become desktop notifications.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Notifications {
    pub finished: bool,
    pub failed: bool,
    pub update_available: bool,
    pub schedule_error: bool,
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
    #[error(transparent)]
    Settings(#[from] SettingsError),
}

/// A resolved [`Config`] with, for every settings key, its value and the layer it came from.
#[derive(Clone, Debug)]
pub struct Resolved {
    pub config: Config,
    /// In the order of [`KEYS`].
    pub settings: Vec<Effective>,
    /// The settings file that was read (it may not exist).
    pub file: PathBuf,
}

impl Resolved {
    pub fn get(&self, field: Field) -> &Effective {
        self.settings
            .iter()
            .find(|e| e.key.field == field)
            .expect("every key is resolved")
    }
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

/// A variable of the process environment; empty counts as unset.
fn process_var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// The settings file of this process's environment (`$HAUL_HOME/config.toml`, or the XDG config dir).
pub fn settings_file() -> Result<SettingsFile, ConfigError> {
    let dirs = HaulDirs::from_vars(&process_var).ok_or(ConfigError::NoHome)?;
    Ok(SettingsFile::new(dirs.config_file()))
}

impl Config {
    /// Defaults → the settings file → the process environment → `flags` (what the command line set).
    pub fn load(flags: &Settings) -> Result<Config, ConfigError> {
        Ok(Config::load_explained(flags)?.config)
    }

    /// [`Config::load`], also telling where each setting's value came from.
    pub fn load_explained(flags: &Settings) -> Result<Resolved, ConfigError> {
        let file = settings_file()?;
        let layer = file.load()?;
        let mut resolved = Config::resolve(process_var, &layer, flags)?;
        resolved.file = file.path().to_path_buf();
        Ok(resolved)
    }

    /// Only the process environment and defaults; the settings file is NOT read. Prefer [`Config::load`].
    pub fn from_env() -> Result<Config, ConfigError> {
        Config::from_vars(process_var)
    }

    /// Resolves from any variable source (tests pass a map), without a settings file or flags.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        Ok(Config::resolve(var, &Settings::default(), &Settings::default())?.config)
    }

    /// The layering itself, pure: defaults → `file` → the variables `var` gives → `flags`.
    pub fn resolve(
        var: impl Fn(&str) -> Option<String>,
        file: &Settings,
        flags: &Settings,
    ) -> Result<Resolved, ConfigError> {
        let home = var("HOME").map(PathBuf::from);
        let (env, env_vars) = environment_layer(&var, home.as_deref())?;
        let cache_home = match var("XDG_CACHE_HOME") {
            Some(x) => Some(PathBuf::from(x)),
            None => home.as_ref().map(|h| h.join(".cache")),
        }
        .map(|c| c.join("huggingface"));
        let hf_home = match var("HF_HOME") {
            Some(h) => expand_user(&h, home.as_ref()),
            None => cache_home.clone().ok_or(ConfigError::NoHome)?,
        };
        let default_cache = cache_home.unwrap_or_else(|| hf_home.clone()).join("hub");
        let defaults = Settings::defaults(default_cache);
        // The standard proxy variables beat a proxy from the file; reqwest applies them itself.
        let system_proxy = SYSTEM_PROXY_VARS
            .iter()
            .find_map(|name| var(name).map(|value| (*name, value)));

        let mut effective = Settings::default();
        let mut explained = Vec::with_capacity(KEYS.len());
        for key in KEYS {
            let field = key.field;
            let mut pick = [
                (flags, Source::Flag),
                (&env, env_vars.get(field)),
                (file, Source::File),
                (&defaults, Source::Default),
            ]
            .into_iter()
            .find_map(|(layer, source)| layer.value(field).map(|v| (Some(v), source)))
            .unwrap_or((None, Source::Default));
            if let (Field::Proxy, Some((name, text)), Source::File | Source::Default) =
                (field, &system_proxy, pick.1)
            {
                pick = (lenient_proxy_url(text).map(Value::Url), Source::Env(name));
            } else {
                effective.set_value(field, pick.0.clone());
            }
            explained.push(Effective {
                key,
                value: pick.0,
                source: pick.1,
            });
        }

        let hf_token_path = var("HF_TOKEN_PATH")
            .map(|p| expand_user(&p, home.as_ref()))
            .unwrap_or_else(|| hf_home.join("token"));
        let offline = var("HF_HUB_OFFLINE").is_some_and(|v| truthy(&v));
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
        let n = &effective.notifications;
        let config = Config {
            dirs: dirs.clone(),
            endpoint: effective
                .endpoint
                .clone()
                .unwrap_or_else(|| Url::parse(DEFAULT_ENDPOINT).expect("a URL")),
            hf_home,
            hub_cache: expand_home(
                effective.cache_dir.as_deref().unwrap_or(Path::new("")),
                home.as_deref(),
            ),
            token_path: hf_token_path,
            offline,
            max_workers: effective
                .max_concurrent_files
                .unwrap_or(DEFAULT_MAX_CONCURRENT_FILES) as usize,
            connections_per_file: effective
                .connections_per_file
                .unwrap_or(DEFAULT_CONNECTIONS_PER_FILE) as usize,
            max_jobs: effective.max_jobs.unwrap_or(DEFAULT_MAX_JOBS).max(1) as usize,
            bandwidth_limit: effective.bandwidth_limit.and_then(|b| b.bytes_per_sec()),
            proxy: effective.proxy.clone(),
            notifications: Notifications {
                finished: n.finished.unwrap_or(true),
                failed: n.failed.unwrap_or(true),
                update_available: n.update_available.unwrap_or(true),
                schedule_error: n.schedule_error.unwrap_or(true),
            },
            retries: retries.map_or(5, |n| n as u32),
            metadata_timeout: Duration::from_secs(metadata_timeout.unwrap_or(60)),
            read_timeout: Duration::from_secs(read_timeout.unwrap_or(30)),
            retry_base_delay: Duration::from_millis(retry_delay.unwrap_or(500)),
        };
        Ok(Resolved {
            config,
            settings: explained,
            file: dirs.config_file(),
        })
    }

    /// The endpoint without a trailing slash, as URLs are built on it.
    pub fn endpoint_str(&self) -> &str {
        self.endpoint.as_str().trim_end_matches('/')
    }
}

/// Which variable set each key of the environment layer.
#[derive(Default)]
struct EnvSources(Vec<(Field, &'static str)>);

impl EnvSources {
    fn get(&self, field: Field) -> Source {
        self.0
            .iter()
            .find(|(f, _)| *f == field)
            .map_or(Source::Default, |(_, var)| Source::Env(var))
    }
}

/// The settings the environment gives, read through the key table: the first variable of each key's
/// list that is set wins. `HF_HOME` means `$HF_HOME/hub`; the standard proxy variables are left to
/// reqwest (only `HAUL_PROXY` is read here).
fn environment_layer(
    var: &impl Fn(&str) -> Option<String>,
    home: Option<&Path>,
) -> Result<(Settings, EnvSources), SettingsError> {
    let mut layer = Settings::default();
    let mut sources = EnvSources::default();
    for key in KEYS {
        for name in key.env {
            if SYSTEM_PROXY_VARS.contains(name) {
                continue;
            }
            let Some(text) = var(name) else { continue };
            let value = match key.field {
                // The Python client's rules: relative paths allowed, `~` expanded.
                Field::CacheDir => {
                    let dir = expand_home(Path::new(text.trim()), home);
                    Value::Path(if *name == "HF_HOME" {
                        dir.join("hub")
                    } else {
                        dir
                    })
                }
                _ => key
                    .kind
                    .parse_text(&text)
                    .map_err(|p| SettingsError::invalid(key, At::Env(name), p))?,
            };
            layer.set_value(key.field, Some(value));
            sources.0.push((key.field, name));
            break;
        }
    }
    Ok((layer, sources))
}

/// A standard proxy variable as reqwest reads it: a bare `host:port` means `http://host:port`.
fn lenient_proxy_url(text: &str) -> Option<Url> {
    let text = text.trim();
    if text.contains("://") {
        Url::parse(text).ok()
    } else {
        Url::parse(&format!("http://{text}")).ok()
    }
}

pub fn parse_endpoint(text: &str) -> Result<Url, String> {
    let url = Url::parse(text.trim()).map_err(|e| e.to_string())?;
    check_endpoint(&url)?;
    Ok(url)
}

/// What makes a URL usable as an endpoint.
pub fn check_endpoint(url: &Url) -> Result<(), String> {
    if !matches!(url.scheme(), "http" | "https") {
        return Err("only http and https endpoints are supported".into());
    }
    if url.host_str().is_none() {
        return Err("it has no host".into());
    }
    Ok(())
}

fn expand_user(path: &str, home: Option<&PathBuf>) -> PathBuf {
    expand_home(Path::new(path), home.map(PathBuf::as_path))
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

    fn layered(vars: &[(&str, &str)], file: &str, flags: &Settings) -> Resolved {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let file = Settings::from_toml(file, Path::new("config.toml")).unwrap();
        Config::resolve(|k| map.get(k).cloned(), &file, flags).unwrap()
    }

    #[test]
    fn defaults_then_file_then_environment_then_flags() {
        let file = "endpoint = \"http://file.example\"\nmax_concurrent_files = 3\n";
        let r = layered(&[("HOME", "/h")], "", &Settings::default());
        assert_eq!(r.config.endpoint_str(), DEFAULT_ENDPOINT);
        assert_eq!(r.get(Field::Endpoint).source, Source::Default);
        assert_eq!(
            (r.config.max_workers, r.config.connections_per_file),
            (8, 8)
        );
        assert_eq!(
            (r.config.bandwidth_limit, r.config.proxy.clone()),
            (None, None)
        );
        assert!(r.config.notifications.failed && r.config.notifications.schedule_error);

        let r = layered(&[("HOME", "/h")], file, &Settings::default());
        assert_eq!(r.config.endpoint_str(), "http://file.example");
        assert_eq!(r.config.max_workers, 3);
        assert_eq!(r.get(Field::MaxConcurrentFiles).source, Source::File);

        let env = [
            ("HOME", "/h"),
            ("HF_ENDPOINT", "http://env.example"),
            ("HAUL_MAX_WORKERS", "5"),
        ];
        let r = layered(&env, file, &Settings::default());
        assert_eq!(r.config.endpoint_str(), "http://env.example");
        assert_eq!(r.get(Field::Endpoint).source, Source::Env("HF_ENDPOINT"));
        assert_eq!(r.config.max_workers, 5);
        assert_eq!(
            r.get(Field::MaxConcurrentFiles).source,
            Source::Env("HAUL_MAX_WORKERS")
        );

        let flags = Settings {
            endpoint: Some(Url::parse("http://flag.example").unwrap()),
            ..Settings::default()
        };
        let r = layered(&env, file, &flags);
        assert_eq!(r.config.endpoint_str(), "http://flag.example");
        assert_eq!(r.get(Field::Endpoint).source, Source::Flag);
        assert_eq!(r.get(Field::Endpoint).text(), "http://flag.example");
    }

    #[test]
    fn the_hf_cache_variables_beat_the_file() {
        let file = "cache_dir = \"~/models\"\n";
        let r = layered(&[("HOME", "/h")], file, &Settings::default());
        assert_eq!(r.config.hub_cache, PathBuf::from("/h/models"));
        assert_eq!(r.get(Field::CacheDir).text(), "~/models");
        let r = layered(
            &[("HOME", "/h"), ("HF_HOME", "/hf")],
            file,
            &Settings::default(),
        );
        assert_eq!(r.config.hub_cache, PathBuf::from("/hf/hub"));
        assert_eq!(r.get(Field::CacheDir).source, Source::Env("HF_HOME"));
        let r = layered(
            &[("HOME", "/h"), ("HF_HOME", "/hf"), ("HF_HUB_CACHE", "/c")],
            file,
            &Settings::default(),
        );
        assert_eq!(
            (r.config.hub_cache.clone(), r.config.token_path.clone()),
            ("/c".into(), "/hf/token".into())
        );
        let r = layered(&[("HOME", "/h")], "", &Settings::default());
        assert_eq!(r.get(Field::CacheDir).text(), "/h/.cache/huggingface/hub");
    }

    #[test]
    fn proxies_from_the_file_haul_proxy_and_the_standard_variables() {
        let file = "proxy = \"http://u:pw@file-proxy:3128\"\n";
        let r = layered(&[("HOME", "/h")], file, &Settings::default());
        assert_eq!(
            r.config.proxy.as_ref().map(Url::as_str),
            Some("http://u:pw@file-proxy:3128/")
        );
        assert_eq!(r.get(Field::Proxy).text(), "http://u:***@file-proxy:3128");
        // A standard variable beats the file, and is left to reqwest.
        let r = layered(
            &[("HOME", "/h"), ("https_proxy", "envproxy:8080")],
            file,
            &Settings::default(),
        );
        assert_eq!(r.config.proxy, None);
        assert_eq!(r.get(Field::Proxy).source, Source::Env("https_proxy"));
        assert_eq!(r.get(Field::Proxy).text(), "http://envproxy:8080");
        let r = layered(
            &[
                ("HOME", "/h"),
                ("HTTPS_PROXY", "http://std:1"),
                ("HAUL_PROXY", "http://haul:2"),
            ],
            file,
            &Settings::default(),
        );
        assert_eq!(
            r.config.proxy.as_ref().map(Url::as_str),
            Some("http://haul:2/")
        );
    }

    #[test]
    fn rates_switches_and_bad_variables() {
        let r = layered(
            &[("HOME", "/h"), ("HAUL_BANDWIDTH_LIMIT", "1.5MiB")],
            "bandwidth_limit = \"20M\"\nconnections_per_file = 4\n[notifications]\nfailed = false\n",
            &Settings::default(),
        );
        assert_eq!(r.config.bandwidth_limit, Some(1_572_864));
        assert_eq!(r.config.connections_per_file, 4);
        assert!(!r.config.notifications.failed && r.config.notifications.finished);
        let err = Config::resolve(
            |k| match k {
                "HOME" => Some("/h".into()),
                "HAUL_BANDWIDTH_LIMIT" => Some("fast".into()),
                _ => None,
            },
            &Settings::default(),
            &Settings::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("HAUL_BANDWIDTH_LIMIT is 'fast'") && err.contains("bandwidth_limit"),
            "{err}"
        );
    }
}
