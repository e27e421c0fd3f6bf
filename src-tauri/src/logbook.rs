//! The log view's source: a tracing layer that keeps the last few hundred events at info level and
//! above from Haul's own code, newest last.

use std::collections::VecDeque;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex};

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, Layer};

use crate::dto::LogEntry;
use crate::state::lock;

const KEPT: usize = 500;

#[derive(Clone, Default)]
pub struct LogBook {
    entries: Arc<Mutex<VecDeque<LogEntry>>>,
}

impl LogBook {
    pub fn push(&self, level: &str, message: String) {
        let mut entries = lock(&self.entries);
        if entries.len() == KEPT {
            entries.pop_front();
        }
        entries.push_back(LogEntry {
            at_ms: jiff::Timestamp::now().as_millisecond() as f64,
            level: level.to_string(),
            message,
        });
    }

    /// Newest first.
    pub fn recent(&self) -> Vec<LogEntry> {
        lock(&self.entries).iter().rev().cloned().collect()
    }
}

/// Gathers an event's message and fields into one line: `schedule ran schedule=3 outcome=…`.
#[derive(Default)]
struct Line {
    message: String,
    fields: String,
}

impl Visit for Line {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message.push_str(value);
        } else {
            let _ = write!(self.fields, " {}={value}", field.name());
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.message, "{value:?}");
        } else {
            let _ = write!(self.fields, " {}={value:?}", field.name());
        }
    }
}

impl<S: Subscriber> Layer<S> for LogBook {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let meta = event.metadata();
        if *meta.level() > Level::INFO || !meta.target().starts_with("haul") {
            return;
        }
        let mut line = Line::default();
        event.record(&mut line);
        let level = match *meta.level() {
            Level::ERROR => "error",
            Level::WARN => "warn",
            _ => "info",
        };
        self.push(level, format!("{}{}", line.message, line.fields));
    }
}
