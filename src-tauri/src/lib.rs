//! Haul's desktop app: a Tauri v2 shell around the same core facade the CLI uses. The page (ui/)
//! only shows things and asks; downloads, hashing, schedules and Hub requests all happen here, in
//! the core. The app runs Haul's service (schedules, queue) and stays in the tray when its window
//! is closed; a second launch focuses the first and hands it any `hf://` / `haul://` link.

mod commands;
mod dto;
mod error;
mod links;
mod logbook;
mod prefs;
mod progress;
mod service;
mod state;
mod tray;
mod window;

use std::sync::Mutex;

use tauri::{Emitter, Manager, RunEvent, WindowEvent};
use tauri_plugin_window_state::StateFlags;

use crate::logbook::LogBook;
use crate::prefs::AppPrefs;
use crate::state::{AppState, lock};

/// Links given at launch, kept until the page asks for them (it may not listen yet).
#[derive(Default)]
struct PendingLinks(Mutex<Vec<String>>);

#[tauri::command]
fn pending_links(links: tauri::State<'_, PendingLinks>) -> Vec<String> {
    std::mem::take(&mut *lock(&links.0))
}

/// The rolling log file shared with the CLI (`haul.YYYY-MM-DD.log` in Haul's state dir, secrets
/// redacted, panics reported), stderr, and the log view's book of recent events.
fn init_logging(logbook: LogBook) -> Option<haul::logging::LogGuard> {
    use haul::logging::{APP_LOG, LogFile, LogOptions};
    let dirs = haul::paths::HaulDirs::from_vars(&|k: &str| {
        std::env::var(k).ok().filter(|v| !v.is_empty())
    });
    let mut options = LogOptions {
        file: dirs.map(|d| LogFile::new(d.logs(), APP_LOG)),
        verbosity: 1,
        to_stderr: true,
        ..LogOptions::default()
    };
    let book = || -> Vec<Box<dyn tracing_subscriber::Layer<tracing_subscriber::Registry> + Send + Sync>> {
        vec![Box::new(logbook.clone())]
    };
    match haul::logging::init_with(&options, book()) {
        Ok(guard) => Some(guard),
        Err(haul::logging::LogError::File { dir, reason }) => {
            eprintln!("warning: no log file in {}: {reason}", dir.display());
            options.file = None;
            haul::logging::init_with(&options, book()).ok()
        }
        Err(_) => None,
    }
}

pub fn run() {
    let logbook = LogBook::default();
    let _log_guard = init_logging(logbook.clone());
    let args: Vec<String> = std::env::args().collect();
    let start_hidden = args.iter().any(|a| a == "--hidden");
    let launch_links = links::links_in(&args);

    let app = tauri::Builder::default()
        // First, so a second launch stops here and hands its arguments to this one.
        .plugin(tauri_plugin_single_instance::init(|app, argv, _cwd| {
            window::show(app);
            for link in links::links_in(&argv) {
                tracing::info!("opening {link} from another launch");
                let _ = app.emit("open-add", link);
            }
        }))
        .plugin(
            tauri_plugin_window_state::Builder::default()
                .with_state_flags(StateFlags::SIZE | StateFlags::POSITION | StateFlags::MAXIMIZED)
                .build(),
        )
        .plugin(tauri_plugin_autostart::init(
            tauri_plugin_autostart::MacosLauncher::LaunchAgent,
            Some(vec!["--hidden"]),
        ))
        .plugin(tauri_plugin_opener::init())
        .manage(PendingLinks(Mutex::new(launch_links)))
        .manage(service::ServiceControl::default())
        .setup(move |app| {
            let haul = tauri::async_runtime::block_on(state::build_haul())
                .map_err(|e| format!("Haul cannot start: {}", e.message))?;
            let prefs = AppPrefs::load(&haul.config().dirs.config);
            app.manage(AppState::new(haul, prefs, logbook));
            service::start(app.handle());
            tray::build(app.handle())?;
            if start_hidden {
                window::hide(app.handle());
            } else {
                window::show(app.handle());
            }
            Ok(())
        })
        .on_window_event(|window, event| {
            if let WindowEvent::CloseRequested { api, .. } = event {
                let app = window.app_handle();
                if lock(&app.state::<AppState>().prefs).close_to_tray {
                    api.prevent_close();
                    window::hide(app);
                    tracing::info!("window closed: Haul keeps running in the tray");
                } else {
                    api.prevent_close();
                    window::quit(app);
                }
            }
        })
        .invoke_handler(tauri::generate_handler![
            pending_links,
            commands::status::app_status,
            commands::status::log_recent,
            commands::library::library_list,
            commands::library::library_check_updates,
            commands::library::library_scan,
            commands::library::library_verify,
            commands::library::library_plan_remove,
            commands::library::library_remove,
            commands::library::library_update,
            commands::library::library_open_folder,
            commands::downloads::plan_download,
            commands::downloads::start_download,
            commands::downloads::jobs_list,
            commands::downloads::job_steer,
            commands::downloads::job_retry,
            progress::watch_progress,
            commands::schedules::schedules_list,
            commands::schedules::schedule_preview,
            commands::schedules::schedule_save,
            commands::schedules::schedule_set_paused,
            commands::schedules::schedule_remove,
            commands::schedules::schedule_run_now,
            commands::schedules::limits_list,
            commands::schedules::limit_add,
            commands::schedules::limit_remove,
            commands::settings::settings_get,
            commands::settings::settings_save,
            commands::settings::account_status,
            commands::settings::account_login,
            commands::settings::account_logout,
        ])
        .build(tauri::generate_context!());
    let app = match app {
        Ok(app) => app,
        Err(e) => {
            eprintln!("error: Haul's window cannot start: {e}");
            std::process::exit(1);
        }
    };
    app.run(|app, event| {
        if let RunEvent::ExitRequested { api, code, .. } = event
            && code.is_none()
        {
            // The last window went away without "Quit": keep running in the tray.
            api.prevent_exit();
            let _ = app;
        }
    });
}
