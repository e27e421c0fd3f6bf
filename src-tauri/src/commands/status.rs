//! The status bar, the tray's menu text and the log view.

use jiff::Timestamp;
use tauri::State;

use crate::dto::{AppStatus, LogEntry, NextRunView};
use crate::error::CommandResult;
use crate::state::AppState;

pub async fn status_of(state: &AppState) -> CommandResult<AppStatus> {
    let haul = state.haul();
    let now = Timestamp::now();
    let config = haul.config();
    let active_downloads = match haul.registry() {
        Some(registry) => registry
            .jobs(200)
            .await?
            .iter()
            .filter(|j| matches!(j.state.as_str(), "running" | "queued" | "waiting"))
            .count() as u32,
        None => 0,
    };
    let next_run = haul
        .schedules()
        .await?
        .into_iter()
        .filter(|s| !s.paused)
        .filter_map(|s| {
            let info = haul.schedule_info(s, now, 1);
            let first = info.upcoming.first()?.clone();
            Some((info.label.clone(), first))
        })
        .min_by_key(|(_, u)| u.at)
        .map(|(label, u)| NextRunView {
            label,
            upcoming: super::schedules::upcoming_view(&u),
        });
    Ok(AppStatus {
        version: env!("CARGO_PKG_VERSION").to_string(),
        endpoint: config.endpoint_str().to_string(),
        cache_dir: config.hub_cache.to_string_lossy().into_owned(),
        offline: config.offline,
        service: state.service_view(),
        active_downloads,
        next_run,
        bandwidth: haul.current_limit(now).await?.describe(),
    })
}

#[tauri::command]
pub async fn app_status(state: State<'_, AppState>) -> CommandResult<AppStatus> {
    status_of(&state).await
}

#[tauri::command]
pub fn log_recent(state: State<'_, AppState>) -> Vec<LogEntry> {
    state.logbook.recent()
}
