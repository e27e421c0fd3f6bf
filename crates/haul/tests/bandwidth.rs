//! The bandwidth limit as a user sees it: the download's rate over a 10-second window stays within
//! ±10 % of the limit, and a new limit set while it runs takes effect within a second.

mod common;

use std::time::Instant;

use common::Setup;
use fakehub::{CommitSpec, FakeHub, FileSpec, RepoSpec};
use haul::Event;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_limit_holds_and_follows_changes() {
    const LIMIT: u64 = 3_000_000;
    const RAISED: u64 = 6_000_000;
    let s = Setup::new(
        FakeHub::builder().repo(
            RepoSpec::model("org/big")
                .commit(CommitSpec::new().file("w.bin", FileSpec::lfs_generated(64 << 20, 3))),
        ),
    )
    .await;
    let haul = std::sync::Arc::new(s.haul());
    haul.set_bandwidth_limit(Some(LIMIT));
    let plan = haul.plan(&s.request(&haul, "org/big")).await.unwrap();
    let mut events = haul.subscribe();
    let downloader = {
        let haul = std::sync::Arc::clone(&haul);
        tokio::spawn(async move { haul.download(&plan, &haul.transfer_options()).await })
    };
    // (time since start, bytes done) samples from the progress stream.
    let started = Instant::now();
    let mut samples: Vec<(f64, u64)> = Vec::new();
    let mut changed_at = None;
    while let Ok(event) = events.recv().await {
        let Event::Progress(p) = event else { continue };
        let t = started.elapsed().as_secs_f64();
        samples.push((t, p.bytes_done));
        if changed_at.is_none() && t >= 12.0 {
            haul.set_bandwidth_limit(Some(RAISED));
            changed_at = Some(t);
        }
        if changed_at.is_some_and(|c| t >= c + 2.5) {
            break;
        }
    }
    downloader.abort();
    let at = |when: f64| {
        samples
            .iter()
            .find(|(t, _)| *t >= when)
            .copied()
            .expect("a sample at that time")
    };
    // A 10-second window after the first second (connections ramp up).
    let (t0, b0) = at(1.0);
    let (t1, b1) = at(11.0);
    let rate = (b1 - b0) as f64 / (t1 - t0);
    assert!(
        (rate - LIMIT as f64).abs() <= LIMIT as f64 * 0.10,
        "rate {rate:.0} B/s over 10 s, limit {LIMIT}"
    );
    // Within a second of the change, the new limit is what the download gets.
    let changed = changed_at.unwrap();
    let (t2, b2) = at(changed + 1.0);
    let (t3, b3) = at(changed + 2.0);
    let raised = (b3 - b2) as f64 / (t3 - t2);
    assert!(
        raised >= RAISED as f64 * 0.85 && raised <= RAISED as f64 * 1.15,
        "{raised:.0} B/s a second after raising to {RAISED}"
    );
}
