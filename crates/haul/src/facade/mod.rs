//! [`Haul`], the one object every face calls: plan a download, run it, and watch its events.
//! It wires the Hub client, the cache layout, the transfer, the registry and the progress stream
//! together. Planning is in `planning`, running downloads in `download`, the job queue in `queue`,
//! schedules and bandwidth rules in `schedules`.
//!
//! A `Haul` is shared: the desktop app holds it in an `Arc` and calls it from many tasks at once
//! (every method takes `&self`), and [`crate::service::Service`] takes that same `Arc`.

mod download;
mod planning;
mod queue;
mod schedules;

use std::sync::Arc;

use tokio::sync::broadcast;

pub use download::DownloadReport;
pub use queue::QueuedRequest;
pub use schedules::LimitFollower;

use crate::Error;
use crate::auth::Token;
use crate::cache::Store;
use crate::config::Config;
use crate::events::{Event, LiveProgress, ProgressSnapshot};
use crate::hub::HubClient;
use crate::notify::{Dispatcher, Notification, Notifier};
use crate::plan::{Destination, DownloadRequest};
use crate::registry::Registry;
use crate::repo_ref::{self, RepoRef, RepoType};
use crate::transfer::{RateLimiter, TransferOptions};

/// How long [`Haul::flush_notifications`] waits for the notifier.
const FLUSH_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(8);

pub struct Haul {
    pub(crate) config: Config,
    pub(crate) hub: Option<HubClient>,
    pub(crate) events: broadcast::Sender<Event>,
    pub(crate) registry: Option<Registry>,
    /// The one bandwidth limit all downloads of this facade share.
    pub(crate) limiter: Arc<RateLimiter>,
    /// Where finished and failed downloads (and what other parts report) are announced.
    pub(crate) notifications: Option<Dispatcher>,
    /// The latest progress of each job running in this process.
    pub(crate) live: LiveProgress,
}

impl Haul {
    /// No network client is made when offline, so nothing can send a request by mistake.
    pub fn new(config: Config, token: Option<Token>) -> Result<Haul, Error> {
        let hub = if config.offline {
            None
        } else {
            Some(HubClient::new(&config, token)?)
        };
        let (events, _) = broadcast::channel(1024);
        Ok(Haul {
            registry: None,
            limiter: Arc::new(RateLimiter::new(config.bandwidth_limit)),
            config,
            hub,
            events,
            notifications: None,
            live: LiveProgress::default(),
        })
    }

    /// Records downloads in, and answers library questions from, this registry.
    pub fn with_registry(mut self, registry: Registry) -> Haul {
        self.registry = Some(registry);
        self
    }

    /// Announces finished and failed downloads through `notifier` (kinds switched off in the
    /// settings' `notifications.*` are dropped; several at once are merged, see [`crate::notify`]).
    pub fn with_notifier(mut self, notifier: Arc<dyn Notifier>) -> Haul {
        self.notifications = Some(Dispatcher::new(notifier, self.config.notifications));
        self
    }

    /// Announces `notification` through the notifier, if there is one; never blocks.
    pub fn notify(&self, notification: Notification) {
        match &self.notifications {
            Some(dispatcher) => dispatcher.send(notification),
            None => tracing::debug!("no notifier; not shown: {}", notification.title),
        }
    }

    /// Changes which kinds of notification are shown (the settings changed while running).
    pub fn set_notification_prefs(&self, prefs: crate::config::Notifications) {
        if let Some(dispatcher) = &self.notifications {
            dispatcher.set_prefs(prefs);
        }
    }

    /// Shows pending notifications now instead of at the end of their batching window, waiting at
    /// most a few seconds for them to be delivered. A process calls this before it exits.
    pub async fn flush_notifications(&self) {
        if let Some(dispatcher) = &self.notifications
            && !dispatcher.flush(FLUSH_TIMEOUT).await
        {
            tracing::warn!("desktop notifications took more than {FLUSH_TIMEOUT:?}; not waiting");
        }
    }

    /// Transfer options from the settings, drawing on this facade's shared bandwidth limit.
    pub fn transfer_options(&self) -> TransferOptions {
        TransferOptions {
            limiter: Arc::clone(&self.limiter),
            ..TransferOptions::from_config(&self.config)
        }
    }

    /// Changes the bandwidth limit of every download of this facade, running ones included.
    pub fn set_bandwidth_limit(&self, bytes_per_second: Option<u64>) {
        self.limiter.set_rate(bytes_per_second);
    }

    pub fn registry(&self) -> Option<&Registry> {
        self.registry.as_ref()
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.events.subscribe()
    }

    /// The latest progress of every download running in this process, by job id (the row in
    /// [`Haul::jobs`]); updated up to 10 times a second while bytes move, cheap to read as often.
    pub fn live_progress(&self) -> Vec<(i64, ProgressSnapshot)> {
        self.live.all()
    }

    /// Parses what a user typed, accepting web URLs of the configured endpoint only.
    pub fn parse_ref(&self, input: &str, default_type: RepoType) -> Result<RepoRef, Error> {
        Ok(repo_ref::parse(input, &self.config.endpoint, default_type)?)
    }

    fn store_for(&self, request: &DownloadRequest) -> Store {
        let (repo_type, repo_id) = (request.repo.repo_type, request.repo.repo_id.as_str());
        match &request.destination {
            Destination::DefaultCache => Store::cache(&self.config.hub_cache, repo_type, repo_id),
            Destination::CacheDir(dir) => Store::cache(dir, repo_type, repo_id),
            Destination::LocalDir(dir) => Store::local_dir(dir),
        }
    }
}

impl TransferOptions {
    /// Options from the settings, with a bandwidth limiter of their own (use
    /// [`Haul::transfer_options`] to share the facade's, which can be changed while downloads run).
    pub fn from_config(config: &Config) -> TransferOptions {
        TransferOptions {
            max_workers: config.max_workers,
            connections_per_file: config.connections_per_file.max(1),
            max_connections: (config.max_workers * config.connections_per_file.max(1)).clamp(1, 64),
            limiter: Arc::new(RateLimiter::new(config.bandwidth_limit)),
            retries: config.retries,
            retry_base_delay: config.retry_base_delay,
            corrupt_refetches: 1,
        }
    }
}
