//! The transfer engine on large files: parallel byte ranges into one file, faults survived per range,
//! fallback when ranges are ignored, and resume from a previous run's checkpoint.

mod common;

use std::time::Duration;

use common::{Setup, assert_cached, leftovers};
use fakehub::{
    CommitSpec, CorruptFault, Countdown, FakeHub, FaultState, FileSpec, Listener, RepoSpec,
    RepoType,
};
use haul::Event;

const SIZE: u64 = 40 << 20;

fn big() -> FileSpec {
    FileSpec::lfs_generated(SIZE, 77)
}

fn repo() -> RepoSpec {
    RepoSpec::model("org/big").commit(
        CommitSpec::new()
            .file("model.safetensors", big())
            .file("config.json", FileSpec::regular("{}")),
    )
}

async fn setup(faults: FaultState) -> Setup {
    Setup::new(FakeHub::builder().repo(repo()).faults(faults)).await
}

fn assert_done(s: &Setup) {
    let commit = s.hub.commit_sha(RepoType::Model, "org/big", 0);
    assert_cached(
        &s.cache(),
        "models--org--big",
        &commit,
        "model.safetensors",
        &big(),
    );
    let partials = leftovers(&s.cache());
    assert!(partials.is_empty(), "{partials:?}");
    let blobs = s.cache().join("models--org--big/blobs");
    let names: Vec<_> = std::fs::read_dir(&blobs)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names.iter().all(|n| !n.contains(".progress")),
        "progress records are removed: {names:?}"
    );
}

async fn download(s: &Setup, connections: usize) -> haul::DownloadReport {
    let haul = s.haul();
    let mut options = haul.transfer_options();
    options.connections_per_file = connections;
    let plan = haul.plan(&s.request(&haul, "org/big")).await.unwrap();
    haul.download(&plan, &options).await.unwrap()
}

fn cdn_ranges(s: &Setup) -> Vec<String> {
    s.hub
        .requests()
        .into_iter()
        .filter(|r| r.listener == Listener::Cdn)
        .filter_map(|r| r.range)
        .collect()
}

#[tokio::test]
async fn a_large_file_arrives_over_parallel_ranges() {
    let s = setup(FaultState::default()).await;
    download(&s, 4).await;
    assert_done(&s);
    let ranges = cdn_ranges(&s);
    assert!(
        ranges.len() >= 4,
        "one range request per connection at least: {ranges:?}"
    );
    assert!(
        ranges.iter().any(|r| r.starts_with("bytes=0-"))
            && ranges.iter().any(|r| !r.starts_with("bytes=0-"))
    );
    assert!(
        s.hub.faults().body_bytes_sent() <= SIZE + SIZE / 20,
        "no range fetched twice: {}",
        s.hub.faults().body_bytes_sent()
    );
}

#[tokio::test]
async fn ranges_survive_drops_stalls_and_a_corrupt_byte() {
    let s = setup(FaultState {
        drop_after: Some(Countdown {
            bytes: 3 << 20,
            times: 3,
        }),
        stall_after: Some(Countdown {
            bytes: 1 << 20,
            times: 1,
        }),
        ..Default::default()
    })
    .await;
    download(&s, 4).await;
    assert_done(&s);

    let s = setup(FaultState {
        corrupt: Some(CorruptFault {
            offset: 30 << 20,
            times: 1,
            path_suffix: Some("model.safetensors".into()),
        }),
        ..Default::default()
    })
    .await;
    download(&s, 4).await;
    assert_done(&s);
}

#[tokio::test]
async fn a_server_that_ignores_ranges_gets_one_connection() {
    let s = setup(FaultState {
        ignore_range: true,
        lfs_direct: true,
        chunked: true,
        ..Default::default()
    })
    .await;
    download(&s, 4).await;
    assert_done(&s);
    let sent = s.hub.faults().body_bytes_sent();
    assert!(
        sent < 3 * SIZE,
        "the whole-body answers are not fetched over and over: {sent}"
    );
}

#[tokio::test]
async fn an_expired_link_mid_range_is_resolved_again() {
    let s = setup(FaultState {
        bandwidth_per_conn: Some(8 << 20),
        drop_after: Some(Countdown {
            bytes: 2 << 20,
            times: 2,
        }),
        ..Default::default()
    })
    .await;
    let haul = s.haul();
    let mut events = haul.subscribe();
    let hub = s.hub.clone();
    tokio::spawn(async move {
        while let Ok(event) = events.recv().await {
            if let Event::Progress(p) = event
                && p.bytes_done > 0
            {
                hub.faults().expire_cdn_urls();
                return;
            }
        }
    });
    let plan = haul.plan(&s.request(&haul, "org/big")).await.unwrap();
    haul.download(&plan, &haul.transfer_options())
        .await
        .unwrap();
    assert_done(&s);
    let resolves = s
        .hub
        .requests()
        .iter()
        .filter(|r| r.listener == Listener::Hub && r.path.ends_with("model.safetensors"))
        .count();
    assert!(resolves >= 2, "{resolves}");
}

#[tokio::test]
async fn an_interrupted_download_resumes_from_its_checkpoint() {
    let s = setup(FaultState {
        bandwidth_per_conn: Some(4 << 20),
        ..Default::default()
    })
    .await;
    let haul = s.haul();
    let plan = haul.plan(&s.request(&haul, "org/big")).await.unwrap();
    let options = haul.transfer_options();
    let first = haul.download(&plan, &options);
    // Stop the first run (as a crash would) once its checkpoint on disk covers a third of the file.
    let partial = s
        .cache()
        .join("models--org--big/blobs")
        .join(format!("{}.incomplete", big().etag()));
    let record = haul::transfer::progress_record_path(&partial);
    let interrupted = tokio::time::timeout(Duration::from_secs(60), async {
        tokio::select! {
            _ = first => false,
            _ = async {
                loop {
                    let covered = std::fs::read(&record)
                        .ok()
                        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
                        .and_then(|v| v["done"].as_array().map(|r| r.iter().map(|x| x[1].as_u64().unwrap_or(0) - x[0].as_u64().unwrap_or(0)).sum::<u64>()))
                        .unwrap_or(0);
                    if covered > SIZE / 3 {
                        return;
                    }
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            } => true,
        }
    })
    .await
    .unwrap();
    assert!(interrupted);
    assert!(partial.exists() && haul::transfer::progress_record_path(&partial).exists());
    // Let the server notice the first run's connections are gone before counting what it sent.
    tokio::time::sleep(Duration::from_millis(800)).await;
    let sent_first = s.hub.faults().body_bytes_sent();

    s.hub.faults().clear();
    let report = common::plan_and_download(&haul, &s.request(&haul, "org/big"))
        .await
        .unwrap()
        .1;
    assert_eq!(report.files_fetched, 1, "config.json was already there");
    assert_done(&s);
    let sent_second = s.hub.faults().body_bytes_sent() - sent_first;
    assert!(
        sent_second < SIZE - SIZE / 4,
        "the second run fetched only what was missing: {sent_second} of {SIZE}"
    );
    assert!(
        sent_first + sent_second < SIZE + SIZE / 10,
        "in all {} for {SIZE}",
        sent_first + sent_second
    );
}

#[tokio::test]
async fn a_foreign_partial_file_is_not_trusted() {
    let s = setup(FaultState::default()).await;
    let blobs = s.cache().join("models--org--big/blobs");
    std::fs::create_dir_all(&blobs).unwrap();
    // Another tool's partial file of the same name, full of zeros and with no progress record.
    std::fs::write(
        blobs.join(format!("{}.incomplete", big().etag())),
        vec![0u8; SIZE as usize],
    )
    .unwrap();
    download(&s, 4).await;
    assert_done(&s);
}

#[tokio::test]
async fn a_full_disk_pauses_a_large_file_and_space_lets_it_continue() {
    let disk = common::SmallDisk::new(48 << 20);
    let s = setup(FaultState {
        bandwidth_per_conn: Some(4 << 20),
        ..Default::default()
    })
    .await;
    let haul = s.haul();
    let mut request = s.request(&haul, "org/big");
    request.files = vec!["model.safetensors".into()];
    request.destination = haul::Destination::CacheDir(disk.path().to_path_buf());
    let mut events = haul.subscribe();
    let filler = disk.path().join("someone-else.bin");
    let filler_task = filler.clone();
    let fill = tokio::spawn(async move {
        while let Ok(event) = events.recv().await {
            if let Event::Progress(p) = event
                && p.bytes_done > 4 << 20
            {
                // Another program takes the space while the download runs.
                let _ = std::fs::write(&filler_task, vec![1u8; 20 << 20]);
                return;
            }
        }
    });
    let err = common::plan_and_download(&haul, &request)
        .await
        .unwrap_err();
    fill.await.unwrap();
    assert_eq!(err.kind(), haul::ErrorKind::Disk, "{err}");
    assert!(
        err.to_string().contains("disk is full") && err.to_string().contains("continue"),
        "{err}"
    );
    let blobs = disk.path().join("models--org--big/blobs");
    assert!(!blobs.join(big().etag()).exists(), "no half-written blob");
    let partial = blobs.join(format!("{}.incomplete", big().etag()));
    assert!(
        haul::transfer::progress_record_path(&partial).exists(),
        "the landed ranges are kept"
    );

    std::fs::remove_file(&filler).unwrap();
    s.hub.faults().clear();
    let before = s.hub.faults().body_bytes_sent();
    common::plan_and_download(&haul, &request).await.unwrap();
    let commit = s.hub.commit_sha(RepoType::Model, "org/big", 0);
    assert_cached(
        disk.path(),
        "models--org--big",
        &commit,
        "model.safetensors",
        &big(),
    );
    assert!(
        s.hub.faults().body_bytes_sent() - before < SIZE,
        "the second run continued rather than restarted"
    );
}
