//! Batching: notifications of one kind that arrive within a short window become one ("Downloaded 5
//! repositories — 12.0 GiB"), so a queue that empties at once does not bury the desktop in bubbles.
//!
//! The window opens with the first notification of a kind and closes a fixed time later (so a steady
//! stream still gets one message per window, never an ever-growing wait). Pure: the caller says what
//! time it is, so tests need no clock.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::{Notification, NotificationKind, bytes, shorten};

/// Subjects named in a merged notification before "and N more".
const NAMED: usize = 3;
/// Characters of each reason in a merged failure list.
const REASON_CHARS: usize = 100;

/// Notifications waiting for their window to close, by kind.
#[derive(Debug)]
pub struct Batcher {
    window: Duration,
    /// One entry per kind with something pending, in the order their windows opened.
    pending: Vec<Pending>,
}

#[derive(Debug)]
struct Pending {
    kind: NotificationKind,
    deadline: Instant,
    items: Vec<Notification>,
}

impl Batcher {
    pub fn new(window: Duration) -> Batcher {
        Batcher {
            window,
            pending: Vec::new(),
        }
    }

    /// Adds `n`, arrived at `now`: into its kind's open window, or opening one.
    pub fn push(&mut self, n: Notification, now: Instant) {
        match self.pending.iter_mut().find(|p| p.kind == n.kind) {
            Some(p) => p.items.push(n),
            None => self.pending.push(Pending {
                kind: n.kind,
                deadline: now + self.window,
                items: vec![n],
            }),
        }
    }

    /// When the earliest open window closes.
    pub fn next_deadline(&self) -> Option<Instant> {
        self.pending.iter().map(|p| p.deadline).min()
    }

    /// The merged notifications whose window has closed by `now`, earliest first.
    pub fn take_due(&mut self, now: Instant) -> Vec<Notification> {
        let (mut due, open): (Vec<_>, Vec<_>) = std::mem::take(&mut self.pending)
            .into_iter()
            .partition(|p| p.deadline <= now);
        self.pending = open;
        due.sort_by_key(|p| p.deadline);
        due.into_iter().map(|p| merge(p.items)).collect()
    }

    /// Everything pending, merged, windows closed early (a flush, a shutdown).
    pub fn take_all(&mut self) -> Vec<Notification> {
        let mut all = std::mem::take(&mut self.pending);
        all.sort_by_key(|p| p.deadline);
        all.into_iter().map(|p| merge(p.items)).collect()
    }
}

/// Several notifications of one kind as one; a single one stays as it is.
///
/// # Panics
/// When `items` is empty or mixes kinds (the batcher never does either).
pub fn merge(mut items: Vec<Notification>) -> Notification {
    assert!(!items.is_empty(), "nothing to merge");
    if items.len() == 1 {
        return items.remove(0);
    }
    let kind = items[0].kind;
    assert!(items.iter().all(|n| n.kind == kind), "one kind per batch");
    let count = items.len();
    let subjects = || named(items.iter().map(|n| n.subject.as_str()), count);
    let lines = || {
        let mut lines: Vec<String> = items
            .iter()
            .take(NAMED)
            .map(|n| format!("{}: {}", n.subject, shorten(&n.body, REASON_CHARS)))
            .collect();
        if count > NAMED {
            lines.push(format!("and {} more", count - NAMED));
        }
        lines.join("\n")
    };
    let total: Option<u64> = items.iter().map(|n| n.bytes).sum();
    let (title, body) = match kind {
        NotificationKind::Finished => (
            format!("Downloaded {count} repositories"),
            match total {
                Some(total) => format!("{}: {}", bytes(total), subjects()),
                None => subjects(),
            },
        ),
        NotificationKind::Failed => (format!("{count} downloads failed"), lines()),
        NotificationKind::UpdateAvailable => (
            format!("Updates available for {count} repositories"),
            subjects(),
        ),
        NotificationKind::ScheduleSkipped => (format!("{count} schedules skipped"), lines()),
    };
    let open_path = common_folder(items.iter().filter_map(|n| n.open_path.as_deref()));
    Notification {
        kind,
        title,
        body,
        open_path,
        subject: items
            .iter()
            .map(|n| n.subject.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        bytes: total,
    }
}

/// "a, b, c and 2 more".
fn named<'a>(subjects: impl Iterator<Item = &'a str>, count: usize) -> String {
    let mut text = subjects.take(NAMED).collect::<Vec<_>>().join(", ");
    if count > NAMED {
        text.push_str(&format!(" and {} more", count - NAMED));
    }
    text
}

/// The deepest folder holding every path (the hub cache, for snapshots of several repos); `None`
/// when there is none or it is the filesystem root.
fn common_folder<'a>(mut paths: impl Iterator<Item = &'a Path>) -> Option<PathBuf> {
    let mut common = paths.next()?.to_path_buf();
    for path in paths {
        while !path.starts_with(&common) {
            if !common.pop() {
                return None;
            }
        }
    }
    (common.parent().is_some()).then_some(common)
}

#[cfg(test)]
mod tests {
    use super::super::tests::report;
    use super::*;

    fn finished(repo: &str, size: u64) -> Notification {
        Notification::finished(&report(repo, size, size, 10.0))
    }

    #[test]
    fn one_window_per_kind_opened_by_its_first() {
        let t0 = Instant::now();
        let mut b = Batcher::new(Duration::from_secs(2));
        assert_eq!(b.next_deadline(), None);
        b.push(finished("org/a", 1 << 30), t0);
        b.push(
            Notification::failed("org/x", "boom"),
            t0 + Duration::from_millis(500),
        );
        b.push(finished("org/b", 1 << 30), t0 + Duration::from_millis(1900));
        assert_eq!(b.next_deadline(), Some(t0 + Duration::from_secs(2)));
        assert!(b.take_due(t0 + Duration::from_millis(1999)).is_empty());

        let due = b.take_due(t0 + Duration::from_secs(2));
        assert_eq!(due.len(), 1);
        assert_eq!(due[0].title, "Downloaded 2 repositories");
        assert_eq!(due[0].body, "2.0 GiB: org/a, org/b");
        assert_eq!(due[0].open_path, Some(PathBuf::from("/c/hub")));

        // A finished download after the window closed opens a new one.
        b.push(finished("org/c", 5), t0 + Duration::from_millis(2100));
        assert_eq!(
            b.next_deadline(),
            Some(t0 + Duration::from_millis(2500)),
            "the failure's window closes first"
        );
        let due = b.take_due(t0 + Duration::from_secs(5));
        assert_eq!(
            due.iter().map(|n| n.title.as_str()).collect::<Vec<_>>(),
            ["Download of org/x failed", "Downloaded org/c"],
            "a batch of one stays as it was"
        );
        assert_eq!(due[1].body, "5 B in 10s");
        assert!(b.take_due(t0 + Duration::from_secs(60)).is_empty());
    }

    #[test]
    fn many_at_once_become_one_message() {
        let t0 = Instant::now();
        let mut b = Batcher::new(Duration::from_secs(2));
        for (i, repo) in ["org/a", "org/b", "org/c", "org/d", "org/e"]
            .iter()
            .enumerate()
        {
            b.push(finished(repo, 2_576_980_378 + i as u64), t0);
            b.push(Notification::failed(repo, format!("reason {i}")), t0);
            b.push(Notification::update_available(repo, "aaaa", "bbbb"), t0);
        }
        b.push(Notification::schedule_skipped("nightly", "offline"), t0);
        b.push(Notification::schedule_skipped("weekly", "gated"), t0);
        let all = b.take_all();
        assert_eq!(all.len(), 4);
        let text: Vec<(&str, &str)> = all
            .iter()
            .map(|n| (n.title.as_str(), n.body.as_str()))
            .collect();
        assert_eq!(
            text,
            [
                (
                    "Downloaded 5 repositories",
                    "12.0 GiB: org/a, org/b, org/c and 2 more"
                ),
                (
                    "5 downloads failed",
                    "org/a: reason 0\norg/b: reason 1\norg/c: reason 2\nand 2 more"
                ),
                (
                    "Updates available for 5 repositories",
                    "org/a, org/b, org/c and 2 more"
                ),
                ("2 schedules skipped", "nightly: offline\nweekly: gated"),
            ]
        );
        assert_eq!(all[0].bytes, Some(5 * 2_576_980_378 + 10));
        assert_eq!(all[1].open_path, None);
        assert!(b.take_all().is_empty());
    }

    #[test]
    fn a_zero_window_delivers_at_once() {
        let t0 = Instant::now();
        let mut b = Batcher::new(Duration::ZERO);
        b.push(finished("org/a", 1), t0);
        assert_eq!(b.take_due(t0).len(), 1);
    }

    #[test]
    fn the_common_folder() {
        let p = |s: &'static str| Path::new(s);
        assert_eq!(
            common_folder([p("/h/a/snap/1"), p("/h/b/snap/2")].into_iter()),
            Some(PathBuf::from("/h"))
        );
        assert_eq!(
            common_folder([p("/h/a"), p("/x/b")].into_iter()),
            None,
            "not the root"
        );
        assert_eq!(common_folder(std::iter::empty()), None);
    }
}
