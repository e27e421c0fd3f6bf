//! Fault switches: what a test can break, and the bookkeeping that makes one-shot faults disarm themselves.
//!
//! Faults are shared by both listeners and may change while requests are in flight. Admin requests
//! (`/_fakehub/…`) are never faulted, so a test can always reach the switches.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};

/// `times` responses are affected, then the fault disarms itself; `u32::MAX` means always.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Countdown {
    pub bytes: u64,
    pub times: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusFault {
    pub status: u16,
    pub times: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateLimitFault {
    pub retry_after_secs: u64,
    pub times: u32,
}

/// A fixed-window request quota on the Hub listener, as the real Hub enforces per 5 minutes: every answer
/// carries `RateLimit: "api";r=<remaining>;t=<seconds to reset>`, and requests past the quota get 429.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuotaFault {
    pub requests: u32,
    pub window_secs: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorruptFault {
    pub offset: u64,
    pub times: u32,
    #[serde(default)]
    pub path_suffix: Option<String>,
}

/// Every switch at once; the default breaks nothing. Missing JSON fields take their defaults.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct FaultState {
    /// Bytes per second on every file-body response (CDN and direct resolve GET); read again for every chunk,
    /// so lifting it speeds up a response already under way.
    pub bandwidth_per_conn: Option<u64>,
    /// Delay before every response, both listeners.
    pub latency_ms: u64,
    /// File bodies: abort the connection after `bytes` body bytes.
    pub drop_after: Option<Countdown>,
    /// The next `times` Hub-listener requests answer `status`.
    pub server_error: Option<StatusFault>,
    /// The next `times` Hub-listener requests answer 429 with `Retry-After` and `RateLimit` headers.
    pub rate_limit: Option<RateLimitFault>,
    /// File bodies ignore `Range`: always 200 with the whole body.
    pub ignore_range: bool,
    /// Flip one byte at file `offset` in the next `times` file bodies that cover it.
    pub corrupt: Option<CorruptFault>,
    /// File bodies: send `bytes`, then send nothing more without closing, until the client hangs up.
    pub stall_after: Option<Countdown>,
    /// Mirror mode: resolve serves LFS files itself (200 + body, ETag the sha256, no `X-Linked-*`).
    pub lfs_direct: bool,
    /// Mirror mode: file bodies have no `Content-Length` (chunked on GET, absent on HEAD).
    pub chunked: bool,
    /// Mirror mode: HEAD on `/resolve` takes this long.
    pub head_delay_ms: u64,
    /// A per-window request quota with `RateLimit` headers on every Hub answer.
    pub quota: Option<QuotaFault>,
}

/// The live fault switches.
#[derive(Debug, Default)]
pub struct Faults {
    state: Mutex<FaultState>,
    cdn_generation: AtomicU64,
    /// File-body bytes handed to the network so far, both listeners (what a client cost the server).
    body_bytes: AtomicU64,
    /// The quota's current window: when it started and how many requests it has seen.
    quota_window: Mutex<Option<(std::time::Instant, u32)>>,
    /// Requests refused with 429 because the quota was spent.
    quota_refusals: AtomicU64,
}

/// The quota's verdict on one request.
pub(crate) struct QuotaVerdict {
    pub allowed: bool,
    pub remaining: u32,
    pub reset_secs: u64,
    pub quota: u32,
    pub window_secs: u64,
}

/// What a Hub-listener request must answer instead of its real answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum StatusOverride {
    Status(u16),
    RateLimited { retry_after_secs: u64 },
}

/// Where in one file body the faults strike, in body bytes from the start of the response (drop, stall) or
/// as a file offset (corruption).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct BodyFaults {
    pub drop_at: Option<u64>,
    pub stall_at: Option<u64>,
    pub corrupt_offset: Option<u64>,
}

/// Uses up one of `times`; true if the fault applied. `u32::MAX` never runs out.
fn spend(times: &mut u32) -> bool {
    match *times {
        0 => false,
        u32::MAX => true,
        _ => {
            *times -= 1;
            true
        }
    }
}

impl Faults {
    pub fn new(initial: FaultState) -> Self {
        Faults {
            state: Mutex::new(initial),
            cdn_generation: AtomicU64::new(0),
            body_bytes: AtomicU64::new(0),
            quota_window: Mutex::new(None),
            quota_refusals: AtomicU64::new(0),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, FaultState> {
        // A panic while holding this lock cannot leave the state half-written: keep serving.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn set(&self, f: FaultState) {
        *self.lock() = f;
    }

    pub fn get(&self) -> FaultState {
        self.lock().clone()
    }

    pub fn update(&self, f: impl FnOnce(&mut FaultState)) {
        f(&mut self.lock());
    }

    /// Back to no faults at all (CDN URLs already expired stay expired).
    pub fn clear(&self) {
        self.set(FaultState::default());
    }

    /// Every CDN URL issued so far now answers 403.
    pub fn expire_cdn_urls(&self) {
        self.cdn_generation.fetch_add(1, Ordering::SeqCst);
    }

    /// Counts one Hub-listener request against the quota, if one is set.
    pub(crate) fn spend_quota(&self) -> Option<QuotaVerdict> {
        let quota = self.lock().quota.clone()?;
        let mut window = self.quota_window.lock().unwrap_or_else(|e| e.into_inner());
        let now = std::time::Instant::now();
        let length = std::time::Duration::from_secs(quota.window_secs.max(1));
        let (started, used) = match *window {
            Some((started, used)) if now.duration_since(started) < length => (started, used + 1),
            _ => (now, 1),
        };
        *window = Some((started, used));
        let reset_secs = length
            .saturating_sub(now.duration_since(started))
            .as_secs_f64()
            .ceil() as u64;
        let allowed = used <= quota.requests;
        if !allowed {
            self.quota_refusals.fetch_add(1, Ordering::SeqCst);
        }
        Some(QuotaVerdict {
            allowed,
            remaining: quota.requests.saturating_sub(used),
            reset_secs: reset_secs.max(1),
            quota: quota.requests,
            window_secs: quota.window_secs,
        })
    }

    /// Requests refused with 429 because the quota was spent.
    pub fn quota_refusals(&self) -> u64 {
        self.quota_refusals.load(Ordering::SeqCst)
    }

    /// File-body bytes sent so far (by both listeners).
    pub fn body_bytes_sent(&self) -> u64 {
        self.body_bytes.load(Ordering::SeqCst)
    }

    pub(crate) fn count_body_bytes(&self, n: u64) {
        self.body_bytes.fetch_add(n, Ordering::SeqCst);
    }

    pub(crate) fn cdn_generation(&self) -> u64 {
        self.cdn_generation.load(Ordering::SeqCst)
    }

    /// Decides, and counts, whether this Hub-listener request is answered by a status fault.
    pub(crate) fn take_status_override(&self) -> Option<StatusOverride> {
        let mut s = self.lock();
        if let Some(rl) = &mut s.rate_limit {
            let retry_after_secs = rl.retry_after_secs;
            let hit = spend(&mut rl.times);
            if rl.times == 0 {
                s.rate_limit = None;
            }
            if hit {
                return Some(StatusOverride::RateLimited { retry_after_secs });
            }
        }
        if let Some(se) = &mut s.server_error {
            let status = se.status;
            let hit = spend(&mut se.times);
            if se.times == 0 {
                s.server_error = None;
            }
            if hit {
                return Some(StatusOverride::Status(status));
            }
        }
        None
    }

    /// Decides, and counts, which faults strike a body carrying file bytes `[start, end)` of `path`.
    /// Only a body the fault can actually reach is counted, so a one-shot drop is not spent on a tiny file.
    pub(crate) fn take_body_faults(&self, path: &str, start: u64, end: u64) -> BodyFaults {
        let len = end.saturating_sub(start);
        let mut s = self.lock();
        let mut out = BodyFaults::default();
        if let Some(d) = &mut s.drop_after {
            if d.bytes < len && spend(&mut d.times) {
                out.drop_at = Some(d.bytes);
            }
            if d.times == 0 {
                s.drop_after = None;
            }
        }
        if let Some(st) = &mut s.stall_after {
            if st.bytes < len && spend(&mut st.times) {
                out.stall_at = Some(st.bytes);
            }
            if st.times == 0 {
                s.stall_after = None;
            }
        }
        if let Some(c) = &mut s.corrupt {
            let covers = c.offset >= start && c.offset < end;
            let matches = c
                .path_suffix
                .as_deref()
                .is_none_or(|suffix| path.ends_with(suffix));
            if covers && matches && spend(&mut c.times) {
                out.corrupt_offset = Some(c.offset);
            }
            if c.times == 0 {
                s.corrupt = None;
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_shot_faults_disarm() {
        let f = Faults::new(FaultState {
            server_error: Some(StatusFault {
                status: 503,
                times: 2,
            }),
            ..Default::default()
        });
        assert_eq!(f.take_status_override(), Some(StatusOverride::Status(503)));
        assert_eq!(f.take_status_override(), Some(StatusOverride::Status(503)));
        assert_eq!(f.take_status_override(), None);
        assert_eq!(f.get().server_error, None);
    }

    #[test]
    fn forever_faults_stay() {
        let f = Faults::new(FaultState {
            drop_after: Some(Countdown {
                bytes: 10,
                times: u32::MAX,
            }),
            ..Default::default()
        });
        for _ in 0..3 {
            assert_eq!(f.take_body_faults("x", 0, 100).drop_at, Some(10));
        }
        // A body too short to reach the drop point does not use it up.
        assert_eq!(f.take_body_faults("x", 0, 5).drop_at, None);
    }

    #[test]
    fn corruption_needs_coverage_and_suffix() {
        let f = Faults::new(FaultState {
            corrupt: Some(CorruptFault {
                offset: 50,
                times: 1,
                path_suffix: Some(".bin".into()),
            }),
            ..Default::default()
        });
        assert_eq!(f.take_body_faults("a.txt", 0, 100).corrupt_offset, None);
        assert_eq!(f.take_body_faults("a.bin", 60, 100).corrupt_offset, None);
        assert_eq!(f.take_body_faults("a.bin", 0, 100).corrupt_offset, Some(50));
        assert_eq!(f.take_body_faults("a.bin", 0, 100).corrupt_offset, None);
    }
}
