//! A download survives what real Hubs, CDNs, mirrors and disks do: dropped and stalled connections,
//! 5xx and 429 answers, expired CDN links, ignored ranges, corrupted bytes, servers that are not
//! quite the Hub, unsafe file names, and full disks — and the token never reaches the CDN.

mod common;

use std::time::Duration;

use common::{Setup, SmallDisk, assert_cached, leftovers, plan_and_download};
use fakehub::{
    CommitSpec, CorruptFault, Countdown, FakeHub, FaultState, FileSpec, Gate, Listener,
    RateLimitFault, RepoSpec, RepoType, StatusFault,
};
use haul::{ErrorKind, Event};

const BIG: u64 = 1_200_000;

fn weights() -> FileSpec {
    FileSpec::lfs_generated(BIG, 42)
}

fn small() -> FileSpec {
    FileSpec::regular_generated(300_000, 9)
}

fn repo() -> RepoSpec {
    RepoSpec::model("org/m").commit(
        CommitSpec::new()
            .file("model.bin", weights())
            .file("data.txt", small()),
    )
}

async fn setup(faults: FaultState) -> Setup {
    Setup::new(FakeHub::builder().repo(repo()).faults(faults)).await
}

fn assert_complete(s: &Setup) {
    let commit = s.hub.commit_sha(RepoType::Model, "org/m", 0);
    assert_cached(
        &s.cache(),
        "models--org--m",
        &commit,
        "model.bin",
        &weights(),
    );
    assert_cached(&s.cache(), "models--org--m", &commit, "data.txt", &small());
    assert!(leftovers(&s.cache()).is_empty());
}

fn ranged_gets(s: &Setup) -> usize {
    s.hub
        .requests()
        .iter()
        .filter(|r| r.method == "GET" && r.range.as_deref().is_some_and(|r| r != "bytes=0-"))
        .count()
}

#[tokio::test]
async fn dropped_connections_resume_with_range() {
    let s = setup(FaultState {
        drop_after: Some(Countdown {
            bytes: 200_000,
            times: 2,
        }),
        ..Default::default()
    })
    .await;
    let haul = s.haul();
    plan_and_download(&haul, &s.request(&haul, "org/m"))
        .await
        .unwrap();
    assert_complete(&s);
    assert!(
        ranged_gets(&s) >= 2,
        "resumed from the last byte: {:?}",
        s.hub.requests()
    );
}

#[tokio::test]
async fn server_errors_and_rate_limits_are_retried() {
    let s = setup(FaultState {
        server_error: Some(StatusFault {
            status: 503,
            times: 2,
        }),
        ..Default::default()
    })
    .await;
    let haul = s.haul();
    plan_and_download(&haul, &s.request(&haul, "org/m"))
        .await
        .unwrap();
    assert_complete(&s);

    let s = setup(FaultState {
        rate_limit: Some(RateLimitFault {
            retry_after_secs: 1,
            times: 2,
        }),
        ..Default::default()
    })
    .await;
    let haul = s.haul();
    let started = std::time::Instant::now();
    plan_and_download(&haul, &s.request(&haul, "org/m"))
        .await
        .unwrap();
    assert_complete(&s);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After was honoured"
    );
}

#[tokio::test]
async fn persistent_server_errors_are_reported_after_retries() {
    let s = setup(FaultState {
        server_error: Some(StatusFault {
            status: 500,
            times: u32::MAX,
        }),
        ..Default::default()
    })
    .await;
    let haul = s.haul();
    let err = haul.plan(&s.request(&haul, "org/m")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Network);
    assert!(
        err.to_string().contains("500") && err.to_string().contains("attempts"),
        "{err}"
    );
    let tries = s
        .hub
        .requests()
        .iter()
        .filter(|r| r.path.starts_with("/api/"))
        .count();
    assert_eq!(
        tries as u32,
        haul.config().retries,
        "retried exactly the configured number of times"
    );
}

#[tokio::test]
async fn ignored_range_restarts_the_file_instead_of_appending() {
    let s = setup(FaultState {
        ignore_range: true,
        drop_after: Some(Countdown {
            bytes: 500_000,
            times: 1,
        }),
        ..Default::default()
    })
    .await;
    let haul = s.haul();
    plan_and_download(&haul, &s.request(&haul, "org/m"))
        .await
        .unwrap();
    assert_complete(&s);
}

#[tokio::test]
async fn expired_cdn_link_is_resolved_again() {
    let s = setup(FaultState {
        bandwidth_per_conn: Some(1_000_000),
        drop_after: Some(Countdown {
            bytes: 700_000,
            times: 1,
        }),
        ..Default::default()
    })
    .await;
    let haul = s.haul();
    let mut events = haul.subscribe();
    let hub = s.hub.clone();
    let expirer = tokio::spawn(async move {
        // Expire the link once bytes flow, so the resume after the drop meets a 403.
        while let Ok(event) = events.recv().await {
            if let Event::Progress(p) = event
                && p.bytes_done > 0
            {
                hub.faults().expire_cdn_urls();
                return true;
            }
        }
        false
    });
    let mut request = s.request(&haul, "org/m");
    request.files = vec!["model.bin".into()];
    plan_and_download(&haul, &request).await.unwrap();
    assert!(expirer.await.unwrap());
    let commit = s.hub.commit_sha(RepoType::Model, "org/m", 0);
    assert_cached(
        &s.cache(),
        "models--org--m",
        &commit,
        "model.bin",
        &weights(),
    );
    let resolves = s
        .hub
        .requests()
        .iter()
        .filter(|r| r.listener == Listener::Hub && r.path.contains("/resolve/"))
        .count();
    assert!(
        resolves >= 2,
        "the expired link was replaced by a fresh resolve ({resolves} resolves)"
    );
}

#[tokio::test]
async fn a_corrupted_byte_is_refetched_and_a_persistent_one_reported() {
    let once = CorruptFault {
        offset: 123_456,
        times: 1,
        path_suffix: Some("model.bin".into()),
    };
    let s = setup(FaultState {
        corrupt: Some(once),
        ..Default::default()
    })
    .await;
    let haul = s.haul();
    plan_and_download(&haul, &s.request(&haul, "org/m"))
        .await
        .unwrap();
    assert_complete(&s);

    let always = CorruptFault {
        offset: 10,
        times: u32::MAX,
        path_suffix: Some("model.bin".into()),
    };
    let s = setup(FaultState {
        corrupt: Some(always),
        ..Default::default()
    })
    .await;
    let haul = s.haul();
    let err = plan_and_download(&haul, &s.request(&haul, "org/m"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Integrity);
    assert!(
        err.to_string().contains("model.bin") && err.to_string().contains("corrupted"),
        "{err}"
    );
    let blobs = s.cache().join("models--org--m/blobs");
    assert!(
        !blobs.join(weights().etag()).exists(),
        "a corrupt file never becomes a blob"
    );
    assert!(
        blobs.join(small().etag()).exists(),
        "the healthy file was kept"
    );
    assert!(leftovers(&s.cache()).is_empty());
}

#[tokio::test]
async fn a_stalled_connection_is_dropped_and_resumed() {
    let s = setup(FaultState {
        stall_after: Some(Countdown {
            bytes: 100_000,
            times: 1,
        }),
        ..Default::default()
    })
    .await;
    let haul = s.haul(); // read timeout: 2 s
    plan_and_download(&haul, &s.request(&haul, "org/m"))
        .await
        .unwrap();
    assert_complete(&s);
    assert!(ranged_gets(&s) >= 1);
}

#[tokio::test]
async fn mirrors_without_redirects_lengths_or_ranges_still_verify() {
    let s = setup(FaultState {
        lfs_direct: true,
        chunked: true,
        head_delay_ms: 1500,
        ignore_range: true,
        drop_after: Some(Countdown {
            bytes: 400_000,
            times: 1,
        }),
        ..Default::default()
    })
    .await;
    let haul = s.haul();
    plan_and_download(&haul, &s.request(&haul, "org/m"))
        .await
        .unwrap();
    assert_complete(&s);
    assert!(
        s.hub.requests().iter().all(|r| r.listener == Listener::Hub),
        "a mirror serves everything itself"
    );
}

#[tokio::test]
async fn the_token_goes_to_the_hub_and_never_to_the_cdn() {
    let spec = repo().gated(Gate::Manual).approve("alice");
    let s = Setup::new(FakeHub::builder().user("alice", "hf_alice").repo(spec)).await;
    let haul = s.haul_with_token("hf_alice");
    plan_and_download(&haul, &s.request(&haul, "org/m"))
        .await
        .unwrap();
    assert_complete(&s);
    let requests = s.hub.requests();
    let cdn: Vec<_> = requests
        .iter()
        .filter(|r| r.listener == Listener::Cdn)
        .collect();
    assert!(!cdn.is_empty(), "the LFS file came from the CDN");
    assert!(
        cdn.iter().all(|r| r.authorization.is_none()),
        "Authorization leaked to the CDN: {cdn:?}"
    );
    assert!(
        requests
            .iter()
            .filter(|r| r.listener == Listener::Hub)
            .all(|r| r.authorization.as_deref() == Some("Bearer hf_alice"))
    );
}

#[tokio::test]
async fn unsafe_names_from_the_hub_are_refused() {
    for evil in ["../escape.txt", "/etc/evil.txt", "a/../../b.txt"] {
        let spec = RepoSpec::model("org/evil").commit(
            CommitSpec::new()
                .file("ok.txt", FileSpec::regular("ok"))
                .file(evil, FileSpec::regular("x")),
        );
        let s = Setup::new(FakeHub::builder().repo(spec)).await;
        let haul = s.haul();
        let err = plan_and_download(&haul, &s.request(&haul, "org/evil"))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Integrity, "{evil}: {err}");
        assert!(
            err.to_string().contains("unsafe") || err.to_string().contains("will not write"),
            "{err}"
        );
        assert!(
            !s.cache().join("models--org--evil").exists(),
            "nothing was written for {evil}"
        );
        assert!(!s.home.path().join("escape.txt").exists());
    }
}

#[tokio::test]
async fn too_little_space_is_refused_before_starting() {
    let disk = SmallDisk::new(1_000_000);
    let s = setup(FaultState::default()).await;
    let haul = s.haul();
    let mut request = s.request(&haul, "org/m");
    request.destination = haul::Destination::CacheDir(disk.path().to_path_buf());
    let err = plan_and_download(&haul, &request).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Disk);
    assert!(
        err.to_string().contains("not enough free space") && err.to_string().contains("short"),
        "{err}"
    );
    assert!(
        s.hub
            .requests()
            .iter()
            .all(|r| !r.path.contains("/resolve/")),
        "nothing was fetched"
    );
}

#[tokio::test]
async fn a_disk_that_fills_up_midway_leaves_no_half_written_blob() {
    let disk = SmallDisk::new(2_000_000);
    let s = setup(FaultState {
        bandwidth_per_conn: Some(2_000_000),
        ..Default::default()
    })
    .await;
    let haul = s.haul();
    let mut request = s.request(&haul, "org/m");
    request.files = vec!["model.bin".into()];
    request.destination = haul::Destination::CacheDir(disk.path().to_path_buf());
    let mut events = haul.subscribe();
    let filler = disk.path().join("someone-else.bin");
    let filler_task = filler.clone();
    let fill = tokio::spawn(async move {
        // Another program takes the space once our download is under way.
        while let Ok(event) = events.recv().await {
            if let Event::Progress(p) = event
                && p.bytes_done > 0
            {
                let _ = std::fs::write(&filler_task, vec![1u8; 1_500_000]);
                return;
            }
        }
    });
    let err = plan_and_download(&haul, &request).await.unwrap_err();
    fill.await.unwrap();
    assert_eq!(err.kind(), ErrorKind::Disk, "{err}");
    assert!(err.to_string().contains("disk is full"), "{err}");
    let blobs = disk.path().join("models--org--m/blobs");
    assert!(!blobs.join(weights().etag()).exists());
    assert!(
        leftovers(disk.path()).is_empty(),
        "the partial file was removed to give the space back"
    );
}

#[tokio::test]
async fn requests_are_paced_to_the_hubs_quota() {
    // 150 small files, against a quota of 60 requests per 2-second window: unpaced, the burst would
    // run into 429s; paced by the RateLimit headers, it never does.
    let mut commit = CommitSpec::new();
    for i in 0..150 {
        commit = commit.file(
            &format!("shards/{i:04}.json"),
            FileSpec::regular(format!("{{\"shard\": {i}}}\n")),
        );
    }
    let s = Setup::new(
        FakeHub::builder()
            .repo(RepoSpec::model("org/many").commit(commit))
            .faults(FaultState {
                quota: Some(fakehub::QuotaFault {
                    requests: 60,
                    window_secs: 2,
                }),
                ..Default::default()
            }),
    )
    .await;
    let haul = s.haul();
    let (_, report) = plan_and_download(&haul, &s.request(&haul, "org/many"))
        .await
        .unwrap();
    assert_eq!(report.files_fetched, 150);
    assert_eq!(
        s.hub.faults().quota_refusals(),
        0,
        "the pacing kept every request within the quota"
    );
}
