//! The tray icon and its menu. Linux trays deliver no clicks on the icon itself, so everything is a
//! menu item: show/hide, the active download count and the next scheduled run (as text, refreshed
//! every two seconds), pause all, resume all, quit.

use std::time::Duration;

use tauri::menu::{Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Manager, Wry};

use crate::state::AppState;
use crate::{commands, window};

const REFRESH: Duration = Duration::from_secs(2);

pub fn build(app: &AppHandle) -> tauri::Result<()> {
    let toggle = MenuItem::with_id(app, "toggle", "Hide Haul", true, None::<&str>)?;
    let downloads =
        MenuItem::with_id(app, "downloads", "No active downloads", false, None::<&str>)?;
    let next_run = MenuItem::with_id(app, "next-run", "No scheduled run", false, None::<&str>)?;
    let pause = MenuItem::with_id(app, "pause-all", "Pause all", true, None::<&str>)?;
    let resume = MenuItem::with_id(app, "resume-all", "Resume all", true, None::<&str>)?;
    let quit = MenuItem::with_id(app, "quit", "Quit Haul", true, None::<&str>)?;
    let menu = Menu::with_items(
        app,
        &[
            &toggle,
            &PredefinedMenuItem::separator(app)?,
            &downloads,
            &next_run,
            &PredefinedMenuItem::separator(app)?,
            &pause,
            &resume,
            &PredefinedMenuItem::separator(app)?,
            &quit,
        ],
    )?;
    let mut builder = TrayIconBuilder::with_id("haul")
        .tooltip("Haul")
        .menu(&menu)
        .show_menu_on_left_click(true)
        .on_menu_event(|app, event| on_menu(app, event.id.as_ref()));
    if let Some(icon) = app.default_window_icon() {
        builder = builder.icon(icon.clone());
    }
    builder.build(app)?;
    refresh_forever(app.clone(), toggle, downloads, next_run);
    Ok(())
}

fn on_menu(app: &AppHandle, id: &str) {
    match id {
        "toggle" => {
            if app.state::<AppState>().is_visible() {
                window::hide(app);
            } else {
                window::show(app);
            }
        }
        "pause-all" | "resume-all" => {
            let app = app.clone();
            let action = if id == "pause-all" { "pause" } else { "resume" };
            tauri::async_runtime::spawn(async move {
                let haul = app.state::<AppState>().haul();
                match commands::downloads::steer(&haul, None, action).await {
                    Ok(n) => tracing::info!("tray: {action} all ({n} job(s))"),
                    Err(e) => tracing::warn!("tray: {action} all: {}", e.message),
                }
                let _ = tauri::Emitter::emit(&app, "jobs-changed", ());
            });
        }
        "quit" => window::quit(app),
        _ => {}
    }
}

fn refresh_forever(
    app: AppHandle,
    toggle: MenuItem<Wry>,
    downloads: MenuItem<Wry>,
    next_run: MenuItem<Wry>,
) {
    tauri::async_runtime::spawn(async move {
        loop {
            let state = app.state::<AppState>();
            let _ = toggle.set_text(if state.is_visible() {
                "Hide Haul"
            } else {
                "Show Haul"
            });
            if let Ok(status) = commands::status::status_of(&state).await {
                let _ = downloads.set_text(match status.active_downloads {
                    0 => "No active downloads".to_string(),
                    1 => "1 active download".to_string(),
                    n => format!("{n} active downloads"),
                });
                let _ = next_run.set_text(match &status.next_run {
                    Some(next) => format!(
                        "Next run: {} {} ({})",
                        next.label, next.upcoming.words, next.upcoming.local
                    ),
                    None => "No scheduled run".to_string(),
                });
            }
            tokio::time::sleep(REFRESH).await;
        }
    });
}
