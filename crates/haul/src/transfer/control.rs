//! Pause, resume and cancel for a running download. The transfer checks its control between chunks:
//! paused, connections are let go and the workers wait (the byte ranges already on disk stay);
//! resumed, they reopen from where each range stopped; cancelled, the download ends.
//!
//! Besides what is asked (`set`: a user's pause, from the job's row), a download can be *held*
//! (`hold`): a schedule outside its allowed windows. Held, a running download waits as if paused; the
//! hold and the asked state are kept apart, so the job row's "running" does not undo a hold.

use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use tokio::sync::watch;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ControlState {
    Running,
    Paused,
    Cancelled,
}

/// The handle a face (or the registry watcher) uses to steer a download.
#[derive(Clone, Debug)]
pub struct Control {
    /// What the workers follow: the asked state, turned to paused while held.
    sender: watch::Sender<ControlState>,
    wanted: Arc<Mutex<Wanted>>,
}

#[derive(Clone, Debug)]
struct Wanted {
    asked: ControlState,
    /// Why the download is held, if it is.
    held: Option<String>,
}

impl Default for Control {
    fn default() -> Self {
        Control::new()
    }
}

impl Control {
    pub fn new() -> Control {
        Control {
            sender: watch::Sender::new(ControlState::Running),
            wanted: Arc::new(Mutex::new(Wanted {
                asked: ControlState::Running,
                held: None,
            })),
        }
    }

    fn update(&self, change: impl FnOnce(&mut Wanted)) {
        let mut wanted = self.wanted.lock().unwrap_or_else(|p| p.into_inner());
        change(&mut wanted);
        let effective = match (&wanted.asked, &wanted.held) {
            (ControlState::Running, Some(_)) => ControlState::Paused,
            (asked, _) => *asked,
        };
        self.sender.send_if_modified(|current| {
            let change = *current != effective;
            if change {
                *current = effective;
            }
            change
        });
    }

    pub fn set(&self, state: ControlState) {
        // Cancelled is final.
        self.update(|wanted| {
            if wanted.asked != ControlState::Cancelled {
                wanted.asked = state;
            }
        });
    }

    /// Holds a running download (it waits as if paused) or lets it go, whatever was asked with `set`.
    pub fn hold(&self, held: bool) {
        self.hold_because(held.then(|| "held".to_string()));
    }

    /// Holds the download for `reason` (shown as the job's waiting reason), or lets it go (`None`).
    pub fn hold_because(&self, reason: Option<String>) {
        self.update(|wanted| wanted.held = reason);
    }

    pub fn is_held(&self) -> bool {
        self.hold_reason().is_some()
    }

    /// Why the download is held, if it is.
    pub fn hold_reason(&self) -> Option<String> {
        self.wanted
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .held
            .clone()
    }

    pub fn state(&self) -> ControlState {
        *self.sender.borrow()
    }

    pub(crate) fn watch(&self) -> watch::Receiver<ControlState> {
        self.sender.subscribe()
    }
}

/// What a worker should do next, waiting out a pause.
pub(crate) async fn checkpoint(control: &mut watch::Receiver<ControlState>) -> ControlState {
    loop {
        let state = *control.borrow_and_update();
        if state != ControlState::Paused {
            return state;
        }
        if control.changed().await.is_err() {
            return ControlState::Cancelled;
        }
    }
}

pub(crate) fn is_running(control: &watch::Receiver<ControlState>) -> bool {
    *control.borrow() == ControlState::Running
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hold_outlasts_a_resume_and_cancel_outlasts_everything() {
        let control = Control::new();
        let watcher = control.watch();
        control.hold(true);
        assert_eq!(*watcher.borrow(), ControlState::Paused);
        // The job row says "running" every few hundred milliseconds: the hold stays.
        control.set(ControlState::Running);
        assert_eq!(control.state(), ControlState::Paused);
        control.hold(false);
        assert_eq!(control.state(), ControlState::Running);
        // A user's pause is not lifted by the end of a hold.
        control.set(ControlState::Paused);
        control.hold(true);
        control.hold(false);
        assert_eq!(control.state(), ControlState::Paused);
        control.set(ControlState::Cancelled);
        control.set(ControlState::Running);
        control.hold(true);
        assert_eq!(control.state(), ControlState::Cancelled);
        assert!(control.is_held());
    }
}
