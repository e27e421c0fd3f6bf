//! `haul daemon` as a real process: one per data dir, a schedule added and triggered from the CLI runs
//! in the already-running service, and SIGTERM stops it cleanly.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use fakehub::{CommitSpec, FakeHub, FileSpec, RepoSpec, RepoType, RunningHub};
use serde_json::Value;

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
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent")
        .stdin(Stdio::null())
        .kill_on_drop(true);
    command
}

#[tokio::test]
async fn the_service_runs_cli_schedules_refuses_a_twin_and_stops_on_sigterm() {
    let weights = FileSpec::lfs_generated(300_000, 4);
    let hub = FakeHub::builder()
        .repo(RepoSpec::model("org/m").commit(CommitSpec::new().file("w.bin", weights.clone())))
        .start()
        .await
        .unwrap();
    let home = tempfile::tempdir().unwrap();
    let mut daemon = haul(home.path(), &hub, &["daemon"])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait for the lock to be taken.
    let lock = home.path().join("haul/service.lock");
    for _ in 0..100 {
        if std::fs::read_to_string(&lock).is_ok_and(|t| t.lines().count() >= 2) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let twin = haul(home.path(), &hub, &["daemon"]).output().await.unwrap();
    assert_eq!(
        twin.status.code(),
        Some(11),
        "{}",
        String::from_utf8_lossy(&twin.stderr)
    );
    let said = String::from_utf8_lossy(&twin.stderr);
    assert!(
        said.contains("already running") && said.contains(&format!("pid {}", daemon.id().unwrap())),
        "{said}"
    );

    let added = haul(
        home.path(),
        &hub,
        &["schedule", "add", "org/m", "--every", "1d", "--json"],
    )
    .output()
    .await
    .unwrap();
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    let id = serde_json::from_slice::<Value>(&added.stdout).unwrap()["id"].to_string();
    let asked = haul(home.path(), &hub, &["schedule", "run-now", &id])
        .output()
        .await
        .unwrap();
    assert!(
        asked.status.success(),
        "{}",
        String::from_utf8_lossy(&asked.stderr)
    );

    let commit = hub.commit_sha(RepoType::Model, "org/m", 0);
    let file = home
        .path()
        .join("hf/hub/models--org--m/snapshots")
        .join(commit)
        .join("w.bin");
    for _ in 0..200 {
        if file.exists() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        std::fs::read(&file).expect("the service ran the schedule"),
        weights.bytes()
    );

    let pid = daemon.id().unwrap().to_string();
    assert!(
        std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let status = tokio::time::timeout(Duration::from_secs(20), daemon.wait())
        .await
        .expect("stops on SIGTERM")
        .unwrap();
    assert!(status.success(), "a clean stop exits 0");
    // The day's file, `daemon.YYYY-MM-DD.log` (two if the test ran across midnight UTC).
    let log: String = std::fs::read_dir(home.path().join("haul/state"))
        .map(|entries| {
            let mut files: Vec<_> = entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| {
                    p.file_name()
                        .unwrap()
                        .to_string_lossy()
                        .starts_with("daemon.")
                })
                .collect();
            files.sort();
            files
                .iter()
                .map(|f| std::fs::read_to_string(f).unwrap_or_default())
                .collect()
        })
        .unwrap_or_default();
    assert!(
        log.contains("running schedule") && log.contains("Haul service stopped"),
        "{log}"
    );
}
