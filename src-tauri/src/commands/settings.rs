//! Settings and account: the same settings file `haul config` edits (validated by the same key
//! table), the app's own preferences, and the token in the OS keyring (never sent back to the page).

use haul::Config;
use haul::auth::{self, KeyringState, StoredIn};
use haul::settings::{Bandwidth, Settings, SettingsFile, key};
use tauri::{AppHandle, Emitter, State};
use tauri_plugin_autostart::ManagerExt;

use crate::dto::{AccountView, CommandError, SettingsView};
use crate::error::CommandResult;
use crate::prefs::AppPrefs;
use crate::state::{AppState, build_haul_with, lock};

fn config() -> CommandResult<Config> {
    Ok(Config::load(&Settings::default()).map_err(haul::Error::from)?)
}

fn view(config: &Config, prefs: &AppPrefs) -> SettingsView {
    SettingsView {
        cache_dir: config.hub_cache.to_string_lossy().into_owned(),
        endpoint: config.endpoint_str().to_string(),
        max_concurrent_files: config.max_workers as u32,
        connections_per_file: config.connections_per_file as u32,
        bandwidth_limit: match config.bandwidth_limit {
            None => "unlimited".into(),
            Some(n) => Bandwidth::from_bytes(n as i64)
                .map(|b| b.to_string())
                .unwrap_or_else(|_| n.to_string()),
        },
        notify_finished: config.notifications.finished,
        notify_failed: config.notifications.failed,
        notify_update_available: config.notifications.update_available,
        notify_schedule_error: config.notifications.schedule_error,
        start_at_login: prefs.start_at_login,
        close_to_tray: prefs.close_to_tray,
    }
}

#[tauri::command]
pub async fn settings_get(state: State<'_, AppState>) -> CommandResult<SettingsView> {
    let prefs = lock(&state.prefs).clone();
    Ok(view(&config()?, &prefs))
}

/// Writes what changed to the settings file (each value checked as `haul config set` checks it),
/// then rebuilds the facade so new work uses it; the bandwidth limit also applies to running downloads.
#[tauri::command]
pub async fn settings_save(
    state: State<'_, AppState>,
    app: AppHandle,
    settings: SettingsView,
) -> CommandResult<SettingsView> {
    let before = config()?;
    let old = view(&before, &lock(&state.prefs).clone());
    let file = SettingsFile::new(before.dirs.config_file());
    let changes: [(&str, String, String); 9] = [
        (
            "cache_dir",
            old.cache_dir.clone(),
            settings.cache_dir.clone(),
        ),
        ("endpoint", old.endpoint.clone(), settings.endpoint.clone()),
        (
            "max_concurrent_files",
            old.max_concurrent_files.to_string(),
            settings.max_concurrent_files.to_string(),
        ),
        (
            "connections_per_file",
            old.connections_per_file.to_string(),
            settings.connections_per_file.to_string(),
        ),
        (
            "bandwidth_limit",
            old.bandwidth_limit.clone(),
            settings.bandwidth_limit.clone(),
        ),
        (
            "notifications.finished",
            old.notify_finished.to_string(),
            settings.notify_finished.to_string(),
        ),
        (
            "notifications.failed",
            old.notify_failed.to_string(),
            settings.notify_failed.to_string(),
        ),
        (
            "notifications.update_available",
            old.notify_update_available.to_string(),
            settings.notify_update_available.to_string(),
        ),
        (
            "notifications.schedule_error",
            old.notify_schedule_error.to_string(),
            settings.notify_schedule_error.to_string(),
        ),
    ];
    // Check every value before writing any, so a bad one leaves the file as it was.
    let mut parsed = Vec::new();
    for (name, old, new) in &changes {
        if old.trim() == new.trim() {
            continue;
        }
        let k = key(name).map_err(|e| CommandError::input(e.to_string()))?;
        let value = k
            .parse(new.trim())
            .map_err(|e| CommandError::input(e.to_string()))?;
        parsed.push((k, value));
    }
    for (k, value) in &parsed {
        file.set(k, value)
            .map_err(|e| CommandError::internal(e.to_string()))?;
    }

    let prefs = AppPrefs {
        close_to_tray: settings.close_to_tray,
        start_at_login: settings.start_at_login,
    };
    if prefs.start_at_login != old.start_at_login {
        let autostart = app.autolaunch();
        let result = if prefs.start_at_login {
            autostart.enable()
        } else {
            autostart.disable()
        };
        result.map_err(|e| CommandError::internal(format!("cannot change start at login: {e}")))?;
    }
    prefs
        .save(&before.dirs.config)
        .map_err(|e| CommandError::internal(format!("cannot save the app's preferences: {e}")))?;
    *lock(&state.prefs) = prefs.clone();

    let after = config()?;
    let old_haul = state.haul();
    old_haul.set_notification_prefs(after.notifications);
    old_haul.set_bandwidth_limit(after.bandwidth_limit);
    state.replace_haul(build_haul_with(after.clone()).await?);
    tracing::info!("settings saved ({} changed)", parsed.len());
    let _ = app.emit("status-changed", ());
    Ok(view(&after, &prefs))
}

fn account_view(config: &Config, user: Option<String>, note: Option<String>) -> AccountView {
    let env_token = std::env::var("HF_TOKEN").ok();
    let status = auth::status(config, None, env_token.as_deref());
    AccountView {
        source: status.source.map(|s| s.describe().to_string()),
        user,
        keyring_available: !matches!(status.keyring, KeyringState::Unavailable { .. }),
        note,
    }
}

/// Who the token in use belongs to (asks the Hub when there is one).
#[tauri::command]
pub async fn account_status() -> CommandResult<AccountView> {
    let config = config()?;
    let env_token = std::env::var("HF_TOKEN").ok();
    let (user, note) = match auth::resolve(&config, None, env_token.as_deref()) {
        None => (None, None),
        Some((token, _)) => match auth::whoami(&config, &token).await {
            Ok(who) => (Some(who.name), None),
            Err(e) => (None, Some(e.to_string())),
        },
    };
    Ok(account_view(&config, user, note))
}

/// Checks the token with the Hub, then keeps it in the OS keyring (or, with no keyring, the HF
/// token file, mode 0600); the facade is rebuilt to use it.
#[tauri::command]
pub async fn account_login(
    state: State<'_, AppState>,
    app: AppHandle,
    token: String,
) -> CommandResult<AccountView> {
    let config = config()?;
    let token = haul::Token::parse(token).map_err(haul::Error::from)?;
    let who = auth::whoami(&config, &token).await?;
    let note = match auth::store_in_keyring(&config, &token) {
        Ok(StoredIn::Keyring { .. }) => None,
        Ok(StoredIn::TokenFile { path }) => Some(format!(
            "the token was written to {} (readable only by you)",
            path.display()
        )),
        Err(e) => {
            auth::store_in_token_file(&config, &token).map_err(haul::Error::from)?;
            Some(format!(
                "no OS keyring ({e}); the token was written to {} (readable only by you)",
                config.token_path.display()
            ))
        }
    };
    state.replace_haul(build_haul_with(config.clone()).await?);
    tracing::info!("logged in as {}", who.name);
    let _ = app.emit("status-changed", ());
    Ok(account_view(&config, Some(who.name), note))
}

#[tauri::command]
pub async fn account_logout(state: State<'_, AppState>) -> CommandResult<AccountView> {
    let config = config()?;
    let from_keyring = auth::remove_from_keyring(&config).unwrap_or(false);
    let from_file = auth::remove_from_token_file(&config).map_err(haul::Error::from)?;
    state.replace_haul(build_haul_with(config.clone()).await?);
    let note = (!from_keyring && !from_file).then(|| "no stored token to remove".to_string());
    tracing::info!("logged out");
    Ok(account_view(&config, None, note))
}
