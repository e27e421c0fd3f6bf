//! The background service as a real `haul daemon` process against a loopback fakehub: a seconds
//! cron fires and downloads; a sync schedule fetches only after the repo gets a new commit and keeps
//! one revision; an allowed window holds a running download at its end and lets it go at the next
//! start; SIGTERM mid-download and a restart finish the file without fetching it twice; the queue
//! runs by priority, one at a time with `max_jobs` 1, skipping paused and cancelled jobs; and a
//! schedule never runs twice at once (`run-now --here` while the daemon runs it is refused).

mod common;

use std::time::Duration;

use common::{Env, settled_bytes, sha256_of, stderr, stdout, wait_for};
use fakehub::{CommitSpec, FakeHub, FaultState, FileSpec, RepoSpec, RepoType};
use jiff::Timestamp;
use serde_json::Value;

fn small() -> FileSpec {
    FileSpec::lfs_generated(300_000, 41)
}

fn model(id: &str, file: FileSpec) -> RepoSpec {
    RepoSpec::model(id).commit(
        CommitSpec::new()
            .file("config.json", FileSpec::regular("{\"v\": 1}\n"))
            .file("weights.bin", file),
    )
}

fn throttled(per_conn: u64) -> FaultState {
    FaultState {
        bandwidth_per_conn: Some(per_conn),
        ..Default::default()
    }
}

#[tokio::test]
async fn a_seconds_cron_fires_in_the_daemon_and_downloads() {
    let e = Env::start(FakeHub::builder().repo(model("org/m", small()))).await;
    let daemon = e.daemon().await;
    let added = e
        .json(&[
            "schedule",
            "add",
            "org/m",
            "--cron",
            "*/2 * * * * *",
            "--json",
        ])
        .await;
    let id = added["id"].to_string();
    let commit = e.hub.commit_sha(RepoType::Model, "org/m", 0);
    let file = e
        .cache()
        .join("models--org--m/snapshots")
        .join(&commit)
        .join("weights.bin");
    wait_for("the cron schedule to download", 60, || async {
        file.exists().then_some(())
    })
    .await;
    assert_eq!(std::fs::read(&file).unwrap(), small().bytes());
    // It keeps firing: a later run finds everything in place.
    let first_run = wait_for("a recorded run", 30, || async {
        let shown = e.json(&["schedule", "show", &id, "--json"]).await;
        (shown["last_result"] == "ok").then(|| shown["last_run"].clone())
    })
    .await;
    wait_for("another run two seconds later", 30, || async {
        let shown = e.json(&["schedule", "show", &id, "--json"]).await;
        (shown["last_run"] != first_run && shown["last_result"] == "ok").then_some(())
    })
    .await;
    let log = daemon.log();
    assert!(daemon.stop().await.success());
    assert!(log.contains("running schedule"), "{log}");
}

#[tokio::test]
async fn a_sync_schedule_fetches_only_after_a_new_commit_and_keeps_one_revision() {
    let e = Env::start(FakeHub::builder().repo(model("org/m", small()))).await;
    let first = e.hub.commit_sha(RepoType::Model, "org/m", 0);
    let daemon = e.daemon().await;
    let added = e
        .json(&[
            "schedule",
            "add",
            "org/m",
            "--cron",
            "*/2 * * * * *",
            "--sync",
            "--keep",
            "1",
            "--json",
        ])
        .await;
    let id = added["id"].to_string();
    wait_for("the first sync", 60, || async {
        (e.snapshots("org/m") == [first.clone()]).then_some(())
    })
    .await;
    // Unchanged runs ask for the commit and fetch nothing.
    e.hub.clear_requests();
    let seen = e.json(&["schedule", "show", &id, "--json"]).await["last_run"].clone();
    wait_for("two more runs", 30, || async {
        let shown = e.json(&["schedule", "show", &id, "--json"]).await;
        (shown["last_run"] != seen && shown["last_result"] == "unchanged").then_some(())
    })
    .await;
    let paths: Vec<String> = e.hub.requests().into_iter().map(|r| r.path).collect();
    assert!(
        !paths.is_empty() && paths.iter().all(|p| p.contains("/revision/")),
        "only the commit was asked for: {paths:?}"
    );

    let second = e.hub.add_commit(
        RepoType::Model,
        "org/m",
        "main",
        vec![("config.json".into(), FileSpec::regular("{\"v\": 2}\n"))],
        vec![],
    );
    wait_for("the new commit, and the old one gone", 60, || async {
        (e.snapshots("org/m") == [second.clone()]).then_some(())
    })
    .await;
    let snapshot = e.cache().join("models--org--m/snapshots").join(&second);
    assert_eq!(
        std::fs::read_to_string(snapshot.join("config.json")).unwrap(),
        "{\"v\": 2}\n"
    );
    assert_eq!(
        std::fs::read(snapshot.join("weights.bin")).unwrap(),
        small().bytes()
    );
    assert!(daemon.stop().await.success());
}

/// `daily HH:MM:SS-HH:MM:SS` around `now`, in UTC (the tests' zone), from `from` to `to` seconds.
fn window(now: Timestamp, from: i64, to: i64) -> String {
    let at = |offset: i64| {
        let s = (now.as_second() + offset).rem_euclid(86_400);
        format!("{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    };
    format!("daily {}-{}", at(from), at(to))
}

#[tokio::test]
async fn a_window_holds_a_running_download_at_its_end_and_lets_it_go_at_the_next_start() {
    const SIZE: u64 = 32 << 20;
    let weights = FileSpec::lfs_generated(SIZE, 43);
    let mut e = Env::start(
        FakeHub::builder()
            .repo(model("org/big", weights.clone()))
            .faults(throttled(1 << 20)),
    )
    .await;
    e.var("HAUL_CONNECTIONS_PER_FILE", "2");
    let daemon = e.daemon().await;
    // Open now until 8 s from now; closed for 6 s; open again from 14 s on. At 2 MiB/s the 32 MiB
    // file cannot be done before the first window closes.
    let now = Timestamp::now();
    let (closes, opens) = (8, 14);
    let added = e
        .json(&[
            "schedule",
            "add",
            "org/big",
            "--every",
            "1d",
            "--window",
            &window(now, -60, closes),
            "--window",
            &window(now, opens, 300),
            "--json",
        ])
        .await;
    let id = added["id"].to_string();
    assert!(e.run(&["schedule", "run-now", &id]).await.status.success());

    let job = wait_for("the download to run", 30, || async {
        e.jobs()
            .await
            .into_iter()
            .find(|j| j["shown_state"] == "running" && j["bytes_done"].as_u64() > Some(0))
    })
    .await;
    let job_id = job["id"].as_i64().unwrap();
    let waiting = wait_for("the download to wait outside the window", 30, || async {
        let job = e.job(job_id).await;
        (job["shown_state"] == "waiting").then_some(job)
    })
    .await;
    let held_at = Timestamp::now();
    assert!(
        held_at.as_second() >= now.as_second() + closes,
        "held only once the window closed"
    );
    assert!(
        waiting["waiting"]
            .as_str()
            .unwrap()
            .starts_with("outside window daily"),
        "{waiting}"
    );
    let text = stdout(&e.run(&["queue"]).await);
    assert!(
        text.contains("waiting") && text.contains("outside window"),
        "{text}"
    );
    let during_hold = settled_bytes(&e.hub).await;
    assert!(during_hold < SIZE, "the window closed before the end");
    if Timestamp::now().as_second() < now.as_second() + opens - 1 {
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(
            e.hub.faults().body_bytes_sent(),
            during_hold,
            "nothing flows while held"
        );
    }

    wait_for("the download to go on in the next window", 60, || async {
        (e.hub.faults().body_bytes_sent() > during_hold).then_some(())
    })
    .await;
    assert!(
        Timestamp::now().as_second() >= now.as_second() + opens,
        "it went on only once the next window opened"
    );
    let done = wait_for("the download to finish", 90, || async {
        let job = e.job(job_id).await;
        (job["state"] == "done").then_some(job)
    })
    .await;
    assert!(done["bytes_total"].as_u64() > Some(SIZE), "{done}");
    let blob = e
        .cache()
        .join("models--org--big/blobs")
        .join(weights.etag());
    assert_eq!(sha256_of(&blob), weights.etag());
    assert!(
        e.hub.faults().body_bytes_sent() < SIZE + SIZE / 4,
        "the held download continued rather than starting over"
    );
    assert!(daemon.stop().await.success());
}

#[tokio::test]
async fn sigterm_mid_download_and_a_restart_finish_the_file_without_fetching_it_twice() {
    const SIZE: u64 = 40 << 20;
    let weights = FileSpec::lfs_generated(SIZE, 47);
    let mut e = Env::start(
        FakeHub::builder()
            .repo(model("org/big", weights.clone()))
            .faults(throttled(2 << 20)),
    )
    .await;
    e.var("HAUL_CONNECTIONS_PER_FILE", "4");
    let daemon = e.daemon().await;
    let queued = e.json(&["download", "org/big", "--queue", "--json"]).await;
    let id = queued["job"].as_i64().unwrap();
    assert_eq!(queued["service_running"], true);
    wait_for("a third of the file", 60, || async {
        let job = e.job(id).await;
        (job["bytes_done"].as_u64().unwrap_or(0) > SIZE / 3).then_some(())
    })
    .await;
    assert!(daemon.stop().await.success(), "a clean stop exits 0");
    let job = e.job(id).await;
    assert_eq!(job["state"], "queued", "back in the queue: {job}");
    let sent_before = settled_bytes(&e.hub).await;
    assert!(sent_before < SIZE, "stopped before the end");

    let daemon = e.daemon().await;
    wait_for("the restarted daemon to finish the job", 120, || async {
        (e.job(id).await["state"] == "done").then_some(())
    })
    .await;
    let blob = e
        .cache()
        .join("models--org--big/blobs")
        .join(weights.etag());
    assert_eq!(sha256_of(&blob), weights.etag(), "complete and verified");
    let served = e.hub.faults().body_bytes_sent();
    assert!(
        served * 10 < SIZE * 12,
        "{served} bytes served for a {SIZE}-byte file: the restart continued where it stopped"
    );
    assert!(daemon.stop().await.success());
}

#[tokio::test]
async fn the_queue_runs_by_priority_one_at_a_time_skipping_paused_and_cancelled_jobs() {
    let file = FileSpec::lfs_generated(3 << 20, 53);
    let mut builder = FakeHub::builder().faults(throttled(2 << 20));
    for name in ["low", "high", "middle", "paused", "cancelled"] {
        builder = builder.repo(model(&format!("org/{name}"), file.clone()));
    }
    let mut e = Env::start(builder).await;
    e.var("HAUL_MAX_JOBS", "1");

    // No service yet: queued jobs wait, and the command says so.
    let mut ids = std::collections::HashMap::new();
    for (name, priority) in [
        ("low", "0"),
        ("high", "5"),
        ("middle", "1"),
        ("paused", "9"),
        ("cancelled", "9"),
    ] {
        let out = e
            .run(&[
                "download",
                &format!("org/{name}"),
                "--queue",
                "--priority",
                priority,
            ])
            .await;
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(
            stderr(&out).contains("No Haul service is running"),
            "{}",
            stderr(&out)
        );
        let id: i64 = stdout(&out).trim().parse().unwrap();
        ids.insert(name, id);
    }
    assert!(
        e.run(&["pause", &ids["paused"].to_string()])
            .await
            .status
            .success()
    );
    assert!(
        e.run(&["cancel", &ids["cancelled"].to_string()])
            .await
            .status
            .success()
    );
    let text = stdout(&e.run(&["queue"]).await);
    assert!(text.contains("PRIO") && text.contains("queued"), "{text}");
    // Changed while queued: "low" goes from 0 to -1 (still last).
    let changed = e
        .json(&["priority", &ids["low"].to_string(), "-1", "--json"])
        .await;
    assert_eq!(changed["priority"], -1);

    let daemon = e.daemon().await;
    let mut most_at_once = 0;
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    loop {
        let jobs = e.jobs().await;
        let running = jobs.iter().filter(|j| j["state"] == "running").count();
        most_at_once = most_at_once.max(running);
        if jobs.iter().filter(|j| j["state"] == "done").count() == 3 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the queued jobs did not finish: {jobs:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(most_at_once, 1, "max_jobs 1: one at a time");
    let mut finished = Vec::new();
    for name in ["high", "middle", "low"] {
        finished.push(e.job(ids[name]).await["updated_at"].as_i64().unwrap());
    }
    let (high, middle, low) = (finished[0], finished[1], finished[2]);
    assert!(high < middle && middle < low, "{high} {middle} {low}");
    assert_eq!(e.job(ids["paused"]).await["state"], "paused");
    assert_eq!(e.job(ids["cancelled"]).await["state"], "cancelled");
    assert!(
        e.snapshots("org/cancelled").is_empty() && e.snapshots("org/paused").is_empty(),
        "neither ran"
    );

    // Resumed, the paused job goes back to the queue and runs.
    assert!(
        e.run(&["resume", &ids["paused"].to_string()])
            .await
            .status
            .success()
    );
    wait_for("the resumed job to run", 60, || async {
        (e.job(ids["paused"]).await["state"] == "done").then_some(())
    })
    .await;
    // A cancelled job can be retried.
    let retried = e
        .json(&["retry", &ids["cancelled"].to_string(), "--json"])
        .await;
    assert_eq!(retried["state"], "queued");
    wait_for("the retried job to run", 60, || async {
        (e.job(ids["cancelled"]).await["state"] == "done").then_some(())
    })
    .await;
    let out = e.run(&["retry", &ids["high"].to_string()]).await;
    assert_eq!(out.status.code(), Some(3), "a done job is not retried");
    assert!(daemon.stop().await.success());
}

#[tokio::test]
async fn a_schedule_never_runs_twice_at_once_across_processes() {
    const SIZE: u64 = 24 << 20;
    let e = Env::start(
        FakeHub::builder()
            .repo(model("org/big", FileSpec::lfs_generated(SIZE, 59)))
            .faults(throttled(1 << 20)),
    )
    .await;
    let daemon = e.daemon().await;
    let added = e
        .json(&["schedule", "add", "org/big", "--every", "1d", "--json"])
        .await;
    let id = added["id"].to_string();
    assert!(e.run(&["schedule", "run-now", &id]).await.status.success());
    wait_for("the daemon to run the schedule", 30, || async {
        e.jobs()
            .await
            .into_iter()
            .find(|j| j["shown_state"] == "running")
    })
    .await;
    let here = e.run(&["schedule", "run-now", &id, "--here"]).await;
    assert_eq!(here.status.code(), Some(11), "{}", stderr(&here));
    assert!(
        stderr(&here).contains(&format!(
            "schedule {id} is running now (process {})",
            daemon.pid
        )),
        "{}",
        stderr(&here)
    );
    let jobs: Vec<Value> = e.jobs().await;
    assert_eq!(jobs.len(), 1, "one run only: {jobs:?}");
    assert!(daemon.stop().await.success());
    // The daemon's claim ended with it: now the schedule runs here.
    e.hub.faults().clear();
    let ran = e
        .json(&["schedule", "run-now", &id, "--here", "--json"])
        .await;
    assert_eq!(ran["result"], "ok", "{ran}");
}
