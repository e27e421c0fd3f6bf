//! Pacing requests to the Hub by its own advice: every answer may carry `RateLimit: "…";r=<remaining>;
//! t=<seconds to reset>`, and the remaining requests are spread over what is left of the window, so a repo
//! with thousands of small files does not run into the Hub's per-window limits (and its 429s).

use std::sync::Mutex;
use std::time::{Duration, Instant};

use reqwest::header::HeaderMap;

/// The longest pause between two requests the pacer will impose.
const MAX_INTERVAL: Duration = Duration::from_secs(30);

#[derive(Debug)]
pub struct Pacer {
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    /// The earliest moment the next request may go.
    next: Instant,
    /// The spacing the last advice asked for.
    interval: Duration,
}

impl Default for Pacer {
    fn default() -> Self {
        Pacer {
            state: Mutex::new(State {
                next: Instant::now(),
                interval: Duration::ZERO,
            }),
        }
    }
}

/// `(remaining, seconds to reset)` from a `RateLimit` header.
fn advice(headers: &HeaderMap) -> Option<(u64, f64)> {
    let value = headers.get("ratelimit")?.to_str().ok()?;
    let mut remaining = None;
    let mut reset = None;
    for part in value.split(';').map(str::trim) {
        if let Some(r) = part.strip_prefix("r=") {
            remaining = r.parse::<u64>().ok();
        } else if let Some(t) = part.strip_prefix("t=") {
            reset = t.parse::<f64>().ok();
        }
    }
    Some((remaining?, reset.filter(|t| t.is_finite() && *t >= 0.0)?))
}

impl Pacer {
    /// Waits for this request's slot.
    pub async fn wait(&self) {
        let wait = {
            let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
            let now = Instant::now();
            let at = state.next.max(now);
            state.next = at + state.interval;
            at - now
        };
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
    }

    /// Takes the advice of an answer's headers.
    pub fn observe(&self, headers: &HeaderMap) {
        let Some((remaining, reset)) = advice(headers) else {
            return;
        };
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let window = Duration::from_secs_f64(reset).min(MAX_INTERVAL * 10);
        if remaining == 0 {
            state.next = state.next.max(Instant::now() + window);
            state.interval = Duration::ZERO;
        } else {
            state.interval = (window / (remaining as u32).saturating_add(1)).min(MAX_INTERVAL);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn spreads_what_remains_over_the_window() {
        let pacer = Pacer::default();
        let mut h = HeaderMap::new();
        h.insert("ratelimit", HeaderValue::from_static("\"api\";r=9;t=5"));
        pacer.observe(&h);
        assert_eq!(
            pacer.state.lock().unwrap().interval,
            Duration::from_millis(500)
        );
        h.insert("ratelimit", HeaderValue::from_static("\"api\";r=0;t=3"));
        pacer.observe(&h);
        assert!(pacer.state.lock().unwrap().next > Instant::now() + Duration::from_secs(2));
    }
}
