//! The main window's life: shown, hidden to the tray (the app keeps running), and quitting — which
//! stops the service first so downloads keep their checkpoints.

use tauri::{AppHandle, Manager};

use crate::service;
use crate::state::AppState;

pub const MAIN: &str = "main";

pub fn show(app: &AppHandle) {
    if let Some(window) = app.get_webview_window(MAIN) {
        let _ = window.show();
        let _ = window.unminimize();
        let _ = window.set_focus();
    }
    app.state::<AppState>().set_visible(true);
}

pub fn hide(app: &AppHandle) {
    if let Some(window) = app.get_webview_window(MAIN) {
        let _ = window.hide();
    }
    app.state::<AppState>().set_visible(false);
}

pub fn quit(app: &AppHandle) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        service::stop(&app).await;
        app.state::<AppState>().haul().flush_notifications().await;
        app.exit(0);
    });
}
