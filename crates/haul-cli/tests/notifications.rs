//! Desktop notifications of `haul download --notify` and of `haul daemon` (a schedule skipped because
//! of an error, an update waiting for its window), as a real notification daemon receives them:
//! `scripts/with-notifications.sh` runs dunst on a private session bus and records every
//! org.freedesktop.Notifications call with dbus-monitor; these tests run the real binary against a
//! loopback fakehub and read that record.

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

use fakehub::{CommitSpec, CorruptFault, FakeHub, FaultState, FileSpec, RepoSpec, RunningHub};
use tempfile::TempDir;

/// The dbus-monitor log of `scripts/with-notifications.sh`; fails (never skips) outside it.
fn require_notification_daemon() -> PathBuf {
    match (
        std::env::var_os("HAUL_TEST_NOTIFICATIONS"),
        std::env::var_os("HAUL_TEST_DBUS_LOG"),
    ) {
        (Some(_), Some(log)) => PathBuf::from(log),
        _ => panic!(
            "this test needs a real notification daemon: run it through the script that starts one, \
             e.g. `scripts/with-notifications.sh cargo test -p haul-cli --test notifications` \
             (scripts/test.sh does this)"
        ),
    }
}

fn repo(id: &str, file: &str) -> RepoSpec {
    RepoSpec::model(id).commit(
        CommitSpec::new()
            .file("config.json", FileSpec::regular("{}\n"))
            .file(file, FileSpec::lfs_generated(300_000, 9)),
    )
}

struct Env {
    hub: RunningHub,
    home: TempDir,
}

impl Env {
    async fn start() -> Env {
        let hub = FakeHub::builder()
            .repo(repo("notify/plain", "weights.bin"))
            .repo(repo("notify/quiet", "weights.bin"))
            .repo(repo("notify/ok", "weights.bin"))
            .repo(repo("notify/broken", "broken.bin"))
            .repo(repo("notify/sync", "weights.bin"))
            .faults(FaultState {
                // Every body of broken.bin has a flipped byte: its download fails the hash check.
                corrupt: Some(CorruptFault {
                    offset: 1000,
                    times: u32::MAX,
                    path_suffix: Some("broken.bin".into()),
                }),
                ..Default::default()
            })
            .start()
            .await
            .expect("fakehub");
        Env {
            hub,
            home: tempfile::tempdir().expect("tempdir"),
        }
    }

    async fn haul(&self, args: &[&str], vars: &[(&str, &str)]) -> Output {
        self.command(args, vars).output().await.expect("run haul")
    }

    fn command(&self, args: &[&str], vars: &[(&str, &str)]) -> tokio::process::Command {
        let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_haul"));
        command
            .args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.home.path())
            .env("HF_HOME", self.home.path().join("hf"))
            .env("HF_ENDPOINT", self.hub.url())
            .env("HAUL_RETRY_DELAY_MS", "20")
            .env("HAUL_RETRIES", "2");
        if let Some(bus) = std::env::var_os("DBUS_SESSION_BUS_ADDRESS") {
            command.env("DBUS_SESSION_BUS_ADDRESS", bus);
        }
        for (k, v) in vars {
            command.env(k, v);
        }
        command
            .stdin(std::process::Stdio::null())
            .kill_on_drop(true);
        command
    }
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// One `Notify` method call as dbus-monitor printed it.
#[derive(Debug, Default, Clone)]
struct NotifyCall {
    app_name: String,
    summary: String,
    body: String,
    actions: Vec<String>,
    category: Option<String>,
}

/// The `Notify` calls in a dbus-monitor log. Each message starts at column 0; its arguments are
/// indented three spaces, the items of an array or dict six and more. Strings are printed raw in
/// double quotes (ours are one line each).
fn notify_calls(log: &str) -> Vec<NotifyCall> {
    let mut calls = Vec::new();
    let mut lines = log.lines().peekable();
    while let Some(line) = lines.next() {
        if !(line.starts_with("method call") && line.ends_with("member=Notify")) {
            continue;
        }
        let mut top = Vec::new();
        let mut arrays: Vec<Vec<String>> = Vec::new();
        while let Some(arg) = lines.next_if(|l| l.starts_with(' ')) {
            if let Some(text) = arg.strip_prefix("   string \"") {
                top.push(text.trim_end_matches('"').to_string());
            } else if arg.starts_with("   array [") {
                arrays.push(Vec::new());
            } else if let Some(text) = arg.trim_start().strip_prefix("string \"")
                && let Some(items) = arrays.last_mut()
            {
                items.push(text.trim_end_matches('"').to_string());
            } else if let Some(text) = arg.trim_start().strip_prefix("variant") {
                let value = text
                    .trim()
                    .trim_start_matches("string \"")
                    .trim_end_matches('"');
                if let Some(items) = arrays.last_mut() {
                    items.push(value.to_string());
                }
            }
        }
        // app_name, app_icon, summary, body; then the actions array and the hints dict.
        let get = |i: usize| top.get(i).cloned().unwrap_or_default();
        let hints = arrays.get(1).cloned().unwrap_or_default();
        calls.push(NotifyCall {
            app_name: get(0),
            summary: get(2),
            body: get(3),
            actions: arrays.first().cloned().unwrap_or_default(),
            category: hints
                .iter()
                .position(|k| k == "category")
                .and_then(|i| hints.get(i + 1).cloned()),
        });
    }
    calls
}

/// Waits (a few seconds at most) until the log holds a Notify call for every summary in `wanted`.
async fn wait_for(log: &Path, wanted: &[&str]) -> Vec<NotifyCall> {
    wait_for_within(log, wanted, 10).await
}

async fn wait_for_within(log: &Path, wanted: &[&str], secs: u64) -> Vec<NotifyCall> {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        let calls = notify_calls(&text);
        if wanted.iter().all(|w| calls.iter().any(|c| c.summary == *w)) {
            return calls;
        }
        assert!(
            Instant::now() < deadline,
            "the notification daemon never got {wanted:?}; the D-Bus log holds:\n{text}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn finished_and_failed_downloads_reach_the_notification_daemon() {
    let log = require_notification_daemon();
    let e = Env::start().await;

    // Without --notify, an interactive download shows nothing; with the kind switched off, neither.
    let plain = e.haul(&["download", "notify/plain"], &[]).await;
    assert!(plain.status.success(), "{}", stderr(&plain));
    let quiet = e
        .haul(
            &["download", "notify/quiet", "--notify"],
            &[("HAUL_NOTIFY_FINISHED", "false")],
        )
        .await;
    assert!(quiet.status.success(), "{}", stderr(&quiet));

    let ok = e.haul(&["download", "notify/ok", "--notify"], &[]).await;
    assert!(ok.status.success(), "{}", stderr(&ok));
    let snapshot = String::from_utf8_lossy(&ok.stdout).trim().to_string();
    let broken = e
        .haul(&["download", "notify/broken", "--notify"], &[])
        .await;
    assert_eq!(broken.status.code(), Some(6), "{}", stderr(&broken));
    let missing = e
        .haul(&["download", "notify/missing", "--notify"], &[])
        .await;
    assert_eq!(missing.status.code(), Some(3), "{}", stderr(&missing));

    let calls = wait_for(
        &log,
        &[
            "Downloaded notify/ok",
            "Download of notify/broken failed",
            "Download of notify/missing failed",
        ],
    )
    .await;
    let call = |summary: &str| {
        let found: Vec<&NotifyCall> = calls.iter().filter(|c| c.summary == summary).collect();
        assert_eq!(found.len(), 1, "one {summary:?} in {calls:#?}");
        found[0].clone()
    };

    let finished = call("Downloaded notify/ok");
    assert_eq!(finished.app_name, "Haul");
    // 300,000 + 3 bytes, and how long it took.
    assert!(
        finished.body.starts_with("293.0 KiB in ") && finished.body.ends_with('s'),
        "{finished:?}"
    );
    assert_eq!(finished.category.as_deref(), Some("transfer.complete"));
    // dunst advertises the "actions" capability: the notification offers to open the snapshot.
    assert_eq!(
        finished.actions,
        ["open-folder", "Open folder"],
        "{finished:?}"
    );
    assert!(
        snapshot.contains("models--notify--ok/snapshots/"),
        "{snapshot}"
    );

    // The failures carry the reason the command printed.
    for (summary, out) in [
        ("Download of notify/broken failed", &broken),
        ("Download of notify/missing failed", &missing),
    ] {
        let failed = call(summary);
        assert_eq!(
            (failed.app_name.as_str(), failed.category.as_deref()),
            ("Haul", Some("transfer.error"))
        );
        assert!(failed.actions.is_empty(), "{failed:?}");
        let printed = stderr(out);
        let reason = printed
            .lines()
            .find_map(|l| l.strip_prefix("error: "))
            .unwrap_or_else(|| panic!("no error line: {printed}"));
        match failed.body.strip_suffix('…') {
            Some(start) => assert!(reason.starts_with(start), "{failed:?} vs {reason}"),
            None => assert_eq!(failed.body, reason),
        }
    }
    assert!(
        call("Download of notify/broken failed")
            .body
            .contains("broken.bin")
    );
    assert!(
        call("Download of notify/missing failed")
            .body
            .contains("notify/missing")
    );

    // Nothing for the download without --notify, nor for the one whose kind is switched off: both
    // ran before the ones that arrived.
    assert!(
        !calls
            .iter()
            .any(|c| c.summary.contains("notify/plain") || c.summary.contains("notify/quiet")),
        "{calls:#?}"
    );
}

#[tokio::test]
async fn without_a_notification_daemon_the_download_still_succeeds() {
    let e = Env::start().await;
    let missing_bus = e.home.path().join("no-such-bus");
    let started = Instant::now();
    let out = e
        .haul(
            &["download", "notify/ok", "--notify"],
            &[(
                "DBUS_SESSION_BUS_ADDRESS",
                &format!("unix:path={}", missing_bus.display()),
            )],
        )
        .await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("models--notify--ok/snapshots/"),
        "the path is printed as usual"
    );
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "it did not wait long for a bus that is not there: {:?}",
        started.elapsed()
    );
    // At most one warning, and no panic.
    let err = stderr(&out);
    assert!(!err.contains("panicked"), "{err}");
    assert!(err.matches("WARN").count() <= 1, "{err}");
    if err.contains("WARN") {
        assert!(err.contains("notification"), "{err}");
    }
}

/// `daily HH:MM-HH:MM`, on the UTC clock, half a day away from now: closed for the whole test.
fn closed_window() -> String {
    let now = jiff::Timestamp::now().as_second();
    let at = |offset: i64| {
        let s = (now + offset).rem_euclid(86_400);
        format!("{:02}:{:02}", s / 3600, s / 60 % 60)
    };
    format!("daily {}-{}", at(12 * 3600), at(13 * 3600))
}

#[tokio::test]
async fn the_service_announces_a_skipped_schedule_and_an_update_waiting_for_its_window() {
    let log = require_notification_daemon();
    let e = Env::start().await;
    let haul_home = e.home.path().join("haul");
    let haul_home = haul_home.to_string_lossy().into_owned();
    let vars = [("HAUL_HOME", haul_home.as_str()), ("TZ", "UTC0")];
    let json = |out: Output| -> serde_json::Value {
        assert!(out.status.success(), "{}", stderr(&out));
        serde_json::from_slice(&out.stdout).expect("JSON")
    };

    let missing = json(
        e.haul(
            &[
                "schedule",
                "add",
                "notify/missing",
                "--every",
                "1d",
                "--sync",
                "--name",
                "nightly-missing",
                "--json",
            ],
            &vars,
        )
        .await,
    );
    let window = closed_window();
    let sync = json(
        e.haul(
            &[
                "schedule",
                "add",
                "notify/sync",
                "--every",
                "1d",
                "--sync",
                "--window",
                &window,
                "--json",
            ],
            &vars,
        )
        .await,
    );
    let sync_id = sync["id"].to_string();
    // The first run, here and regardless of the window, downloads the first commit.
    let first = json(
        e.haul(
            &["schedule", "run-now", &sync_id, "--here", "--json"],
            &vars,
        )
        .await,
    );
    let old = first["commit"].as_str().unwrap().to_string();
    let new = e.hub.add_commit(
        fakehub::RepoType::Model,
        "notify/sync",
        "main",
        vec![("config.json".into(), FileSpec::regular("{\"v\": 2}\n"))],
        vec![],
    );

    let mut daemon = e
        .command(&["daemon"], &vars)
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("haul daemon");
    for id in [missing["id"].to_string(), sync_id] {
        let asked = e.haul(&["schedule", "run-now", &id], &vars).await;
        assert!(asked.status.success(), "{}", stderr(&asked));
    }
    let skipped = "Schedule 'nightly-missing' skipped";
    let update = "Update available for notify/sync";
    let calls = wait_for_within(&log, &[skipped, update], 60).await;
    let call = |summary: &str| {
        let found: Vec<&NotifyCall> = calls.iter().filter(|c| c.summary == summary).collect();
        assert_eq!(found.len(), 1, "one {summary:?} in {calls:#?}");
        found[0].clone()
    };
    let skipped = call(skipped);
    assert_eq!(skipped.app_name, "Haul");
    assert!(skipped.body.contains("notify/missing"), "{skipped:?}");
    let update = call(update);
    assert_eq!(
        update.body,
        format!(
            "new commit {} (you have {}); it downloads in the window ({})",
            &new[..10],
            &old[..10],
            window.replacen('-', "–", 1)
        ),
        "{update:?}"
    );
    if let Some(pid) = daemon.id() {
        let _ = std::process::Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status();
    }
    let _ = tokio::time::timeout(Duration::from_secs(30), daemon.wait()).await;
}
