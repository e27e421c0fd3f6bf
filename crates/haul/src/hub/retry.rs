//! When and how long to wait before trying a request again: which answers are worth a retry, the
//! server's own `Retry-After` / `RateLimit` advice, and exponential backoff with jitter otherwise.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::header::HeaderMap;

/// The statuses the Python client retries too.
pub fn is_retryable_status(status: u16) -> bool {
    matches!(status, 408 | 429 | 500 | 502 | 503 | 504)
}

/// The longest a server's advice may make us wait before one attempt.
const MAX_ADVISED_WAIT: Duration = Duration::from_secs(300);

/// Reads `Retry-After: <seconds>` or `RateLimit: "…";r=0;t=<seconds>`.
pub fn advised_wait(headers: &HeaderMap) -> Option<Duration> {
    let retry_after = headers
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<f64>().ok());
    let ratelimit_reset = headers
        .get("ratelimit")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.split(';')
                .filter_map(|part| part.trim().strip_prefix("t="))
                .find_map(|t| t.trim().parse::<f64>().ok())
        });
    retry_after
        .or(ratelimit_reset)
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map(|s| Duration::from_secs_f64(s).min(MAX_ADVISED_WAIT))
}

/// Exponential backoff: `base * 2^attempt`, capped at 30 s, plus up to 50 % jitter so that many
/// clients (or many of our own workers) do not retry in lockstep.
pub fn backoff(base: Duration, attempt: u32) -> Duration {
    let exp = base
        .saturating_mul(1u32 << attempt.min(10))
        .min(Duration::from_secs(30));
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let jitter = exp.mul_f64(f64::from(nanos % 1000) / 2000.0);
    exp + jitter
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn reads_server_advice() {
        let mut h = HeaderMap::new();
        assert_eq!(advised_wait(&h), None);
        h.insert("ratelimit", HeaderValue::from_static("\"api\";r=0;t=7"));
        assert_eq!(advised_wait(&h), Some(Duration::from_secs(7)));
        h.insert("retry-after", HeaderValue::from_static("2"));
        assert_eq!(advised_wait(&h), Some(Duration::from_secs(2)));
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let base = Duration::from_millis(100);
        assert!(backoff(base, 0) >= base && backoff(base, 0) <= base * 2);
        assert!(backoff(base, 3) >= base * 8);
        assert!(backoff(base, 40) <= Duration::from_secs(45));
    }
}
