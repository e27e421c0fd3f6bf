//! Desktop notifications: what Haul tells the user when nobody is watching the terminal or the
//! window — a download finished or failed, a repository has an update, a schedule was skipped.
//!
//! A [`Notification`] is built from the core's own facts ([`Notification::finished`] from a
//! [`DownloadReport`], [`Notification::failed`] from an error, …). A [`Dispatcher`] applies the
//! per-kind switches of the settings (`notifications.*`), merges notifications of one kind that
//! arrive close together into one (see [`batch`]), and hands them to a [`Notifier`] on a thread of
//! its own, so a slow or missing notification daemon never holds up a download. A notifier that
//! fails is logged (once at warn), never fatal.
//!
//! [`DesktopNotifier`] (feature `desktop-notifications`, on by default) shows them through the OS:
//! org.freedesktop.Notifications over D-Bus on Linux and the BSDs, Notification Center on macOS,
//! toasts on Windows. [`NullNotifier`] only logs.

pub mod batch;
#[cfg(feature = "desktop-notifications")]
mod desktop;

pub(crate) use crate::units::bytes;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::DownloadReport;
use crate::config;

pub use batch::Batcher;
#[cfg(feature = "desktop-notifications")]
pub use desktop::DesktopNotifier;

/// How long notifications of one kind are gathered before they go out as one.
pub const DEFAULT_BATCH_WINDOW: Duration = Duration::from_secs(2);

/// At most this many characters of an error's text go into a notification's body.
const MAX_REASON_CHARS: usize = 300;

/// What a notification is about; each kind has its own switch in the settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    /// A download finished (`notifications.finished`).
    Finished,
    /// A download failed (`notifications.failed`).
    Failed,
    /// A repository has a newer commit than the one downloaded (`notifications.update_available`).
    UpdateAvailable,
    /// A schedule did not run because of an error (`notifications.schedule_error`).
    ScheduleSkipped,
}

impl NotificationKind {
    /// Whether the settings let this kind through.
    pub fn enabled(self, prefs: &config::Notifications) -> bool {
        match self {
            NotificationKind::Finished => prefs.finished,
            NotificationKind::Failed => prefs.failed,
            NotificationKind::UpdateAvailable => prefs.update_available,
            NotificationKind::ScheduleSkipped => prefs.schedule_error,
        }
    }
}

/// One message for the user: a one-line title, a body, and the folder it is about, if any.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Notification {
    pub kind: NotificationKind,
    pub title: String,
    pub body: String,
    /// The folder an "Open folder" action opens (a snapshot, a local dir); `None` for no action.
    pub open_path: Option<PathBuf>,
    /// What it is about: a repository (`org/name`, `datasets/org/name`) or a schedule's name.
    pub subject: String,
    /// Bytes this notification accounts for (a finished download's size), summed when batched.
    pub bytes: Option<u64>,
}

impl Notification {
    /// "Downloaded org/model" — "1.2 GiB in 3m12s"; opens the snapshot folder (or the local dir).
    pub fn finished(report: &DownloadReport) -> Notification {
        let subject = format!("{}{}", report.repo_type.url_prefix(), report.repo_id);
        let elapsed = duration(report.elapsed_secs);
        let body = if report.files_fetched == 0 && report.bytes_fetched == 0 {
            format!("{}, already up to date", bytes(report.bytes_total))
        } else if report.bytes_fetched >= report.bytes_total {
            format!("{} in {elapsed}", bytes(report.bytes_total))
        } else {
            format!(
                "{} ({} fetched) in {elapsed}",
                bytes(report.bytes_total),
                bytes(report.bytes_fetched)
            )
        };
        Notification {
            kind: NotificationKind::Finished,
            title: format!("Downloaded {subject}"),
            body,
            open_path: Some(report.path.clone()),
            subject,
            bytes: Some(report.bytes_total),
        }
    }

    /// "Download of org/model failed" — the reason, as the error tells it.
    pub fn failed(repo: &str, reason: impl std::fmt::Display) -> Notification {
        Notification {
            kind: NotificationKind::Failed,
            title: format!("Download of {repo} failed"),
            body: shorten(&reason.to_string(), MAX_REASON_CHARS),
            open_path: None,
            subject: repo.to_string(),
            bytes: None,
        }
    }

    /// "Update available for org/model" — "new commit 0123456789 (you have abcdef0123)".
    pub fn update_available(repo: &str, old_commit: &str, new_commit: &str) -> Notification {
        Notification {
            kind: NotificationKind::UpdateAvailable,
            title: format!("Update available for {repo}"),
            body: format!(
                "new commit {} (you have {})",
                short_commit(new_commit),
                short_commit(old_commit)
            ),
            open_path: None,
            subject: repo.to_string(),
            bytes: None,
        }
    }

    /// "Schedule 'nightly' skipped" — the reason. `schedule` is the schedule's name (or its repo).
    pub fn schedule_skipped(schedule: &str, reason: impl std::fmt::Display) -> Notification {
        Notification {
            kind: NotificationKind::ScheduleSkipped,
            title: format!("Schedule '{schedule}' skipped"),
            body: shorten(&reason.to_string(), MAX_REASON_CHARS),
            open_path: None,
            subject: schedule.to_string(),
            bytes: None,
        }
    }
}

/// Why a notification could not be shown.
#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    /// No notification service answers (no D-Bus session, nothing owns org.freedesktop.Notifications).
    #[error("no notification service is available ({reason})")]
    Unavailable { reason: String },
    /// The service did not answer in time.
    #[error("the notification service did not answer within {0:?}")]
    TimedOut(Duration),
    /// Anything else the platform reported.
    #[error("{0}")]
    Other(String),
}

/// Shows notifications to the user. Implementations may block (a D-Bus round trip) but must give
/// up after a bounded time; the [`Dispatcher`] calls them on a thread of its own.
pub trait Notifier: Send + Sync {
    fn notify(&self, notification: &Notification) -> Result<(), NotifyError>;
}

/// Shows nothing; logs each notification at debug level. For faces without a desktop.
#[derive(Clone, Copy, Debug, Default)]
pub struct NullNotifier;

impl Notifier for NullNotifier {
    fn notify(&self, n: &Notification) -> Result<(), NotifyError> {
        tracing::debug!(kind = ?n.kind, "notification (not shown): {}: {}", n.title, n.body);
        Ok(())
    }
}

enum Message {
    Send(Notification, Instant),
    Prefs(config::Notifications),
    Flush(tokio::sync::oneshot::Sender<()>),
}

/// Filters notifications by the settings, batches them, and delivers them off the caller's thread.
/// Dropping it delivers what is pending (in the background) and ends its thread.
pub struct Dispatcher {
    tx: mpsc::Sender<Message>,
}

impl Dispatcher {
    /// A dispatcher for `notifier`, letting through the kinds `prefs` enables, batching over
    /// [`DEFAULT_BATCH_WINDOW`].
    pub fn new(notifier: Arc<dyn Notifier>, prefs: config::Notifications) -> Dispatcher {
        Dispatcher::with_window(notifier, prefs, DEFAULT_BATCH_WINDOW)
    }

    /// Like [`Dispatcher::new`] with another batching window (zero: every notification alone, at once).
    pub fn with_window(
        notifier: Arc<dyn Notifier>,
        prefs: config::Notifications,
        window: Duration,
    ) -> Dispatcher {
        let (tx, rx) = mpsc::channel();
        let worker = Worker {
            notifier,
            prefs,
            batcher: Batcher::new(window),
            warned: false,
        };
        let spawned = std::thread::Builder::new()
            .name("haul-notify".into())
            .spawn(move || worker.run(rx));
        if let Err(e) = spawned {
            // The receiver is gone with the closure: sends fail quietly, nothing is shown.
            tracing::warn!("notifications are off: cannot start their thread: {e}");
        }
        Dispatcher { tx }
    }

    /// Queues `notification` (dropped if its kind is switched off). Never blocks.
    pub fn send(&self, notification: Notification) {
        let _ = self.tx.send(Message::Send(notification, Instant::now()));
    }

    /// Replaces the per-kind switches (the settings changed while running).
    pub fn set_prefs(&self, prefs: config::Notifications) {
        let _ = self.tx.send(Message::Prefs(prefs));
    }

    /// Delivers everything pending now, without waiting for the batching window, and waits until
    /// it is delivered or `timeout` passes. `false` when the timeout passed first. A process that is
    /// about to exit calls this last.
    pub async fn flush(&self, timeout: Duration) -> bool {
        let (done, delivered) = tokio::sync::oneshot::channel();
        if self.tx.send(Message::Flush(done)).is_err() {
            return true;
        }
        matches!(tokio::time::timeout(timeout, delivered).await, Ok(Ok(())))
    }
}

struct Worker {
    notifier: Arc<dyn Notifier>,
    prefs: config::Notifications,
    batcher: Batcher,
    /// Whether a failure was already logged at warn (later ones go to debug until one succeeds).
    warned: bool,
}

impl Worker {
    fn run(mut self, rx: mpsc::Receiver<Message>) {
        loop {
            let message = match self.batcher.next_deadline() {
                Some(deadline) => {
                    match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                        Ok(message) => Some(message),
                        Err(mpsc::RecvTimeoutError::Timeout) => None,
                        Err(mpsc::RecvTimeoutError::Disconnected) => break,
                    }
                }
                None => match rx.recv() {
                    Ok(message) => Some(message),
                    Err(_) => break,
                },
            };
            match message {
                Some(Message::Send(n, at)) if n.kind.enabled(&self.prefs) => {
                    self.batcher.push(n, at)
                }
                Some(Message::Send(n, _)) => {
                    tracing::debug!("notification switched off in the settings: {}", n.title)
                }
                Some(Message::Prefs(prefs)) => self.prefs = prefs,
                Some(Message::Flush(done)) => {
                    for n in self.batcher.take_all() {
                        self.deliver(&n);
                    }
                    let _ = done.send(());
                }
                None => {}
            }
            for n in self.batcher.take_due(Instant::now()) {
                self.deliver(&n);
            }
        }
        // The dispatcher is gone: what is pending still goes out.
        for n in self.batcher.take_all() {
            self.deliver(&n);
        }
    }

    fn deliver(&mut self, n: &Notification) {
        match self.notifier.notify(n) {
            Ok(()) => self.warned = false,
            Err(e) if !self.warned => {
                self.warned = true;
                tracing::warn!("cannot show a desktop notification ({}): {e}", n.title);
            }
            Err(e) => tracing::debug!("cannot show a desktop notification ({}): {e}", n.title),
        }
    }
}

/// 192.4 → "3m12s"; 4.25 → "4.2s"; 7300 → "2h01m".
pub(crate) fn duration(secs: f64) -> String {
    let secs = secs.max(0.0);
    if secs < 10.0 {
        format!("{secs:.1}s")
    } else if secs < 60.0 {
        format!("{}s", secs as u64)
    } else if secs < 3600.0 {
        format!("{}m{:02}s", (secs / 60.0) as u64, (secs % 60.0) as u64)
    } else {
        format!(
            "{}h{:02}m",
            (secs / 3600.0) as u64,
            ((secs % 3600.0) / 60.0) as u64
        )
    }
}

fn short_commit(commit: &str) -> &str {
    commit.get(..10).unwrap_or(commit)
}

/// `text` on one line, cut to `max` characters with an ellipsis.
pub(crate) fn shorten(text: &str, max: usize) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= max {
        return one_line;
    }
    let cut: String = one_line.chars().take(max.saturating_sub(1)).collect();
    format!("{}…", cut.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RepoType;
    use std::sync::Mutex;

    pub(super) fn report(repo_id: &str, total: u64, fetched: u64, secs: f64) -> DownloadReport {
        DownloadReport {
            repo_type: RepoType::Model,
            repo_id: repo_id.into(),
            revision: "main".into(),
            commit: "0123456789abcdef0123456789abcdef01234567".into(),
            path: PathBuf::from(format!(
                "/c/hub/models--{}/snapshots/0123",
                repo_id.replace('/', "--")
            )),
            files_total: 3,
            files_fetched: if fetched > 0 { 3 } else { 0 },
            files_already_present: if fetched > 0 { 0 } else { 3 },
            bytes_total: total,
            bytes_fetched: fetched,
            elapsed_secs: secs,
        }
    }

    #[test]
    fn finished_says_what_how_big_and_how_long() {
        let n = Notification::finished(&report("org/model", 1_288_490_189, 1_288_490_189, 192.4));
        assert_eq!(n.kind, NotificationKind::Finished);
        assert_eq!(n.title, "Downloaded org/model");
        assert_eq!(n.body, "1.2 GiB in 3m12s");
        assert_eq!(
            n.open_path,
            Some(PathBuf::from("/c/hub/models--org--model/snapshots/0123"))
        );
        assert_eq!(n.bytes, Some(1_288_490_189));

        let partly = Notification::finished(&report("org/model", 3 << 30, 1 << 30, 4.25));
        assert_eq!(partly.body, "3.0 GiB (1.0 GiB fetched) in 4.2s");
        let nothing = Notification::finished(&report("org/model", 2048, 0, 0.01));
        assert_eq!(nothing.body, "2.0 KiB, already up to date");

        let mut dataset = report("org/data", 10, 10, 7300.0);
        dataset.repo_type = RepoType::Dataset;
        let n = Notification::finished(&dataset);
        assert_eq!(
            (n.title.as_str(), n.body.as_str()),
            ("Downloaded datasets/org/data", "10 B in 2h01m")
        );
    }

    #[test]
    fn failed_update_and_skipped_carry_their_reason() {
        let n = Notification::failed("org/m", "the Hub answered 502\n  after 3 attempts");
        assert_eq!(n.title, "Download of org/m failed");
        assert_eq!(n.body, "the Hub answered 502 after 3 attempts");
        assert_eq!(n.open_path, None);

        let long = "x".repeat(1000);
        let n = Notification::failed("org/m", &long);
        assert_eq!(n.body.chars().count(), MAX_REASON_CHARS);
        assert!(n.body.ends_with('…'));

        let n = Notification::update_available(
            "org/m",
            "abcdef0123456789abcdef0123456789abcdef01",
            "0123456789abcdef0123456789abcdef01234567",
        );
        assert_eq!(
            (n.title.as_str(), n.body.as_str()),
            (
                "Update available for org/m",
                "new commit 0123456789 (you have abcdef0123)"
            )
        );

        let n = Notification::schedule_skipped("nightly", "org/m is gated");
        assert_eq!(
            (n.kind, n.title.as_str(), n.body.as_str()),
            (
                NotificationKind::ScheduleSkipped,
                "Schedule 'nightly' skipped",
                "org/m is gated"
            )
        );
    }

    #[test]
    fn the_settings_switch_each_kind() {
        let prefs = config::Notifications {
            finished: false,
            failed: true,
            update_available: false,
            schedule_error: true,
        };
        assert!(!NotificationKind::Finished.enabled(&prefs));
        assert!(NotificationKind::Failed.enabled(&prefs));
        assert!(!NotificationKind::UpdateAvailable.enabled(&prefs));
        assert!(NotificationKind::ScheduleSkipped.enabled(&prefs));
    }

    /// Records what it is asked to show; fails when told to.
    #[derive(Default)]
    struct Recorder {
        shown: Mutex<Vec<Notification>>,
        fail: bool,
    }

    impl Notifier for Recorder {
        fn notify(&self, n: &Notification) -> Result<(), NotifyError> {
            self.shown.lock().unwrap().push(n.clone());
            if self.fail {
                Err(NotifyError::Unavailable {
                    reason: "no bus".into(),
                })
            } else {
                Ok(())
            }
        }
    }

    const ALL: config::Notifications = config::Notifications {
        finished: true,
        failed: true,
        update_available: true,
        schedule_error: true,
    };

    #[tokio::test]
    async fn the_dispatcher_filters_batches_and_flushes() {
        let recorder = Arc::new(Recorder::default());
        let prefs = config::Notifications {
            failed: false,
            ..ALL
        };
        // A window far longer than the test: only the flush delivers.
        let dispatcher = Dispatcher::with_window(recorder.clone(), prefs, Duration::from_secs(600));
        dispatcher.send(Notification::finished(&report(
            "org/a",
            1 << 30,
            1 << 30,
            1.0,
        )));
        dispatcher.send(Notification::failed("org/b", "boom"));
        dispatcher.send(Notification::finished(&report(
            "org/c",
            1 << 30,
            1 << 30,
            1.0,
        )));
        assert!(dispatcher.flush(Duration::from_secs(5)).await);
        let shown = recorder.shown.lock().unwrap().clone();
        assert_eq!(shown.len(), 1, "{shown:?}");
        assert_eq!(shown[0].title, "Downloaded 2 repositories");
        assert_eq!(shown[0].body, "2.0 GiB: org/a, org/c");

        dispatcher.set_prefs(ALL);
        dispatcher.send(Notification::failed("org/b", "boom"));
        assert!(dispatcher.flush(Duration::from_secs(5)).await);
        assert_eq!(recorder.shown.lock().unwrap().len(), 2);
    }

    #[tokio::test]
    async fn the_window_delivers_without_a_flush() {
        let recorder = Arc::new(Recorder::default());
        let dispatcher = Dispatcher::with_window(recorder.clone(), ALL, Duration::from_millis(50));
        dispatcher.send(Notification::failed("org/b", "boom"));
        let deadline = Instant::now() + Duration::from_secs(3);
        while recorder.shown.lock().unwrap().is_empty() && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert_eq!(
            recorder.shown.lock().unwrap()[0].title,
            "Download of org/b failed"
        );
    }

    #[tokio::test]
    async fn a_failing_notifier_is_not_fatal() {
        let recorder = Arc::new(Recorder {
            fail: true,
            ..Recorder::default()
        });
        let dispatcher = Dispatcher::with_window(recorder.clone(), ALL, Duration::ZERO);
        dispatcher.send(Notification::failed("org/a", "boom"));
        dispatcher.send(Notification::schedule_skipped("nightly", "offline"));
        assert!(dispatcher.flush(Duration::from_secs(5)).await);
        assert_eq!(recorder.shown.lock().unwrap().len(), 2);
    }

    #[test]
    fn readable_numbers() {
        assert_eq!(bytes(0), "0 B");
        assert_eq!(bytes(1536), "1.5 KiB");
        assert_eq!(duration(0.0), "0.0s");
        assert_eq!(duration(59.9), "59s");
        assert_eq!(duration(60.0), "1m00s");
        assert_eq!(shorten("a  b\nc", 10), "a b c");
        assert_eq!(shorten("abcdef", 4), "abc…");
    }
}
