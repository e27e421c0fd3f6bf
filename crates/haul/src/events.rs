//! The typed stream of what a download is doing, for every face (progress bars, `--json`, the app).
//! Progress is a throttled snapshot built from shared counters, never an event per chunk. The latest
//! snapshot of each job running in this process is also kept ([`LiveProgress`]), so a face showing
//! several downloads at once (the app's queue) can tell them apart and read them at any rate.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Serialize;
use tokio::sync::broadcast;

#[derive(Clone, Debug, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    FileStarted {
        path: String,
        size: u64,
    },
    FileRetrying {
        path: String,
        attempt: u32,
        reason: String,
    },
    FileVerified {
        path: String,
        size: u64,
        algorithm: String,
    },
    FileFailed {
        path: String,
        error: String,
    },
    Progress(ProgressSnapshot),
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct FileProgress {
    pub path: String,
    pub bytes_done: u64,
    pub size: u64,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct ProgressSnapshot {
    pub bytes_done: u64,
    pub bytes_total: u64,
    pub files_done: u64,
    pub files_total: u64,
    /// Bytes per second, smoothed.
    pub speed: f64,
    /// Seconds left at the smoothed speed; `None` until the speed is known.
    pub eta_secs: Option<f64>,
    /// Files being transferred right now.
    pub active: Vec<FileProgress>,
}

/// Counters the transfer updates as bytes land; snapshots are read from them.
pub struct Progress {
    bytes_done: AtomicU64,
    bytes_total: u64,
    files_done: AtomicU64,
    files_total: u64,
    active: Mutex<BTreeMap<String, (u64, u64)>>,
    speed: Mutex<SpeedMeter>,
}

struct SpeedMeter {
    last_at: Instant,
    last_bytes: u64,
    smoothed: f64,
}

impl Progress {
    pub fn new(bytes_total: u64, files_total: u64) -> Progress {
        Progress {
            bytes_done: AtomicU64::new(0),
            bytes_total,
            files_done: AtomicU64::new(0),
            files_total,
            active: Mutex::new(BTreeMap::new()),
            speed: Mutex::new(SpeedMeter {
                last_at: Instant::now(),
                last_bytes: 0,
                smoothed: 0.0,
            }),
        }
    }

    fn with_active<R>(&self, f: impl FnOnce(&mut BTreeMap<String, (u64, u64)>) -> R) -> R {
        let mut guard = self
            .active
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        f(&mut guard)
    }

    pub fn file_started(&self, path: &str, size: u64) {
        self.with_active(|a| a.insert(path.to_string(), (0, size)));
    }

    pub fn add(&self, path: &str, bytes: u64) {
        self.bytes_done.fetch_add(bytes, Ordering::Relaxed);
        self.with_active(|a| {
            if let Some(entry) = a.get_mut(path) {
                entry.0 += bytes;
            }
        });
    }

    /// Takes back bytes that must be fetched again (a server that ignored Range, a corrupt file).
    pub fn rewind(&self, path: &str, bytes: u64) {
        let _ = self
            .bytes_done
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |v| {
                Some(v.saturating_sub(bytes))
            });
        self.with_active(|a| {
            if let Some(entry) = a.get_mut(path) {
                entry.0 = entry.0.saturating_sub(bytes);
            }
        });
    }

    pub fn file_finished(&self, path: &str) {
        self.files_done.fetch_add(1, Ordering::Relaxed);
        self.with_active(|a| a.remove(path));
    }

    pub fn bytes_done(&self) -> u64 {
        self.bytes_done.load(Ordering::Relaxed)
    }

    pub fn snapshot(&self) -> ProgressSnapshot {
        let bytes_done = self.bytes_done();
        let speed = {
            let mut meter = self.speed.lock().unwrap_or_else(|p| p.into_inner());
            let elapsed = meter.last_at.elapsed().as_secs_f64();
            if elapsed >= 0.05 {
                let instant = bytes_done.saturating_sub(meter.last_bytes) as f64 / elapsed;
                // Exponential smoothing: steady enough to read, quick enough to follow a change.
                meter.smoothed = if meter.smoothed == 0.0 {
                    instant
                } else {
                    0.7 * meter.smoothed + 0.3 * instant
                };
                meter.last_at = Instant::now();
                meter.last_bytes = bytes_done;
            }
            meter.smoothed
        };
        let remaining = self.bytes_total.saturating_sub(bytes_done) as f64;
        let active = self.with_active(|a| {
            a.iter()
                .map(|(path, (done, size))| FileProgress {
                    path: path.clone(),
                    bytes_done: *done,
                    size: *size,
                })
                .collect()
        });
        ProgressSnapshot {
            bytes_done,
            bytes_total: self.bytes_total,
            files_done: self.files_done.load(Ordering::Relaxed),
            files_total: self.files_total,
            speed,
            eta_secs: (speed > 0.0).then(|| remaining / speed),
            active,
        }
    }
}

/// How often progress snapshots go out at most.
pub const PROGRESS_INTERVAL: Duration = Duration::from_millis(100);

/// The latest progress snapshot of each job running in this process, by job id.
#[derive(Clone, Debug, Default)]
pub struct LiveProgress(Arc<Mutex<HashMap<i64, ProgressSnapshot>>>);

impl LiveProgress {
    fn with<R>(&self, f: impl FnOnce(&mut HashMap<i64, ProgressSnapshot>) -> R) -> R {
        f(&mut self.0.lock().unwrap_or_else(|p| p.into_inner()))
    }

    pub(crate) fn set(&self, job: i64, snapshot: ProgressSnapshot) {
        self.with(|m| m.insert(job, snapshot));
    }

    pub(crate) fn remove(&self, job: i64) {
        self.with(|m| m.remove(&job));
    }

    pub fn get(&self, job: i64) -> Option<ProgressSnapshot> {
        self.with(|m| m.get(&job).cloned())
    }

    /// Every job's latest snapshot, by job id.
    pub fn all(&self) -> Vec<(i64, ProgressSnapshot)> {
        let mut all: Vec<_> = self.with(|m| m.iter().map(|(k, v)| (*k, v.clone())).collect());
        all.sort_by_key(|(id, _)| *id);
        all
    }
}

/// Sends a snapshot every [`PROGRESS_INTERVAL`] while bytes move, none while idle; stops when `done`
/// fires. With `live`, each snapshot is also kept there under the job's id.
pub async fn report_progress(
    progress: Arc<Progress>,
    events: broadcast::Sender<Event>,
    mut done: tokio::sync::oneshot::Receiver<()>,
    live: Option<(LiveProgress, i64)>,
) {
    let mut last_sent: Option<ProgressSnapshot> = None;
    let mut ticker = tokio::time::interval(PROGRESS_INTERVAL);
    loop {
        tokio::select! {
            _ = &mut done => break,
            _ = ticker.tick() => {}
        }
        let snapshot = progress.snapshot();
        let changed = last_sent.as_ref().is_none_or(|last| {
            last.bytes_done != snapshot.bytes_done
                || last.files_done != snapshot.files_done
                || last.active != snapshot.active
        });
        if changed {
            if let Some((live, job)) = &live {
                live.set(*job, snapshot.clone());
            }
            let _ = events.send(Event::Progress(snapshot.clone()));
            last_sent = Some(snapshot);
        }
    }
    let last = progress.snapshot();
    if let Some((live, job)) = &live {
        live.set(*job, last.clone());
    }
    let _ = events.send(Event::Progress(last));
}
