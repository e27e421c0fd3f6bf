//! `kill -9` at random moments of a large download, then a restart: the file still verifies, and what
//! the server sent in all stays under 1.1 × the file's size (only ranges in flight are fetched again).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use fakehub::{CommitSpec, FakeHub, FaultState, FileSpec, RepoSpec, RepoType};
use sha2::{Digest, Sha256};

const SIZE: u64 = 96 << 20;

/// A small deterministic generator, seeded from the clock and printed, so a failure can be replayed.
struct Offsets(u64);

impl Offsets {
    fn next_millis(&mut self, low: u64, high: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        low + self.0 % (high - low)
    }
}

#[tokio::test]
async fn killed_three_times_then_resumed_the_file_verifies() {
    let weights = FileSpec::lfs_generated(SIZE, 99);
    let hub = FakeHub::builder()
        .repo(
            RepoSpec::model("org/big")
                .commit(CommitSpec::new().file("model.safetensors", weights.clone())),
        )
        .faults(FaultState {
            bandwidth_per_conn: Some(2 << 20),
            ..Default::default()
        })
        .start()
        .await
        .unwrap();
    let home = tempfile::tempdir().unwrap();
    let run = || {
        let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_haul"));
        command
            .args(["download", "org/big", "--connections", "4", "-q"])
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", home.path())
            .env("HF_HOME", home.path().join("hf"))
            .env("HAUL_HOME", home.path().join("haul"))
            .env("HF_ENDPOINT", hub.url())
            .kill_on_drop(true);
        command
    };
    let seed = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    println!("kill offsets seed: {seed}");
    let mut offsets = Offsets(seed);
    let blobs = home.path().join("hf/hub/models--org--big/blobs");
    let partial = blobs.join(format!("{}.incomplete", weights.etag()));
    for round in 0..3 {
        let mut child = run().spawn().unwrap();
        let wait = offsets.next_millis(500, 1500);
        tokio::time::sleep(Duration::from_millis(wait)).await;
        child.start_kill().unwrap();
        let status = child.wait().await.unwrap();
        assert!(
            !status.success(),
            "round {round}: the download finished before the kill at {wait} ms; make it slower"
        );
        assert!(
            partial.exists(),
            "round {round}: the partial file survives the kill"
        );
    }
    let sent_before_last = hub.faults().body_bytes_sent();
    assert!(
        sent_before_last > SIZE / 10,
        "the killed runs made progress: {sent_before_last}"
    );
    let last = run().output().await.unwrap();
    assert!(
        last.status.success(),
        "{}",
        String::from_utf8_lossy(&last.stderr)
    );

    let blob = std::fs::read(blobs.join(weights.etag())).unwrap();
    assert_eq!(hex::encode(Sha256::digest(&blob)), weights.sha256_hex());
    assert!(!partial.exists());
    let commit = hub.commit_sha(RepoType::Model, "org/big", 0);
    let link = home
        .path()
        .join("hf/hub/models--org--big/snapshots")
        .join(commit)
        .join("model.safetensors");
    assert_eq!(
        std::fs::canonicalize(link).unwrap(),
        std::fs::canonicalize(blobs.join(weights.etag())).unwrap()
    );
    let total = hub.faults().body_bytes_sent();
    println!("sent {total} bytes in all for {SIZE}");
    assert!(
        total < SIZE + SIZE / 10,
        "fetched {total} bytes in all for a {SIZE}-byte file (seed {seed})"
    );
}
