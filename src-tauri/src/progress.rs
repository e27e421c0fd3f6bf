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

/// What to send on one tick: nothing while hidden, nothing while idle after the one empty batch that
/// clears the page's bars, else the jobs' snapshots.
fn batch_for(
    visible: bool,
    jobs: Vec<JobProgressView>,
    was_idle: &mut bool,
) -> Option<ProgressBatch> {
    if !visible {
        return None;
    }
    let idle = jobs.is_empty();
    if idle && *was_idle {
        return None;
    }
    *was_idle = idle;
    Some(ProgressBatch { jobs })
}

fn job_view(job_id: i64, s: &haul::ProgressSnapshot) -> JobProgressView {
    JobProgressView {
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
    }
}

#[tauri::command]
pub fn watch_progress(app: AppHandle, on_batch: Channel<ProgressBatch>) {
    tauri::async_runtime::spawn(async move {
        let mut was_idle = true;
        let mut ticker = tokio::time::interval(PERIOD);
        loop {
            ticker.tick().await;
            let state = app.state::<AppState>();
            let visible = state.is_visible();
            // The downloads run in the service's facade (a settings change builds a new one for
            // new work; the service keeps the one it started with).
            let jobs = if visible {
                state
                    .runner()
                    .live_progress()
                    .iter()
                    .map(|(id, snapshot)| job_view(*id, snapshot))
                    .collect()
            } else {
                Vec::new()
            };
            let Some(batch) = batch_for(visible, jobs, &mut was_idle) else {
                continue;
            };
            // The page reloaded or closed: a new call to watch_progress starts a new stream.
            if on_batch.send(batch).is_err() {
                break;
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one() -> Vec<JobProgressView> {
        vec![JobProgressView {
            job_id: 1.0,
            bytes_done: 1.0,
            bytes_total: 2.0,
            files_done: 0.0,
            files_total: 1.0,
            speed: 1.0,
            eta_secs: Some(1.0),
            files: Vec::new(),
        }]
    }

    #[test]
    fn batches_flow_while_shown_and_busy_then_one_empty_batch_then_silence() {
        let mut was_idle = true;
        assert!(
            batch_for(true, Vec::new(), &mut was_idle).is_none(),
            "idle: nothing"
        );
        assert_eq!(
            batch_for(true, one(), &mut was_idle).map(|b| b.jobs.len()),
            Some(1)
        );
        assert_eq!(
            batch_for(true, one(), &mut was_idle).map(|b| b.jobs.len()),
            Some(1)
        );
        assert!(
            batch_for(false, one(), &mut was_idle).is_none(),
            "hidden: nothing"
        );
        let cleared = batch_for(true, Vec::new(), &mut was_idle);
        assert_eq!(
            cleared.map(|b| b.jobs.len()),
            Some(0),
            "one empty batch clears the bars"
        );
        assert!(
            batch_for(true, Vec::new(), &mut was_idle).is_none(),
            "then silence"
        );
    }
}
