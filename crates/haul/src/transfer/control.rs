//! Pause, resume and cancel for a running download. The transfer checks its control between chunks:
//! paused, connections are let go and the workers wait (the byte ranges already on disk stay);
//! resumed, they reopen from where each range stopped; cancelled, the download ends.

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
    sender: watch::Sender<ControlState>,
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
        }
    }

    pub fn set(&self, state: ControlState) {
        // Cancelled is final.
        self.sender.send_if_modified(|current| {
            let change = *current != state && *current != ControlState::Cancelled;
            if change {
                *current = state;
            }
            change
        });
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
