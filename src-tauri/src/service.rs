//! The app as Haul's service: at start it takes the service lock and runs the scheduler and the queue
//! in this process, so schedules fire while the window is closed (the app lives in the tray). When
//! `haul daemon` already holds the lock, the app is a window onto it (the registry is shared) and
//! tries again now and then, taking over if the daemon stops. Quitting stops the service cleanly:
//! running downloads keep their checkpoints for the next start.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use haul::service::Service;
use tauri::{AppHandle, Emitter, Manager};
use tokio::sync::oneshot;

use crate::dto::ServiceView;
use crate::state::{AppState, lock};

/// How often a window onto a daemon checks whether it can take over.
const RETRY: Duration = Duration::from_secs(10);
/// How long quitting waits for running downloads to checkpoint.
const STOP_TIMEOUT: Duration = Duration::from_secs(8);

#[derive(Default)]
pub struct ServiceControl {
    stop: Mutex<Option<oneshot::Sender<()>>>,
    task: Mutex<Option<tauri::async_runtime::JoinHandle<()>>>,
}

/// Starts the service here, or watches for the chance to.
pub fn start(app: &AppHandle) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        loop {
            if try_start(&app) {
                return;
            }
            tokio::time::sleep(RETRY).await;
        }
    });
}

fn try_start(app: &AppHandle) -> bool {
    let state = app.state::<AppState>();
    let haul = state.haul();
    let service = match Service::start(Arc::clone(&haul)) {
        Ok(service) => service,
        Err(e) => {
            let busy = e.kind() == haul::ErrorKind::Busy;
            let view = ServiceView {
                runner: if busy { "daemon" } else { "none" }.into(),
                detail: e.to_string(),
            };
            if state.service_view().detail != view.detail {
                tracing::info!("the app does not run the service: {}", view.detail);
                let _ = app.emit("status-changed", ());
            }
            state.set_service(view);
            return false;
        }
    };
    state.set_runner(haul);
    state.set_service(ServiceView {
        runner: "app".into(),
        detail: "schedules and queued downloads run in this app, also while its window is closed"
            .into(),
    });
    tracing::info!("the service runs in the app");
    let _ = app.emit("status-changed", ());
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tauri::async_runtime::spawn(async move {
        if let Err(e) = service
            .run(async {
                let _ = stopped.await;
            })
            .await
        {
            tracing::error!("the service stopped: {e}");
        }
    });
    let control = app.state::<ServiceControl>();
    *lock(&control.stop) = Some(stop);
    *lock(&control.task) = Some(task);
    true
}

/// Stops the service (if this app runs it) and waits a little for downloads to checkpoint.
pub async fn stop(app: &AppHandle) {
    let control = app.state::<ServiceControl>();
    let stop = lock(&control.stop).take();
    let task = lock(&control.task).take();
    if let Some(stop) = stop {
        let _ = stop.send(());
    }
    if let Some(task) = task
        && tokio::time::timeout(STOP_TIMEOUT, task).await.is_err()
    {
        tracing::warn!("the service took more than {STOP_TIMEOUT:?} to stop; quitting anyway");
    }
}
