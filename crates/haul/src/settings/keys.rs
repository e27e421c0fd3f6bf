//! The one table from setting names (`max_concurrent_files`, `notifications.failed`, …) to typed fields:
//! what each accepts, its default, the environment variables that override it. String names exist only
//! here, at the edge (`haul config`, the settings file, the app's settings page); code reads [`Settings`]
//! fields and [`crate::Config`].

use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Serialize, Serializer};
use url::Url;

use super::bandwidth::{Bandwidth, BandwidthError, MIN_BYTES_PER_SEC};
use super::error::{At, Problem, SettingsError};
use super::{NotificationSettings, Settings};

/// Which typed field a key names; `match`es on it are exhaustive, so no field is forgotten.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Field {
    CacheDir,
    Endpoint,
    MaxConcurrentFiles,
    ConnectionsPerFile,
    MaxJobs,
    BandwidthLimit,
    Proxy,
    NotifyFinished,
    NotifyFailed,
    NotifyUpdateAvailable,
    NotifyScheduleError,
}

/// What values a key accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A folder: absolute, or starting with `~/`.
    Folder,
    /// An http(s) URL with a host: the Hub or a mirror.
    HubUrl,
    /// An http(s) proxy URL.
    ProxyUrl,
    /// A whole number within bounds.
    Count { min: u32, max: u32 },
    /// A [`Bandwidth`].
    Rate,
    /// `true` or `false`.
    Switch,
}

/// A setting's value, typed by its [`Kind`].
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Path(PathBuf),
    Url(Url),
    Count(u32),
    Rate(Bandwidth),
    Switch(bool),
}

/// One setting as the edge sees it.
#[derive(Debug)]
pub struct Key {
    /// The dotted name used in the file and by `haul config`.
    pub name: &'static str,
    pub field: Field,
    pub kind: Kind,
    /// One line for `haul config list` and the docs.
    pub about: &'static str,
    /// The default, as a person reads it.
    pub default: &'static str,
    /// Environment variables that override the file, strongest first.
    pub env: &'static [&'static str],
}

pub const DEFAULT_MAX_CONCURRENT_FILES: u32 = 8;
pub const DEFAULT_CONNECTIONS_PER_FILE: u32 = 8;
pub const DEFAULT_MAX_JOBS: u32 = 2;

/// Every setting, in the order `haul config list` shows them.
pub static KEYS: &[Key] = &[
    Key {
        name: "cache_dir",
        field: Field::CacheDir,
        kind: Kind::Folder,
        about: "the Hugging Face cache downloads go to (models--org--name/… folders)",
        default: "$HF_HOME/hub, else ~/.cache/huggingface/hub",
        env: &["HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "HF_HOME"],
    },
    Key {
        name: "endpoint",
        field: Field::Endpoint,
        kind: Kind::HubUrl,
        about: "the Hub or a mirror",
        default: crate::config::DEFAULT_ENDPOINT,
        env: &["HF_ENDPOINT"],
    },
    Key {
        name: "max_concurrent_files",
        field: Field::MaxConcurrentFiles,
        kind: Kind::Count { min: 1, max: 256 },
        about: "files downloaded at once",
        default: "8",
        env: &["HAUL_MAX_CONCURRENT_FILES", "HAUL_MAX_WORKERS"],
    },
    Key {
        name: "connections_per_file",
        field: Field::ConnectionsPerFile,
        kind: Kind::Count { min: 1, max: 16 },
        about: "connections (byte ranges) per large file",
        default: "8",
        env: &["HAUL_CONNECTIONS_PER_FILE"],
    },
    Key {
        name: "max_jobs",
        field: Field::MaxJobs,
        kind: Kind::Count { min: 1, max: 64 },
        about: "queued downloads a running service runs at once",
        default: "2",
        env: &["HAUL_MAX_JOBS"],
    },
    Key {
        name: "bandwidth_limit",
        field: Field::BandwidthLimit,
        kind: Kind::Rate,
        about: "cap on the total download speed, per second",
        default: "unlimited",
        env: &["HAUL_BANDWIDTH_LIMIT"],
    },
    Key {
        name: "proxy",
        field: Field::Proxy,
        kind: Kind::ProxyUrl,
        about: "HTTP(S) proxy for every request (NO_PROXY still applies)",
        default: "none (HTTPS_PROXY, HTTP_PROXY, ALL_PROXY as usual)",
        env: &[
            "HAUL_PROXY",
            "HTTPS_PROXY",
            "https_proxy",
            "ALL_PROXY",
            "all_proxy",
            "HTTP_PROXY",
            "http_proxy",
        ],
    },
    Key {
        name: "notifications.finished",
        field: Field::NotifyFinished,
        kind: Kind::Switch,
        about: "notify when a download finishes",
        default: "true",
        env: &["HAUL_NOTIFY_FINISHED"],
    },
    Key {
        name: "notifications.failed",
        field: Field::NotifyFailed,
        kind: Kind::Switch,
        about: "notify when a download fails",
        default: "true",
        env: &["HAUL_NOTIFY_FAILED"],
    },
    Key {
        name: "notifications.update_available",
        field: Field::NotifyUpdateAvailable,
        kind: Kind::Switch,
        about: "notify when a watched repository has a new revision",
        default: "true",
        env: &["HAUL_NOTIFY_UPDATE_AVAILABLE"],
    },
    Key {
        name: "notifications.schedule_error",
        field: Field::NotifyScheduleError,
        kind: Kind::Switch,
        about: "notify when a scheduled download cannot run",
        default: "true",
        env: &["HAUL_NOTIFY_SCHEDULE_ERROR"],
    },
];

/// Tables of keys (`[notifications]`).
pub const GROUPS: &[&str] = &["notifications"];

/// The key named `name`, or an error suggesting the closest one.
pub fn key(name: &str) -> Result<&'static Key, SettingsError> {
    find(name).ok_or_else(|| SettingsError::UnknownKey {
        key: name.to_string(),
        suggestion: suggest(name),
        at: None,
    })
}

pub fn find(name: &str) -> Option<&'static Key> {
    KEYS.iter().find(|k| k.name == name)
}

/// The key the user most likely meant: a small edit away, or the only key ending in what they typed.
pub fn suggest(name: &str) -> Option<&'static str> {
    let wanted = name.trim().to_ascii_lowercase().replace('-', "_");
    if let Some(k) = find(&wanted) {
        return Some(k.name);
    }
    let best = KEYS
        .iter()
        .map(|k| (edit_distance(&wanted, k.name), k.name))
        .min()
        .filter(|(d, name)| *d <= (name.len() / 3).max(2));
    if let Some((_, name)) = best {
        return Some(name);
    }
    let mut ending = KEYS
        .iter()
        .filter(|k| k.name.rsplit('.').next() == Some(wanted.as_str()));
    match (ending.next(), ending.next()) {
        (Some(k), None) => Some(k.name),
        _ => None,
    }
}

/// Levenshtein distance over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitute = previous + usize::from(ca != *cb);
            previous = row[j + 1];
            row[j + 1] = substitute.min(row[j] + 1).min(previous + 1);
        }
    }
    row[b.len()]
}

impl Kind {
    /// What the key accepts, for error messages and `haul config list`.
    pub fn expected(self) -> String {
        match self {
            Kind::Folder => "an absolute folder path (or one starting with ~/)".into(),
            Kind::HubUrl => "an http:// or https:// URL of the Hub or a mirror".into(),
            Kind::ProxyUrl => "a proxy URL such as http://proxy.example:3128".into(),
            Kind::Count { min, max } => format!("a whole number from {min} to {max}"),
            Kind::Rate => format!(
                "a rate such as 20M, 1.5MiB or 500K (at least {}), or 0 / \"unlimited\"",
                Bandwidth::PerSecond(MIN_BYTES_PER_SEC)
            ),
            Kind::Switch => "true or false".into(),
        }
    }

    /// Reads a value typed on a command line or found in an environment variable.
    pub fn parse_text(self, text: &str) -> Result<Value, Problem> {
        self.parse_str(text, &|| format!("'{text}'"))
    }

    /// Reads `text`; `shown` is how errors quote it.
    fn parse_str(self, text: &str, shown: &dyn Fn() -> String) -> Result<Value, Problem> {
        let quoted = shown;
        let value = match self {
            Kind::Folder => Value::Path(PathBuf::from(text.trim())),
            Kind::HubUrl | Kind::ProxyUrl => {
                Value::Url(Url::parse(text.trim()).map_err(|_| Problem::WrongType(quoted()))?)
            }
            Kind::Count { .. } => match text.trim().parse::<i128>() {
                Ok(n) => Value::Count(u32::try_from(n).map_err(|_| Problem::OutOfRange(quoted()))?),
                Err(_) => return Err(Problem::WrongType(quoted())),
            },
            Kind::Rate => Value::Rate(Bandwidth::parse(text).map_err(|e| match e {
                BandwidthError::NotARate => Problem::WrongType(quoted()),
                BandwidthError::OutOfRange => Problem::OutOfRange(quoted()),
            })?),
            Kind::Switch => match text.trim().to_ascii_lowercase().as_str() {
                "true" | "yes" | "on" | "1" => Value::Switch(true),
                "false" | "no" | "off" | "0" => Value::Switch(false),
                _ => return Err(Problem::WrongType(quoted())),
            },
        };
        self.check(&value, quoted)?;
        Ok(value)
    }

    /// Reads a value from the settings file, where types are TOML's own.
    pub fn parse_toml(self, value: &toml_edit::Value) -> Result<Value, Problem> {
        use toml_edit::Value as T;
        let shown = || match value {
            T::String(s) => format!("\"{}\"", s.value()),
            other => other.to_string().trim().to_string(),
        };
        let wrong = || Problem::WrongType(format!("{} ({})", article(value.type_name()), shown()));
        match (self, value) {
            (Kind::Folder | Kind::HubUrl | Kind::ProxyUrl | Kind::Rate, T::String(s)) => {
                self.parse_str(s.value(), &shown)
            }
            (Kind::Count { .. }, T::Integer(n)) => {
                let n = u32::try_from(*n.value()).map_err(|_| Problem::OutOfRange(shown()))?;
                let parsed = Value::Count(n);
                self.check(&parsed, &shown)?;
                Ok(parsed)
            }
            (Kind::Rate, T::Integer(n)) => Bandwidth::from_bytes(*n.value())
                .map(Value::Rate)
                .map_err(|_| Problem::OutOfRange(shown())),
            (Kind::Switch, T::Boolean(b)) => Ok(Value::Switch(*b.value())),
            _ => Err(wrong()),
        }
    }

    /// Bounds and shapes beyond the type: ranges, URL schemes, absolute paths.
    pub fn check(self, value: &Value, shown: &dyn Fn() -> String) -> Result<(), Problem> {
        match (self, value) {
            (Kind::Folder, Value::Path(p)) => {
                let text = p.to_string_lossy();
                if text.is_empty() || !(p.is_absolute() || text == "~" || text.starts_with("~/")) {
                    return Err(Problem::WrongType(format!("{} (a relative path)", shown())));
                }
            }
            (Kind::HubUrl, Value::Url(u)) => {
                if let Err(reason) = crate::config::check_endpoint(u) {
                    return Err(Problem::WrongType(format!("{} ({reason})", shown())));
                }
            }
            (Kind::ProxyUrl, Value::Url(u)) => {
                if !matches!(u.scheme(), "http" | "https") || u.host_str().is_none() {
                    return Err(Problem::WrongType(format!(
                        "{} (only http:// and https:// proxies with a host are supported)",
                        shown()
                    )));
                }
            }
            (Kind::Count { min, max }, Value::Count(n)) => {
                if !(min..=max).contains(n) {
                    return Err(Problem::OutOfRange(shown()));
                }
            }
            (Kind::Rate, Value::Rate(_)) | (Kind::Switch, Value::Switch(_)) => {}
            _ => return Err(Problem::WrongType(shown())),
        }
        Ok(())
    }
}

fn article(type_name: &str) -> String {
    match type_name.chars().next() {
        Some('a' | 'e' | 'i' | 'o' | 'u') => format!("an {type_name}"),
        _ => format!("a {type_name}"),
    }
}

impl Key {
    /// Reads `text` given on the command line as this key's value.
    pub fn parse(&'static self, text: &str) -> Result<Value, SettingsError> {
        self.kind
            .parse_text(text)
            .map_err(|p| SettingsError::invalid(self, At::Argument, p))
    }

    pub fn group(&self) -> Option<&'static str> {
        self.name.split_once('.').map(|(g, _)| g)
    }

    /// The name inside its group (`failed` for `notifications.failed`).
    pub fn leaf(&self) -> &'static str {
        self.name.rsplit('.').next().unwrap_or(self.name)
    }
}

impl Value {
    /// How the value is written in the settings file.
    pub fn to_toml(&self) -> toml_edit::Value {
        match self {
            Value::Path(p) => p.to_string_lossy().as_ref().into(),
            Value::Url(u) => u.as_str().into(),
            Value::Count(n) => i64::from(*n).into(),
            Value::Rate(b) => b.to_string().into(),
            Value::Switch(b) => (*b).into(),
        }
    }

    fn into_path(self) -> Option<PathBuf> {
        match self {
            Value::Path(p) => Some(p),
            _ => None,
        }
    }

    fn into_url(self) -> Option<Url> {
        match self {
            Value::Url(u) => Some(u),
            _ => None,
        }
    }

    fn into_count(self) -> Option<u32> {
        match self {
            Value::Count(n) => Some(n),
            _ => None,
        }
    }

    fn into_rate(self) -> Option<Bandwidth> {
        match self {
            Value::Rate(b) => Some(b),
            _ => None,
        }
    }

    fn into_switch(self) -> Option<bool> {
        match self {
            Value::Switch(b) => Some(b),
            _ => None,
        }
    }
}

/// A URL as shown to people: no password (proxies often carry one), no lone trailing slash.
pub fn shown_url(url: &Url) -> String {
    let mut url = url.clone();
    if url.password().is_some() {
        let _ = url.set_password(Some("***"));
    }
    let text = url.to_string();
    match (url.path(), url.query(), url.fragment()) {
        ("/", None, None) => text.trim_end_matches('/').to_string(),
        _ => text,
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Path(p) => write!(f, "{}", p.display()),
            Value::Url(u) => f.write_str(&shown_url(u)),
            Value::Count(n) => write!(f, "{n}"),
            Value::Rate(b) => write!(f, "{b}"),
            Value::Switch(b) => write!(f, "{b}"),
        }
    }
}

impl Serialize for Value {
    /// Numbers and switches as JSON numbers and booleans; the rest as the text people see.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Count(n) => serializer.serialize_u32(*n),
            Value::Switch(b) => serializer.serialize_bool(*b),
            other => serializer.collect_str(other),
        }
    }
}

impl Settings {
    /// The value of one key, if this layer sets it.
    pub fn value(&self, field: Field) -> Option<Value> {
        let n = &self.notifications;
        match field {
            Field::CacheDir => self.cache_dir.clone().map(Value::Path),
            Field::Endpoint => self.endpoint.clone().map(Value::Url),
            Field::MaxConcurrentFiles => self.max_concurrent_files.map(Value::Count),
            Field::ConnectionsPerFile => self.connections_per_file.map(Value::Count),
            Field::MaxJobs => self.max_jobs.map(Value::Count),
            Field::BandwidthLimit => self.bandwidth_limit.map(Value::Rate),
            Field::Proxy => self.proxy.clone().map(Value::Url),
            Field::NotifyFinished => n.finished.map(Value::Switch),
            Field::NotifyFailed => n.failed.map(Value::Switch),
            Field::NotifyUpdateAvailable => n.update_available.map(Value::Switch),
            Field::NotifyScheduleError => n.schedule_error.map(Value::Switch),
        }
    }

    /// Sets (or clears, with `None`) one key. A value of another kind than the key's clears it.
    pub fn set_value(&mut self, field: Field, value: Option<Value>) {
        let n: &mut NotificationSettings = &mut self.notifications;
        match field {
            Field::CacheDir => self.cache_dir = value.and_then(Value::into_path),
            Field::Endpoint => self.endpoint = value.and_then(Value::into_url),
            Field::MaxConcurrentFiles => {
                self.max_concurrent_files = value.and_then(Value::into_count)
            }
            Field::ConnectionsPerFile => {
                self.connections_per_file = value.and_then(Value::into_count)
            }
            Field::MaxJobs => self.max_jobs = value.and_then(Value::into_count),
            Field::BandwidthLimit => self.bandwidth_limit = value.and_then(Value::into_rate),
            Field::Proxy => self.proxy = value.and_then(Value::into_url),
            Field::NotifyFinished => n.finished = value.and_then(Value::into_switch),
            Field::NotifyFailed => n.failed = value.and_then(Value::into_switch),
            Field::NotifyUpdateAvailable => n.update_available = value.and_then(Value::into_switch),
            Field::NotifyScheduleError => n.schedule_error = value.and_then(Value::into_switch),
        }
    }

    /// Checks every value a layer sets against its key (for settings that did not come through the
    /// file or `haul config set`, e.g. deserialized from the app).
    pub fn validate(&self) -> Result<(), SettingsError> {
        for key in KEYS {
            if let Some(value) = self.value(key.field) {
                key.kind
                    .check(&value, &|| value.to_string())
                    .map_err(|p| SettingsError::invalid(key, At::Argument, p))?;
            }
        }
        Ok(())
    }
}

/// `~/x` made absolute with `home`; other paths as they are.
pub fn expand_home(path: &Path, home: Option<&Path>) -> PathBuf {
    let text = path.to_string_lossy();
    match (text.as_ref(), text.strip_prefix("~/"), home) {
        ("~", _, Some(home)) => home.to_path_buf(),
        (_, Some(rest), Some(home)) => home.join(rest),
        _ => path.to_path_buf(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_has_one_key_and_round_trips() {
        let fields = [
            Field::CacheDir,
            Field::Endpoint,
            Field::MaxConcurrentFiles,
            Field::ConnectionsPerFile,
            Field::MaxJobs,
            Field::BandwidthLimit,
            Field::Proxy,
            Field::NotifyFinished,
            Field::NotifyFailed,
            Field::NotifyUpdateAvailable,
            Field::NotifyScheduleError,
        ];
        assert_eq!(KEYS.len(), fields.len());
        for field in fields {
            assert_eq!(
                KEYS.iter().filter(|k| k.field == field).count(),
                1,
                "{field:?}"
            );
        }
        for key in KEYS {
            let sample = match key.kind {
                Kind::Folder => "/data/hf",
                Kind::HubUrl => "https://hub.example",
                Kind::ProxyUrl => "http://proxy.example:3128",
                Kind::Count { .. } => "2",
                Kind::Rate => "20M",
                Kind::Switch => "false",
            };
            let value = key.parse(sample).unwrap();
            let mut s = Settings::default();
            s.set_value(key.field, Some(value.clone()));
            assert_eq!(s.value(key.field), Some(value.clone()), "{}", key.name);
            assert_eq!(
                key.kind.parse_toml(&value.to_toml()),
                Ok(value),
                "{}",
                key.name
            );
            if let Some(group) = key.group() {
                assert!(GROUPS.contains(&group));
            }
        }
    }

    #[test]
    fn text_values_are_checked() {
        let workers = find("max_concurrent_files").unwrap().kind;
        assert_eq!(workers.parse_text(" 16 "), Ok(Value::Count(16)));
        assert_eq!(
            workers.parse_text("0"),
            Err(Problem::OutOfRange("'0'".into()))
        );
        assert_eq!(
            workers.parse_text("-3"),
            Err(Problem::OutOfRange("'-3'".into()))
        );
        assert_eq!(
            workers.parse_text("257"),
            Err(Problem::OutOfRange("'257'".into()))
        );
        assert_eq!(
            workers.parse_text("many"),
            Err(Problem::WrongType("'many'".into()))
        );
        assert_eq!(
            workers.parse_text("1.5"),
            Err(Problem::WrongType("'1.5'".into()))
        );
        assert!(Kind::Folder.parse_text("models").is_err());
        assert!(Kind::Folder.parse_text("").is_err());
        assert!(Kind::Folder.parse_text("~/models").is_ok());
        assert!(Kind::HubUrl.parse_text("ftp://x").is_err());
        assert!(Kind::HubUrl.parse_text("hub.example").is_err());
        assert!(Kind::ProxyUrl.parse_text("socks5://p:1080").is_err());
        assert_eq!(Kind::Switch.parse_text("Yes"), Ok(Value::Switch(true)));
        assert!(Kind::Switch.parse_text("maybe").is_err());
    }

    #[test]
    fn toml_types_are_strict() {
        let workers = find("max_concurrent_files").unwrap().kind;
        let v = |s: &str| s.parse::<toml_edit::Value>().unwrap();
        assert_eq!(
            workers.parse_toml(&v("\"8\"")),
            Err(Problem::WrongType("a string (\"8\")".into()))
        );
        assert_eq!(
            workers.parse_toml(&v("0")),
            Err(Problem::OutOfRange("0".into()))
        );
        assert_eq!(
            workers.parse_toml(&v("-1")),
            Err(Problem::OutOfRange("-1".into()))
        );
        assert_eq!(
            Kind::Switch.parse_toml(&v("1")),
            Err(Problem::WrongType("an integer (1)".into()))
        );
        assert_eq!(
            Kind::Rate.parse_toml(&v("0")),
            Ok(Value::Rate(Bandwidth::Unlimited))
        );
        assert_eq!(
            Kind::Rate.parse_toml(&v("\"1.5MiB\"")),
            Ok(Value::Rate(Bandwidth::PerSecond(1_572_864)))
        );
    }

    #[test]
    fn suggestions() {
        assert_eq!(suggest("max_concurent_files"), Some("max_concurrent_files"));
        assert_eq!(
            suggest("max-concurrent-files"),
            Some("max_concurrent_files")
        );
        assert_eq!(suggest("endpont"), Some("endpoint"));
        assert_eq!(suggest("failed"), Some("notifications.failed"));
        assert_eq!(
            suggest("notifications.finish"),
            Some("notifications.finished")
        );
        assert_eq!(suggest("colour"), None);
        let err = key("cachedir").unwrap_err().to_string();
        assert!(err.contains("did you mean 'cache_dir'"), "{err}");
    }

    #[test]
    fn passwords_are_never_shown() {
        let url = Url::parse("http://me:s3cret@proxy.example:3128").unwrap();
        assert_eq!(shown_url(&url), "http://me:***@proxy.example:3128");
        assert_eq!(
            Value::Url(url).to_string(),
            "http://me:***@proxy.example:3128"
        );
    }
}
