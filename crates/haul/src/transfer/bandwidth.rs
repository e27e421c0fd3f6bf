//! The global bandwidth limit: one token bucket shared by every connection of every download, whose
//! rate can change while transfers run (a new rate applies within a tenth of a second).

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// How long a waiting connection sleeps at most before looking at the rate again.
const RECHECK: Duration = Duration::from_millis(100);

#[derive(Debug)]
pub struct RateLimiter {
    /// Bytes per second; 0 means unlimited.
    rate: AtomicU64,
    bucket: Mutex<Bucket>,
}

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    refilled_at: Instant,
}

impl RateLimiter {
    pub fn new(rate: Option<u64>) -> RateLimiter {
        RateLimiter {
            rate: AtomicU64::new(rate.unwrap_or(0)),
            bucket: Mutex::new(Bucket {
                tokens: 0.0,
                refilled_at: Instant::now(),
            }),
        }
    }

    pub fn unlimited() -> RateLimiter {
        RateLimiter::new(None)
    }

    /// Changes the limit (`None` or 0: unlimited) for every transfer at once.
    pub fn set_rate(&self, rate: Option<u64>) {
        self.rate.store(rate.unwrap_or(0), Ordering::Relaxed);
    }

    pub fn rate(&self) -> Option<u64> {
        Some(self.rate.load(Ordering::Relaxed)).filter(|r| *r > 0)
    }

    /// Waits until `bytes` may be sent. Bursts are capped at a tenth of a second's worth, so the rate
    /// holds over short windows too.
    pub async fn acquire(&self, bytes: usize) {
        loop {
            let rate = self.rate.load(Ordering::Relaxed);
            if rate == 0 {
                return;
            }
            let wait = {
                let mut bucket = self.bucket.lock().unwrap_or_else(|p| p.into_inner());
                let now = Instant::now();
                let capacity = (rate as f64 / 10.0).max(bytes as f64);
                let elapsed = now.duration_since(bucket.refilled_at).as_secs_f64();
                bucket.tokens = (bucket.tokens + elapsed * rate as f64).min(capacity);
                bucket.refilled_at = now;
                if bucket.tokens >= bytes as f64 {
                    bucket.tokens -= bytes as f64;
                    return;
                }
                Duration::from_secs_f64((bytes as f64 - bucket.tokens) / rate as f64)
            };
            tokio::time::sleep(wait.min(RECHECK)).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn holds_the_rate_and_follows_changes() {
        let limiter = RateLimiter::new(Some(1_000_000));
        let started = Instant::now();
        for _ in 0..50 {
            limiter.acquire(10_000).await; // 500 kB at 1 MB/s
        }
        let elapsed = started.elapsed().as_secs_f64();
        assert!((0.4..0.7).contains(&elapsed), "took {elapsed}s");
        limiter.set_rate(None);
        let started = Instant::now();
        for _ in 0..1000 {
            limiter.acquire(1_000_000).await;
        }
        assert!(started.elapsed() < Duration::from_millis(50));
    }
}
