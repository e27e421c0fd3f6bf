//! One large file over several connections: the missing byte ranges are shared out as segments, each
//! fetched with its own `Range` request and written at its offset into the one partial file. A worker
//! that runs out of work takes half of the largest segment still in flight, so a slow connection does
//! not hold up the end. The contiguous prefix is hashed as it lands, and which ranges are on disk is
//! checkpointed (data flushed first) so a killed process resumes where it stopped.

use std::collections::VecDeque;
use std::fs::{File, OpenOptions};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::StreamExt;
use reqwest::StatusCode;
use tokio::sync::Notify;
use url::Url;

use super::control::{self, ControlState};
use super::positioned::{read_exact_at, write_all_at};
use super::progress_file::ProgressRecord;
use super::ranges::RangeSet;
use super::{TransferError, TransferJob};
use crate::cache::CacheError;
use crate::hub::{OpenError, describe_transport_error};
use crate::plan::PlannedFile;
use crate::verify::StreamingHasher;

/// Segments are not cut smaller than this.
const MIN_SEGMENT: u64 = 4 << 20;
/// A segment in flight is split for an idle connection only when this much of it is left.
const MIN_STEAL: u64 = 4 << 20;
/// How often the on-disk record of finished ranges is brought up to date.
const CHECKPOINT_INTERVAL: Duration = Duration::from_millis(100);
/// Bytes gathered before one write; and the longest they wait (so slow links still show progress).
const WRITE_BLOCK: usize = 256 << 10;
const WRITE_LATENCY: Duration = Duration::from_millis(50);
/// How much is hashed per read of the landed prefix.
const HASH_BLOCK: usize = 1 << 20;

pub(super) enum Segmented {
    /// The whole file is on disk; its hash.
    Done(String),
    /// The server ignores `Range`: fetch the file over one connection instead.
    RangeUnsupported,
}

/// A range one worker is fetching; `end` shrinks when another worker takes its second half.
struct Segment {
    pos: AtomicU64,
    end: AtomicU64,
}

impl Segment {
    fn new(start: u64, end: u64) -> Arc<Segment> {
        Arc::new(Segment {
            pos: AtomicU64::new(start),
            end: AtomicU64::new(end),
        })
    }

    fn remaining(&self) -> u64 {
        self.end
            .load(Ordering::Acquire)
            .saturating_sub(self.pos.load(Ordering::Acquire))
    }
}

struct Shared {
    file: Arc<File>,
    done: Mutex<RangeSet>,
    pending: Mutex<VecDeque<(u64, u64)>>,
    active: Mutex<Vec<Arc<Segment>>>,
    cdn_url: Mutex<Option<Url>>,
    landed: Notify,
    stop: AtomicBool,
    range_unsupported: AtomicBool,
    error: Mutex<Option<TransferError>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Shared {
    /// The next range to fetch: a pending one, or the second half of the largest one in flight.
    fn take(&self) -> Option<Arc<Segment>> {
        if let Some((start, end)) = lock(&self.pending).pop_front() {
            let segment = Segment::new(start, end);
            lock(&self.active).push(Arc::clone(&segment));
            return Some(segment);
        }
        let mut active = lock(&self.active);
        active.retain(|s| s.remaining() > 0);
        let victim = active.iter().max_by_key(|s| s.remaining())?.clone();
        let remaining = victim.remaining();
        if remaining < 2 * MIN_STEAL {
            return None;
        }
        let end = victim.end.load(Ordering::Acquire);
        let mid = victim.pos.load(Ordering::Acquire) + remaining / 2;
        // The victim may write a little past `mid` before it notices: the same bytes, so harmless.
        victim.end.store(mid, Ordering::Release);
        let segment = Segment::new(mid, end);
        active.push(Arc::clone(&segment));
        Some(segment)
    }

    fn fail(&self, error: TransferError) {
        lock(&self.error).get_or_insert(error);
        self.stop.store(true, Ordering::Release);
        self.landed.notify_one();
    }
}

/// Splits the gaps into about `connections` segments, none smaller than [`MIN_SEGMENT`].
fn initial_segments(gaps: &[(u64, u64)], connections: usize) -> VecDeque<(u64, u64)> {
    let total: u64 = gaps.iter().map(|(s, e)| e - s).sum();
    let piece = (total / connections.max(1) as u64).max(MIN_SEGMENT);
    let mut segments = VecDeque::new();
    for &(start, end) in gaps {
        let mut at = start;
        while at < end {
            let next = if end - at < piece + MIN_SEGMENT {
                end
            } else {
                at + piece
            };
            segments.push_back((at, next));
            at = next;
        }
    }
    segments
}

impl TransferJob {
    /// Fetches `file` into `incomplete` over several connections, resuming from a checkpoint if one
    /// matches. The partial file and its record are kept on failure, for the next run.
    pub(super) async fn fetch_segmented(
        &self,
        file: &PlannedFile,
        incomplete: &Path,
    ) -> Result<Segmented, TransferError> {
        if let Some(parent) = incomplete.parent() {
            std::fs::create_dir_all(parent).map_err(|e| CacheError::io("create", parent, e))?;
        }
        let resumed = ProgressRecord::load(incomplete, &file.etag, file.size);
        let handle = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(resumed.is_none())
            .open(incomplete)
            .map_err(|e| CacheError::io("create", incomplete, e))?;
        let mut record = match resumed {
            Some(record) => {
                tracing::info!(path = %file.path, bytes = record.done.covered(), "resuming from a previous run");
                self.progress.add(&file.path, record.done.covered());
                record
            }
            None => {
                handle
                    .set_len(file.size)
                    .map_err(|e| CacheError::io("allocate", incomplete, e))?;
                ProgressRecord::new(&file.etag, file.size)
            }
        };
        record
            .save(incomplete)
            .map_err(|e| CacheError::io("write", incomplete, e))?;
        let gaps = record.done.missing(file.size);
        let connections = self.options.connections_per_file.max(1);
        let shared = Arc::new(Shared {
            file: Arc::new(handle),
            done: Mutex::new(record.done.clone()),
            pending: Mutex::new(initial_segments(&gaps, connections)),
            active: Mutex::new(Vec::new()),
            cdn_url: Mutex::new(None),
            landed: Notify::new(),
            stop: AtomicBool::new(false),
            range_unsupported: AtomicBool::new(false),
            error: Mutex::new(None),
        });

        let workers = connections.min(lock(&shared.pending).len().max(1));
        let fetching = async {
            let mut tasks = futures_util::stream::FuturesUnordered::new();
            for _ in 0..workers {
                tasks.push(self.segment_worker(file, &shared));
            }
            while tasks.next().await.is_some() {}
            shared.stop.store(true, Ordering::Release);
            shared.landed.notify_one();
        };
        let (_, hashed, ()) = tokio::join!(
            fetching,
            hash_prefix(file, &shared),
            checkpoint(incomplete, &shared, &mut record)
        );

        if shared.range_unsupported.load(Ordering::Acquire) {
            ProgressRecord::remove(incomplete);
            return Ok(Segmented::RangeUnsupported);
        }
        if let Some(error) = lock(&shared.error).take() {
            return Err(error);
        }
        let covered = lock(&shared.done).covered();
        let hash = match hashed {
            Some(hash) if covered >= file.size => hash,
            _ => {
                return Err(TransferError::Exhausted {
                    path: file.path.clone(),
                    attempts: 1,
                    reason: format!("only {covered} of {} bytes arrived", file.size),
                });
            }
        };
        shared
            .file
            .sync_all()
            .map_err(|e| CacheError::io("write", incomplete, e))?;
        ProgressRecord::remove(incomplete);
        Ok(Segmented::Done(hash))
    }

    /// Writes the gathered bytes at the segment's position and records them as landed.
    async fn flush_block(
        &self,
        file: &PlannedFile,
        shared: &Shared,
        segment: &Segment,
        buffer: &mut bytes::BytesMut,
    ) -> Result<(), TransferError> {
        if buffer.is_empty() {
            return Ok(());
        }
        let data = buffer.split().freeze();
        let pos = segment.pos.load(Ordering::Acquire);
        let len = data.len() as u64;
        let handle = Arc::clone(&shared.file);
        tokio::task::spawn_blocking(move || write_all_at(&handle, &data, pos))
            .await
            .map_err(|e| CacheError::io("write", Path::new(&file.path), std::io::Error::other(e)))?
            .map_err(|e| CacheError::io("write", Path::new(&file.path), e))?;
        segment.pos.store(pos + len, Ordering::Release);
        lock(&shared.done).insert(pos, pos + len);
        self.progress.add(&file.path, len);
        shared.landed.notify_one();
        Ok(())
    }

    async fn segment_worker(&self, file: &PlannedFile, shared: &Shared) {
        while !shared.stop.load(Ordering::Acquire) {
            let Some(segment) = shared.take() else { return };
            if let Err(e) = self.fetch_segment(file, shared, &segment).await {
                shared.fail(e);
                return;
            }
        }
    }

    /// Fetches one segment to its (possibly shrinking) end, retrying drops, stalls and expired links.
    async fn fetch_segment(
        &self,
        file: &PlannedFile,
        shared: &Shared,
        segment: &Segment,
    ) -> Result<(), TransferError> {
        let mut failures = 0u32;
        let mut last_reason = String::new();
        let mut control = self.control.watch();
        loop {
            if control::checkpoint(&mut control).await == ControlState::Cancelled {
                return Err(TransferError::Cancelled);
            }
            let start = segment.pos.load(Ordering::Acquire);
            let end = segment.end.load(Ordering::Acquire);
            if start >= end || shared.stop.load(Ordering::Acquire) {
                return Ok(());
            }
            if failures >= self.options.retries {
                return Err(TransferError::Exhausted {
                    path: file.path.clone(),
                    attempts: failures,
                    reason: last_reason,
                });
            }
            let _permit = self.connections.acquire().await;
            let cached = lock(&shared.cdn_url).clone();
            let opened = self
                .hub
                .open_file(
                    self.target(),
                    &self.commit,
                    &file.path,
                    start,
                    Some(end),
                    cached.as_ref(),
                )
                .await;
            let opened = match opened {
                Ok(opened) => opened,
                Err(OpenError::Expired) => {
                    *lock(&shared.cdn_url) = None;
                    failures += 1;
                    last_reason = "the download link kept expiring".into();
                    continue;
                }
                Err(OpenError::Transient {
                    reason,
                    wait,
                    status,
                }) => {
                    if status == Some(403) {
                        *lock(&shared.cdn_url) = None;
                    }
                    failures += 1;
                    last_reason = reason;
                    self.pause_before_retry(file, failures, &last_reason, wait)
                        .await;
                    continue;
                }
                Err(OpenError::RangeNotSatisfiable) => {
                    return Err(TransferError::Exhausted {
                        path: file.path.clone(),
                        attempts: failures + 1,
                        reason: "the server says the file is shorter than the Hub listed".into(),
                    });
                }
                Err(OpenError::Fatal(e)) => return Err(e.into()),
            };
            if opened.response.status() != StatusCode::PARTIAL_CONTENT {
                shared.range_unsupported.store(true, Ordering::Release);
                shared.stop.store(true, Ordering::Release);
                return Ok(());
            }
            if opened.redirected {
                *lock(&shared.cdn_url) = Some(opened.served_from.clone());
            }
            let mut stream = opened.response.bytes_stream();
            let mut dropped = None;
            let before = start;
            // Bytes are gathered and written a block at a time: fewer writes, and the record of
            // finished ranges advances in whole blocks.
            let mut buffer = bytes::BytesMut::new();
            let mut buffered_since = std::time::Instant::now();
            while let Some(chunk) = stream.next().await {
                let chunk = match chunk {
                    Ok(chunk) => chunk,
                    Err(e) => {
                        dropped = Some(describe_transport_error(&e));
                        break;
                    }
                };
                self.options.limiter.acquire(chunk.len()).await;
                let at = segment.pos.load(Ordering::Acquire) + buffer.len() as u64;
                let end = segment.end.load(Ordering::Acquire);
                if at >= end || shared.stop.load(Ordering::Acquire) {
                    break;
                }
                let take = chunk
                    .len()
                    .min(usize::try_from(end - at).unwrap_or(usize::MAX));
                if buffer.is_empty() {
                    buffered_since = std::time::Instant::now();
                }
                buffer.extend_from_slice(&chunk[..take]);
                if buffer.len() >= WRITE_BLOCK || buffered_since.elapsed() >= WRITE_LATENCY {
                    self.flush_block(file, shared, segment, &mut buffer).await?;
                }
                if take < chunk.len() || !control::is_running(&control) {
                    break;
                }
            }
            // What arrived before a drop is good data: keep it.
            self.flush_block(file, shared, segment, &mut buffer).await?;
            let pos = segment.pos.load(Ordering::Acquire);
            if pos >= segment.end.load(Ordering::Acquire) || shared.stop.load(Ordering::Acquire) {
                return Ok(());
            }
            if !control::is_running(&control) {
                continue;
            }
            failures = if pos > before { 1 } else { failures + 1 };
            last_reason = dropped.unwrap_or_else(|| "the connection closed early".into());
            self.pause_before_retry(file, failures, &last_reason, None)
                .await;
        }
    }
}

/// Hashes the file's contiguous prefix as it grows; the hash is ready when the last byte lands.
async fn hash_prefix(file: &PlannedFile, shared: &Shared) -> Option<String> {
    // One buffer and the hasher travel to the blocking thread and back: reading and hashing a block
    // happen off the runtime, and no block is allocated twice.
    let mut state = Some((
        StreamingHasher::new(&file.hash, file.size),
        vec![0u8; HASH_BLOCK],
    ));
    let mut hashed = 0u64;
    loop {
        let frontier = lock(&shared.done).prefix_end();
        while hashed < frontier {
            let len = usize::try_from(frontier - hashed)
                .unwrap_or(HASH_BLOCK)
                .min(HASH_BLOCK);
            let handle = Arc::clone(&shared.file);
            let at = hashed;
            let (mut hasher, mut buffer) = state.take()?;
            let (hasher, buffer, read) = tokio::task::spawn_blocking(move || {
                let read = read_exact_at(&handle, &mut buffer[..len], at);
                if read.is_ok() {
                    hasher.update(&buffer[..len]);
                }
                (hasher, buffer, read)
            })
            .await
            .ok()?;
            read.ok()?;
            state = Some((hasher, buffer));
            hashed += len as u64;
        }
        if hashed >= file.size {
            return state.map(|(hasher, _)| hasher.finish_hex());
        }
        if shared.stop.load(Ordering::Acquire) && lock(&shared.done).prefix_end() == hashed {
            return None;
        }
        let _ = tokio::time::timeout(Duration::from_millis(250), shared.landed.notified()).await;
    }
}

/// Keeps the on-disk record of finished ranges current: data flushed first, then the record.
async fn checkpoint(incomplete: &Path, shared: &Shared, record: &mut ProgressRecord) {
    loop {
        let stopping = shared.stop.load(Ordering::Acquire);
        let done = lock(&shared.done).clone();
        if done != record.done {
            let handle = Arc::clone(&shared.file);
            let synced = tokio::task::spawn_blocking(move || handle.sync_data())
                .await
                .ok()
                .and_then(Result::ok);
            if synced.is_some() {
                record.done = done;
                if let Err(e) = record.save(incomplete) {
                    tracing::warn!(
                        "cannot record download progress at {}: {e}",
                        incomplete.display()
                    );
                }
            }
        }
        if stopping {
            return;
        }
        tokio::time::sleep(CHECKPOINT_INTERVAL).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_cover_the_gaps() {
        let gaps = [(0, 100 << 20), (120 << 20, 121 << 20)];
        let segments = initial_segments(&gaps, 8);
        assert_eq!(segments.front().map(|s| s.0), Some(0));
        let total: u64 = segments.iter().map(|(s, e)| e - s).sum();
        assert_eq!(total, (100 << 20) + (1 << 20));
        assert!(segments.len() >= 8 && segments.len() <= 10, "{segments:?}");
        assert!(segments.iter().all(|(s, e)| e > s));
    }
}
