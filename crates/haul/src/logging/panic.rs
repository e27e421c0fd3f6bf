//! A panic is a bug: its report (message, place, thread, backtrace, version) goes to the log file as
//! one readable ERROR entry, and stderr gets two short lines saying where that report is.

use std::backtrace::Backtrace;
use std::path::PathBuf;

use super::LogFile;

/// The target of panic reports; the stderr output leaves it out (it gets the short note instead).
pub(super) const TARGET: &str = "haul_panic";

pub(super) fn install(file: Option<LogFile>) {
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "(no message)".to_string());
        let location = info
            .location()
            .map_or_else(|| "an unknown place".to_string(), |l| l.to_string());
        let thread = std::thread::current()
            .name()
            .unwrap_or("unnamed")
            .to_string();
        let report = format!(
            "Haul {} panicked (a bug) in thread '{thread}' at {location}: {message}\nbacktrace:\n{}",
            env!("CARGO_PKG_VERSION"),
            Backtrace::force_capture()
        );
        let written: Option<PathBuf> = file.as_ref().and_then(|f| {
            tracing::error!(target: TARGET, "{report}");
            f.current()
        });
        match written {
            Some(path) => eprintln!(
                "haul: internal error (a bug): {message}\n  at {location}. The full report is in {}; please attach it when you report the bug.",
                path.display()
            ),
            None => eprintln!("haul: internal error (a bug): {report}"),
        }
    }));
}
