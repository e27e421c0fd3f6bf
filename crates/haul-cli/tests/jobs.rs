//! A download steered from another terminal: `haul queue` shows it, `haul pause` stops its traffic,
//! `haul resume` finishes it, `haul cancel` ends it with exit code 10 and no partial file left.

use std::path::Path;
use std::time::Duration;

use fakehub::{CommitSpec, FakeHub, FaultState, FileSpec, RepoSpec, RunningHub};
use serde_json::Value;
use tempfile::TempDir;

const SIZE: u64 = 48 << 20;

fn weights() -> FileSpec {
    FileSpec::lfs_generated(SIZE, 5)
}

async fn hub() -> RunningHub {
    FakeHub::builder()
        .repo(
            RepoSpec::model("org/big")
                .commit(CommitSpec::new().file("model.safetensors", weights())),
        )
        .faults(FaultState {
            bandwidth_per_conn: Some(2 << 20),
            ..Default::default()
        })
        .start()
        .await
        .unwrap()
}

fn haul(home: &Path, hub: &RunningHub, args: &[&str]) -> tokio::process::Command {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_haul"));
    command
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("HF_HOME", home.join("hf"))
        .env("HAUL_HOME", home.join("haul"))
        .env("HF_ENDPOINT", hub.url())
        .kill_on_drop(true);
    command
}

async fn jobs(home: &Path, hub: &RunningHub) -> Vec<Value> {
    let out = haul(home, hub, &["queue", "--json"])
        .output()
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice::<Value>(&out.stdout)
        .unwrap()
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// Waits until the one job has moved more than `at_least` bytes; returns its id and bytes done.
async fn running_job(home: &Path, hub: &RunningHub, at_least: u64) -> (i64, u64) {
    for _ in 0..300 {
        let listed = jobs(home, hub).await;
        if let Some(job) = listed.first()
            && job["state"] == "running"
            && job["bytes_done"].as_u64().unwrap_or(0) > at_least
        {
            assert_eq!(job["bytes_total"].as_u64(), Some(SIZE));
            return (
                job["id"].as_i64().unwrap(),
                job["bytes_done"].as_u64().unwrap(),
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the download never showed up as a running job with {at_least} bytes done");
}

#[tokio::test]
async fn pause_stops_the_traffic_and_resume_finishes() {
    let hub = hub().await;
    let home: TempDir = tempfile::tempdir().unwrap();
    let mut download = haul(
        home.path(),
        &hub,
        &["download", "org/big", "--connections", "4", "-q"],
    )
    .spawn()
    .unwrap();
    // Half the file first, so that a resume starting over would be told apart from one that continues.
    let (id, _) = running_job(home.path(), &hub, SIZE / 2).await;

    let paused = haul(home.path(), &hub, &["pause", &id.to_string()])
        .output()
        .await
        .unwrap();
    assert!(
        paused.status.success(),
        "{}",
        String::from_utf8_lossy(&paused.stderr)
    );
    // The server may still produce a chunk or two for connections being let go: wait until the count
    // settles (a busy machine takes longer), then check it stays put.
    let mut before = hub.faults().body_bytes_sent();
    for _ in 0..40 {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let now = hub.faults().body_bytes_sent();
        if now == before {
            break;
        }
        before = now;
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(
        hub.faults().body_bytes_sent(),
        before,
        "no bytes flow while paused"
    );
    assert!(before < SIZE, "it was paused before the end");
    assert_eq!(jobs(home.path(), &hub).await[0]["state"], "paused");
    assert!(
        download.try_wait().unwrap().is_none(),
        "the paused download waits"
    );

    let again = haul(home.path(), &hub, &["pause", &id.to_string()])
        .output()
        .await
        .unwrap();
    assert_eq!(
        again.status.code(),
        Some(3),
        "a paused job cannot be paused: {}",
        String::from_utf8_lossy(&again.stderr)
    );

    let landed = jobs(home.path(), &hub).await[0]["bytes_done"]
        .as_u64()
        .unwrap();
    assert!(landed >= SIZE / 2, "the paused job keeps its progress");

    hub.faults().clear();
    assert!(
        haul(home.path(), &hub, &["resume", "--all"])
            .output()
            .await
            .unwrap()
            .status
            .success()
    );
    let status = tokio::time::timeout(Duration::from_secs(120), download.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(status.success());
    let blob = home
        .path()
        .join("hf/hub/models--org--big/blobs")
        .join(weights().etag());
    assert_eq!(std::fs::metadata(&blob).unwrap().len(), SIZE);
    // Bytes the server sent but the client dropped at the pause (socket buffers, ranges cut short) are
    // fetched again; a resume that started over would fetch the whole file.
    let after_resume = hub.faults().body_bytes_sent() - before;
    assert!(
        after_resume < (SIZE - landed) + SIZE / 8,
        "the resume continued where it stopped: {after_resume} bytes fetched after resuming, {} were missing",
        SIZE - landed
    );
    let done = &jobs(home.path(), &hub).await[0];
    assert_eq!(done["state"], "done");
    assert_eq!(
        done["bytes_done"].as_u64(),
        Some(SIZE),
        "a done job shows every byte"
    );
}

#[tokio::test]
async fn cancel_ends_the_download_and_removes_the_partial_file() {
    let hub = hub().await;
    let home: TempDir = tempfile::tempdir().unwrap();
    let download = haul(
        home.path(),
        &hub,
        &["download", "org/big", "--connections", "4"],
    )
    .output();
    let canceller = async {
        let (id, _) = running_job(home.path(), &hub, 0).await;
        let out = haul(home.path(), &hub, &["cancel", &id.to_string()])
            .output()
            .await
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let (out, ()) = tokio::join!(download, canceller);
    let out = out.unwrap();
    assert_eq!(
        out.status.code(),
        Some(10),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("cancelled"));
    let blobs = home.path().join("hf/hub/models--org--big/blobs");
    let left: Vec<_> = std::fs::read_dir(&blobs)
        .map(|d| d.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "nothing is left behind: {left:?}");
    assert_eq!(jobs(home.path(), &hub).await[0]["state"], "cancelled");
}
