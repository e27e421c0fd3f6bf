//! The OS's notifications through notify-rust: on Linux and the BSDs the org.freedesktop.Notifications
//! service on the D-Bus session bus (dunst, GNOME Shell, Plasma, …), reached with zbus — pure Rust,
//! no libdbus, no UI toolkit; Notification Center on macOS; toasts on Windows.
//!
//! Every call runs on a thread of its own and is given up after a timeout, as the keyring's are: a bus
//! that accepts the connection but never answers must not hang the dispatcher (or a flush at exit).

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use super::{Notification, Notifier, NotifyError};

/// The application name notification servers show and group by.
pub const APP_NAME: &str = "Haul";
/// The identifier of the "Open folder" action in the Notify call.
pub const OPEN_FOLDER_ACTION: &str = "open-folder";
/// Its label.
pub const OPEN_FOLDER_LABEL: &str = "Open folder";

/// How long one notification may take to be accepted before it counts as "no service".
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(3);

/// Shows notifications on the desktop.
#[derive(Clone, Debug)]
pub struct DesktopNotifier {
    icon: Option<String>,
    timeout: Duration,
    /// Whether the server shows actions (its "actions" capability); asked once, on first success.
    actions: Arc<OnceLock<bool>>,
}

impl Default for DesktopNotifier {
    fn default() -> Self {
        DesktopNotifier::new()
    }
}

impl DesktopNotifier {
    pub fn new() -> DesktopNotifier {
        DesktopNotifier {
            icon: None,
            timeout: DEFAULT_TIMEOUT,
            actions: Arc::new(OnceLock::new()),
        }
    }

    /// An icon: a name from the icon theme (`folder-download`) or an absolute path to an image.
    pub fn with_icon(mut self, icon: &str) -> DesktopNotifier {
        self.icon = Some(icon.to_string());
        self
    }

    /// How long each notification may take before it fails with [`NotifyError::TimedOut`].
    pub fn with_timeout(mut self, timeout: Duration) -> DesktopNotifier {
        self.timeout = timeout;
        self
    }
}

impl Notifier for DesktopNotifier {
    fn notify(&self, n: &Notification) -> Result<(), NotifyError> {
        let (tx, rx) = std::sync::mpsc::channel();
        let (n, icon, actions) = (n.clone(), self.icon.clone(), Arc::clone(&self.actions));
        std::thread::Builder::new()
            .name("haul-notify-send".into())
            .spawn(move || {
                let _ = tx.send(show(&n, icon.as_deref(), &actions));
            })
            .map_err(|e| NotifyError::Other(format!("cannot start a thread: {e}")))?;
        match rx.recv_timeout(self.timeout) {
            Ok(result) => result,
            // The call is abandoned; its thread ends when the bus gives up, or with the process.
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                Err(NotifyError::TimedOut(self.timeout))
            }
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => Err(NotifyError::Other(
                "the notification backend stopped unexpectedly".into(),
            )),
        }
    }
}

#[cfg(all(unix, not(target_os = "macos")))]
fn show(n: &Notification, icon: Option<&str>, actions: &OnceLock<bool>) -> Result<(), NotifyError> {
    use super::NotificationKind;
    use notify_rust::Hint;

    let mut shown = notify_rust::Notification::new();
    shown
        .appname(APP_NAME)
        .summary(&n.title)
        .body(&n.body)
        // The standard categories (Desktop Notifications Specification, "Categories").
        .hint(Hint::Category(
            match n.kind {
                NotificationKind::Finished => "transfer.complete",
                NotificationKind::Failed => "transfer.error",
                NotificationKind::UpdateAvailable => "transfer",
                NotificationKind::ScheduleSkipped => "transfer.error",
            }
            .to_string(),
        ));
    if let Some(icon) = icon {
        shown.icon(icon);
    }
    if n.open_path.is_some() && server_shows_actions(actions)? {
        // The button is offered; acting on a click needs a process that stays on the bus to hear
        // the server's ActionInvoked signal (the desktop app, which owns the window and the tray).
        // A one-shot command has exited by then, so here the notification only carries the action.
        shown.action(OPEN_FOLDER_ACTION, OPEN_FOLDER_LABEL);
    }
    shown.show().map(drop).map_err(map_error)
}

#[cfg(all(unix, not(target_os = "macos")))]
fn server_shows_actions(cached: &OnceLock<bool>) -> Result<bool, NotifyError> {
    if let Some(known) = cached.get() {
        return Ok(*known);
    }
    let capabilities = notify_rust::get_capabilities().map_err(map_error)?;
    let actions = capabilities.iter().any(|c| c == "actions");
    Ok(*cached.get_or_init(|| actions))
}

#[cfg(not(all(unix, not(target_os = "macos"))))]
fn show(
    n: &Notification,
    icon: Option<&str>,
    _actions: &OnceLock<bool>,
) -> Result<(), NotifyError> {
    let mut shown = notify_rust::Notification::new();
    shown.appname(APP_NAME).summary(&n.title).body(&n.body);
    if let Some(icon) = icon {
        shown.icon(icon);
    }
    shown.show().map(drop).map_err(map_error)
}

fn map_error(e: notify_rust::error::Error) -> NotifyError {
    let text = e
        .to_string()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    // zbus cannot reach a bus, or nothing on it owns org.freedesktop.Notifications (or D-Bus
    // activation started a server that died): either way there is no one to show it.
    let lower = text.to_ascii_lowercase();
    if [
        "no such file",
        "connection refused",
        "i/o error",
        "serviceunknown",
        "not activatable",
        "spawn.",
        "noreply",
    ]
    .iter()
    .any(|needle| lower.contains(needle))
    {
        NotifyError::Unavailable { reason: text }
    } else {
        NotifyError::Other(text)
    }
}
