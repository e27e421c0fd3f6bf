//! What the app keeps while it runs: the core facade (rebuilt when the settings change), the app's
//! own preferences, whether the window shows, who runs the service, the repos found outdated, and the
//! recent events for the log view.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use haul::settings::Settings;
use haul::{Config, Haul};

use crate::dto::{CommandError, ServiceView};
use crate::logbook::LogBook;
use crate::prefs::AppPrefs;

pub struct AppState {
    haul: RwLock<Arc<Haul>>,
    pub prefs: Mutex<AppPrefs>,
    pub logbook: LogBook,
    /// The window is shown: progress is streamed only then.
    pub visible: AtomicBool,
    pub service: Mutex<ServiceView>,
    /// The facade the service runs downloads in (live progress comes from it).
    runner: Mutex<Option<Arc<Haul>>>,
    /// `(type, id, revision)` → the newer commit a check found.
    pub updates: Mutex<HashMap<(String, String, String), String>>,
}

impl AppState {
    pub fn new(haul: Haul, prefs: AppPrefs, logbook: LogBook) -> AppState {
        AppState {
            haul: RwLock::new(Arc::new(haul)),
            prefs: Mutex::new(prefs),
            logbook,
            visible: AtomicBool::new(true),
            service: Mutex::new(ServiceView {
                runner: "none".into(),
                detail: "starting".into(),
            }),
            updates: Mutex::new(HashMap::new()),
            runner: Mutex::new(None),
        }
    }

    /// The facade for a new piece of work (work already running keeps the one it started with).
    pub fn haul(&self) -> Arc<Haul> {
        match self.haul.read() {
            Ok(guard) => Arc::clone(&guard),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    pub fn replace_haul(&self, haul: Haul) {
        let mut guard = match self.haul.write() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        *guard = Arc::new(haul);
    }

    pub fn set_runner(&self, haul: Arc<Haul>) {
        *lock(&self.runner) = Some(haul);
    }

    /// The service's facade, or the current one when this process runs no service.
    pub fn runner(&self) -> Arc<Haul> {
        lock(&self.runner).clone().unwrap_or_else(|| self.haul())
    }

    pub fn is_visible(&self) -> bool {
        self.visible.load(Ordering::Relaxed)
    }

    pub fn set_visible(&self, visible: bool) {
        self.visible.store(visible, Ordering::Relaxed);
    }

    pub fn service_view(&self) -> ServiceView {
        lock(&self.service).clone()
    }

    pub fn set_service(&self, view: ServiceView) {
        *lock(&self.service) = view;
    }
}

/// A poisoned lock still holds good data here (plain values, no invariants across fields).
pub fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    match mutex.lock() {
        Ok(guard) => guard,
        Err(poisoned) => poisoned.into_inner(),
    }
}

/// The facade as the CLI builds it: settings file and environment, the token from `HF_TOKEN`, the
/// keyring or the HF token file, the registry, and desktop notifications.
pub async fn build_haul() -> Result<Haul, CommandError> {
    let config = Config::load(&Settings::default()).map_err(haul::Error::from)?;
    build_haul_with(config).await
}

pub async fn build_haul_with(config: Config) -> Result<Haul, CommandError> {
    let env_token = std::env::var("HF_TOKEN").ok();
    let token = haul::auth::resolve(&config, None, env_token.as_deref()).map(|(t, _)| t);
    let registry = haul::registry::Registry::open(&config.dirs.database())
        .await
        .map_err(haul::Error::from)?;
    Ok(Haul::new(config, token)?
        .with_registry(registry)
        .with_notifier(Arc::new(haul::notify::DesktopNotifier::new())))
}
