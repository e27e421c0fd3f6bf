//! Logging for every face: one call, [`init`], sets up `tracing` with a level from `-v`/`-q` (or
//! `RUST_LOG`), text or JSON lines, stderr and/or a daily log file in Haul's state dir (old files
//! removed), secrets masked in both ([`redact`]), and a panic hook that writes a readable report to
//! the log. [`log_files`] and [`current_log`] find the files again (`haul logs`).
//!
//! The CLI and the desktop app write `haul.YYYY-MM-DD.log` ([`APP_LOG`]); the background service
//! writes `daemon.YYYY-MM-DD.log` ([`DAEMON_LOG`]). Several processes may append to the same file.

mod panic;
pub mod redact;

use std::path::{Path, PathBuf};

use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer, Registry};

pub use redact::{Redacting, redact};

/// The log of the app and of CLI commands.
pub const APP_LOG: &str = "haul";
/// The log of the background service (`haul daemon`).
pub const DAEMON_LOG: &str = "daemon";
/// The target of events meant for the log file only (a face already told the user on its own terms).
pub const FILE_ONLY: &str = "haul_file";
/// Daily files kept per log.
pub const DEFAULT_KEEP: usize = 14;

/// Which daily log file to write: `{dir}/{prefix}.YYYY-MM-DD.log` (the date in UTC).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogFile {
    /// Haul's state dir (`HaulDirs::logs`).
    pub dir: PathBuf,
    /// [`APP_LOG`] or [`DAEMON_LOG`].
    pub prefix: String,
    /// How many daily files to keep; older ones are deleted.
    pub keep: usize,
}

impl LogFile {
    pub fn new(dir: impl Into<PathBuf>, prefix: &str) -> LogFile {
        LogFile {
            dir: dir.into(),
            prefix: prefix.to_string(),
            keep: DEFAULT_KEEP,
        }
    }

    /// The file written now (the newest of this log), once something was written.
    pub fn current(&self) -> Option<PathBuf> {
        current_log(&self.dir, &self.prefix)
    }
}

/// How to log.
#[derive(Clone, Debug, Default)]
pub struct LogOptions {
    /// A daily file, or none.
    pub file: Option<LogFile>,
    /// -1 quiet (errors only), 0 warnings, 1 info, 2 debug, 3 and more trace. The file gets at least
    /// info. `RUST_LOG`, when set, replaces this for both outputs.
    pub verbosity: i8,
    /// One JSON object per line instead of text.
    pub json: bool,
    /// Also log to stderr.
    pub to_stderr: bool,
    /// Colours on stderr (the face knows whether it is a terminal).
    pub ansi: bool,
}

/// Keeps what logging needs while the process runs; says where the log file is.
#[derive(Debug)]
#[must_use = "keep the guard for the life of the process"]
pub struct LogGuard {
    file: Option<LogFile>,
}

impl LogGuard {
    /// The log file written now, once something was written.
    pub fn current_file(&self) -> Option<PathBuf> {
        self.file.as_ref().and_then(LogFile::current)
    }

    pub fn file(&self) -> Option<&LogFile> {
        self.file.as_ref()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LogError {
    #[error("cannot write logs in {}: {reason}", dir.display())]
    File { dir: PathBuf, reason: String },
    #[error("logging is already set up in this process")]
    AlreadySet,
}

/// Sets up logging for the whole process (once) and the panic hook. When the file cannot be opened,
/// the error says so and nothing is set up: call again without a file to keep stderr.
pub fn init(options: &LogOptions) -> Result<LogGuard, LogError> {
    init_with(options, Vec::new())
}

/// [`init`], with more layers beside the file and stderr ones (the desktop app's log view).
pub fn init_with(
    options: &LogOptions,
    mut layers: Vec<Box<dyn Layer<Registry> + Send + Sync>>,
) -> Result<LogGuard, LogError> {
    if let Some(file) = &options.file {
        let appender = appender(file)?;
        let level = level_name(options.verbosity.max(1));
        layers.push(output(
            Redacting(appender),
            options.json,
            false,
            filter(level, &[]),
        ));
    }
    if options.to_stderr {
        layers.push(output(
            Redacting(std::io::stderr),
            options.json,
            options.ansi,
            filter(level_name(options.verbosity), &[panic::TARGET, FILE_ONLY]),
        ));
    }
    tracing_subscriber::registry()
        .with(layers)
        .try_init()
        .map_err(|_| LogError::AlreadySet)?;
    panic::install(options.file.clone());
    Ok(LogGuard {
        file: options.file.clone(),
    })
}

fn appender(file: &LogFile) -> Result<RollingFileAppender, LogError> {
    let error = |reason: String| LogError::File {
        dir: file.dir.clone(),
        reason,
    };
    std::fs::create_dir_all(&file.dir).map_err(|e| error(e.to_string()))?;
    RollingFileAppender::builder()
        .rotation(Rotation::DAILY)
        .filename_prefix(&file.prefix)
        .filename_suffix("log")
        .max_log_files(file.keep.max(1))
        .build(&file.dir)
        .map_err(|e| error(e.to_string()))
}

/// One output: a writer, its format and its filter.
fn output<W>(
    writer: W,
    json: bool,
    ansi: bool,
    filter: EnvFilter,
) -> Box<dyn Layer<Registry> + Send + Sync>
where
    W: for<'w> tracing_subscriber::fmt::MakeWriter<'w> + Send + Sync + 'static,
{
    let layer = tracing_subscriber::fmt::layer()
        .with_writer(writer)
        .with_target(true);
    if json {
        layer
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .with_filter(filter)
            .boxed()
    } else {
        layer.with_ansi(ansi).with_filter(filter).boxed()
    }
}

fn level_name(verbosity: i8) -> &'static str {
    match verbosity {
        ..=-1 => "error",
        0 => "warn",
        1 => "info",
        2 => "debug",
        _ => "trace",
    }
}

/// `RUST_LOG` when set; otherwise `level` for everything, with the chatter of the HTTP, TLS and
/// D-Bus libraries held at info unless tracing everything. `silenced` are targets left out.
fn filter(level: &str, silenced: &[&str]) -> EnvFilter {
    let directives = match std::env::var("RUST_LOG") {
        Ok(v) if !v.trim().is_empty() => v,
        _ if level == "debug" => {
            "debug,hyper=info,hyper_util=info,h2=info,rustls=info,zbus=info,sqlx=info,reqwest=info"
                .to_string()
        }
        _ => level.to_string(),
    };
    let from_env = std::env::var("RUST_LOG").is_ok_and(|v| !v.trim().is_empty());
    let mut filter = EnvFilter::builder().parse_lossy(directives);
    // The service's scheduler says "job added" at info for every trigger it arms: noise.
    if !from_env
        && matches!(level, "info" | "debug")
        && let Ok(directive) = "tokio_cron_scheduler=warn".parse()
    {
        filter = filter.add_directive(directive);
    }
    for target in silenced {
        if let Ok(directive) = format!("{target}=off").parse() {
            filter = filter.add_directive(directive);
        }
    }
    filter
}

/// The files of the log `prefix` in `dir`, oldest first (their names carry the date).
pub fn log_files(dir: &Path, prefix: &str) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let start = format!("{prefix}.");
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(&start) && n.ends_with(".log"))
        })
        .collect();
    files.sort();
    files
}

/// The newest file of the log `prefix` in `dir`.
pub fn current_log(dir: &Path, prefix: &str) -> Option<PathBuf> {
    log_files(dir, prefix).pop()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_found_newest_last() {
        let dir = tempfile::tempdir().unwrap();
        for name in [
            "haul.2026-01-02.log",
            "haul.2025-12-31.log",
            "daemon.2026-01-03.log",
            "haul.db",
            "haulx.2027-01-01.log",
        ] {
            std::fs::write(dir.path().join(name), "").unwrap();
        }
        let names: Vec<_> = log_files(dir.path(), APP_LOG)
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["haul.2025-12-31.log", "haul.2026-01-02.log"]);
        assert_eq!(
            current_log(dir.path(), DAEMON_LOG).unwrap(),
            dir.path().join("daemon.2026-01-03.log")
        );
        assert_eq!(current_log(&dir.path().join("none"), APP_LOG), None);
    }

    #[test]
    fn verbosity_levels() {
        assert_eq!(
            [-1, 0, 1, 2, 3, 9].map(level_name),
            ["error", "warn", "info", "debug", "trace", "trace"]
        );
    }
}
