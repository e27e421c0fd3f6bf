//! Live progress from Rust to the page over a `Channel`: one batched snapshot of the downloads
//! running in this process a few times a second, nothing while idle (after one empty batch that
//! clears the bars), nothing while the window is hidden.

use std::time::Duration;

use tauri::ipc::Channel;
use tauri::{AppHandle, Manager};

use crate::dto::{FileProgressView, JobProgressView, ProgressBatch};
use crate::state::AppState;

/// At most this often: under the ten a second the issue allows, and smooth enough for a bar.
const PERIOD: Duration = Duration::from_millis(150);

#[tauri::command]
pub fn watch_progress(app: AppHandle, on_batch: Channel<ProgressBatch>) {
    tauri::async_runtime::spawn(async move {
        let mut was_idle = true;
        let mut ticker = tokio::time::interval(PERIOD);
        loop {
            ticker.tick().await;
            let state = app.state::<AppState>();
            if !state.is_visible() {
                continue;
            }
            // The downloads run in the service's facade (a settings change builds a new one for
            // new work; the service keeps the one it started with).
            let jobs: Vec<JobProgressView> = crate::compat::live_progress(&state.runner())
                .into_iter()
                .map(|(job_id, s)| JobProgressView {
                    job_id: job_id as f64,
                    bytes_done: s.bytes_done as f64,
                    bytes_total: s.bytes_total as f64,
                    files_done: s.files_done as f64,
                    files_total: s.files_total as f64,
                    speed: s.speed,
                    eta_secs: s.eta_secs,
                    files: s
                        .active
                        .iter()
                        .map(|f| FileProgressView {
                            path: f.path.clone(),
                            bytes_done: f.bytes_done as f64,
                            size: f.size as f64,
                        })
                        .collect(),
                })
                .collect();
            let idle = jobs.is_empty();
            if idle && was_idle {
                continue;
            }
            was_idle = idle;
            // The page reloaded or closed: a new call to watch_progress starts a new stream.
            if on_batch.send(ProgressBatch { jobs }).is_err() {
                break;
            }
        }
    });
}
