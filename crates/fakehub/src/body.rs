//! Serving file bytes: Range/206/416, and the body stream that produces content chunk by chunk so bandwidth
//! limits, dropped connections, stalls and corruption can strike in the middle of a body.

use std::io;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::Response;
use bytes::Bytes;
use tokio::time::Instant;

use crate::content::FileSpec;
use crate::faults::{BodyFaults, Faults};

/// Bodies go out in pieces of at most this size.
const CHUNK: u64 = 64 * 1024;

/// Pause between the last byte before a dropped connection and the drop.
const DROP_GRACE: Duration = Duration::from_millis(100);

/// A body whose size axum cannot see, so it adds no `Content-Length` of its own; used for every HEAD answer
/// (hyper sends no body for HEAD anyway) so the headers say exactly what this crate decided.
pub(crate) fn head_body() -> Body {
    Body::from_stream(futures_util::stream::empty::<Result<Bytes, io::Error>>())
}

/// What a `Range` header asks of a body of `total` bytes.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum RangeAsk {
    Whole,
    /// `[start, end)`, already clamped.
    Part(u64, u64),
    Unsatisfiable,
}

/// Reads `bytes=a-b`, `bytes=a-` and `bytes=-n`; anything else (several ranges, other units, nonsense) is
/// ignored as the HTTP spec allows, and the whole body is served.
pub(crate) fn parse_range(value: Option<&str>, total: u64) -> RangeAsk {
    let Some(spec) = value.and_then(|v| v.trim().strip_prefix("bytes=")) else {
        return RangeAsk::Whole;
    };
    if spec.contains(',') {
        return RangeAsk::Whole;
    }
    let Some((a, b)) = spec.split_once('-') else {
        return RangeAsk::Whole;
    };
    let (a, b) = (a.trim(), b.trim());
    if a.is_empty() {
        return match b.parse::<u64>() {
            Ok(0) => RangeAsk::Unsatisfiable,
            Ok(_) if total == 0 => RangeAsk::Unsatisfiable,
            Ok(n) => RangeAsk::Part(total.saturating_sub(n), total),
            Err(_) => RangeAsk::Whole,
        };
    }
    let Ok(start) = a.parse::<u64>() else {
        return RangeAsk::Whole;
    };
    let end = if b.is_empty() {
        u64::MAX
    } else {
        match b.parse::<u64>() {
            Ok(last) if last >= start => last.saturating_add(1),
            _ => return RangeAsk::Whole,
        }
    };
    if start >= total {
        return RangeAsk::Unsatisfiable;
    }
    RangeAsk::Part(start, end.min(total))
}

/// Answers a request for a file's bytes (GET or HEAD), honouring Range and the body faults.
/// `headers` are the answer's own headers (ETag, X-Repo-Commit…); `fault_path` is what a corruption fault's
/// `path_suffix` is matched against.
pub(crate) fn file_response(
    faults: &Arc<Faults>,
    method: &Method,
    request: &HeaderMap,
    file: &FileSpec,
    fault_path: &str,
    mut headers: HeaderMap,
) -> Response {
    let state = faults.get();
    let total = file.size();
    let range = if state.ignore_range {
        RangeAsk::Whole
    } else {
        parse_range(
            request.get(header::RANGE).and_then(|v| v.to_str().ok()),
            total,
        )
    };
    headers.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    let (status, start, end) = match range {
        RangeAsk::Whole => (StatusCode::OK, 0, total),
        RangeAsk::Part(s, e) => {
            headers.insert(header::CONTENT_RANGE, content_range(s, e, total));
            (StatusCode::PARTIAL_CONTENT, s, e)
        }
        RangeAsk::Unsatisfiable => {
            if let Ok(v) = HeaderValue::from_str(&format!("bytes */{total}")) {
                headers.insert(header::CONTENT_RANGE, v);
            }
            headers.insert(header::CONTENT_LENGTH, HeaderValue::from(0u64));
            let body = if method == Method::HEAD {
                head_body()
            } else {
                Body::empty()
            };
            return build(StatusCode::RANGE_NOT_SATISFIABLE, headers, body);
        }
    };
    if !state.chunked {
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from(end - start));
    }
    if method == Method::HEAD {
        return build(status, headers, head_body());
    }
    let plan = faults.take_body_faults(fault_path, start, end);
    let stream = BodyStream {
        faults: faults.clone(),
        file: file.clone(),
        pos: start,
        end,
        sent: 0,
        plan,
        next_at: None,
        done: false,
    };
    build(status, headers, Body::from_stream(stream.into_stream()))
}

fn content_range(start: u64, end: u64, total: u64) -> HeaderValue {
    HeaderValue::from_str(&format!("bytes {start}-{}/{total}", end - 1))
        .unwrap_or_else(|_| HeaderValue::from_static("bytes */0"))
}

fn build(status: StatusCode, headers: HeaderMap, body: Body) -> Response {
    let mut resp = Response::new(body);
    *resp.status_mut() = status;
    *resp.headers_mut() = headers;
    resp
}

struct BodyStream {
    faults: Arc<Faults>,
    file: FileSpec,
    /// Next file offset to send.
    pos: u64,
    end: u64,
    /// Body bytes sent so far.
    sent: u64,
    plan: BodyFaults,
    /// When the bandwidth limit allows the next chunk.
    next_at: Option<Instant>,
    done: bool,
}

impl BodyStream {
    fn into_stream(self) -> impl futures_util::Stream<Item = Result<Bytes, io::Error>> + Send {
        futures_util::stream::unfold(self, |mut st| async move {
            let item = st.next_chunk().await?;
            Some((item, st))
        })
    }

    async fn next_chunk(&mut self) -> Option<Result<Bytes, io::Error>> {
        if self.done || self.pos >= self.end {
            return None;
        }
        if self.plan.stall_at.is_some_and(|at| self.sent >= at) {
            // Holds the connection open without a byte more; it ends when the client hangs up and hyper
            // drops this stream.
            futures_util::future::pending::<()>().await;
        }
        if self.plan.drop_at.is_some_and(|at| self.sent >= at) {
            self.done = true;
            // hyper discards what it has buffered but not yet written when a body fails; pausing first lets
            // it flush, so the client really receives the promised bytes before the connection dies.
            tokio::time::sleep(DROP_GRACE).await;
            return Some(Err(io::Error::new(
                io::ErrorKind::ConnectionAborted,
                "fakehub fault: connection dropped mid-body",
            )));
        }
        let mut n = CHUNK.min(self.end - self.pos);
        for limit in [self.plan.stall_at, self.plan.drop_at]
            .into_iter()
            .flatten()
        {
            n = n.min(limit - self.sent);
        }
        if let Some(rate) = self.faults.get().bandwidth_per_conn {
            let rate = rate.max(1);
            // About ten pieces a second keeps the rate smooth at any speed.
            n = n.min((rate / 10).max(1));
            let now = Instant::now();
            let at = self.next_at.unwrap_or(now).max(now);
            tokio::time::sleep_until(at).await;
            self.next_at = Some(at + Duration::from_secs_f64(n as f64 / rate as f64));
        } else {
            self.next_at = None;
        }
        let mut data = self.file.read_at(self.pos, n as usize);
        if let Some(off) = self.plan.corrupt_offset
            && off >= self.pos
            && off < self.pos + data.len() as u64
        {
            data[(off - self.pos) as usize] ^= 0xFF;
        }
        self.pos += data.len() as u64;
        self.sent += data.len() as u64;
        self.faults.count_body_bytes(data.len() as u64);
        Some(Ok(Bytes::from(data)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        use RangeAsk::*;
        assert_eq!(parse_range(None, 10), Whole);
        assert_eq!(parse_range(Some("bytes=2-5"), 10), Part(2, 6));
        assert_eq!(parse_range(Some("bytes=2-"), 10), Part(2, 10));
        assert_eq!(parse_range(Some("bytes=2-100"), 10), Part(2, 10));
        assert_eq!(parse_range(Some("bytes=-3"), 10), Part(7, 10));
        assert_eq!(parse_range(Some("bytes=-30"), 10), Part(0, 10));
        assert_eq!(parse_range(Some("bytes=10-"), 10), Unsatisfiable);
        assert_eq!(parse_range(Some("bytes=0-"), 0), Unsatisfiable);
        assert_eq!(parse_range(Some("bytes=5-2"), 10), Whole);
        assert_eq!(parse_range(Some("bytes=0-1,4-5"), 10), Whole);
        assert_eq!(parse_range(Some("items=0-1"), 10), Whole);
    }
}
