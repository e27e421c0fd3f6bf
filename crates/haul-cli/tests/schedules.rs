//! `haul schedule …` and `haul limits …` run as a user runs them: schedules stored, listed with their
//! next runs, edited, paused, resumed and removed; bandwidth rules; and `run-now --here` against an
//! in-process fakehub, where a sync schedule fetches only when the branch moved and `--keep 1` leaves
//! one revision in the cache.
//!
//! The zone is pinned with `TZ` to a fixed UTC+3 rule (no tzdb needed, no DST), so run times are
//! exactly a day apart and read `… +03:00`.

use std::path::PathBuf;
use std::process::Output;

use fakehub::{CommitSpec, FakeHub, FileSpec, HubBuilder, RepoSpec, RepoType, RunningHub};
use serde_json::Value;
use tempfile::TempDir;

const ZONE: &str = "<+03>-3";

struct Env {
    hub: RunningHub,
    home: TempDir,
}

async fn env(builder: HubBuilder) -> Env {
    Env {
        hub: builder.start().await.expect("fakehub"),
        home: tempfile::tempdir().expect("tempdir"),
    }
}

fn weights() -> FileSpec {
    FileSpec::lfs_generated(300_000, 31)
}

fn model() -> RepoSpec {
    RepoSpec::model("org/m").commit(
        CommitSpec::new()
            .file("config.json", FileSpec::regular("{\"v\": 1}\n"))
            .file("weights.bin", weights()),
    )
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

impl Env {
    fn cache(&self) -> PathBuf {
        self.home.path().join("hf/hub")
    }

    fn snapshots(&self) -> Vec<String> {
        let mut names: Vec<String> =
            std::fs::read_dir(self.cache().join("models--org--m/snapshots"))
                .map(|entries| {
                    entries
                        .flatten()
                        .map(|e| e.file_name().to_string_lossy().into_owned())
                        .collect()
                })
                .unwrap_or_default();
        names.sort();
        names
    }

    async fn run(&self, args: &[&str]) -> Output {
        tokio::process::Command::new(env!("CARGO_BIN_EXE_haul"))
            .args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.home.path())
            .env("HF_HOME", self.home.path().join("hf"))
            .env("HAUL_HOME", self.home.path().join("haul"))
            .env("HF_ENDPOINT", self.hub.url())
            .env("HAUL_RETRY_DELAY_MS", "20")
            .env("HAUL_RETRIES", "2")
            .env("TZ", ZONE)
            .stdin(std::process::Stdio::null())
            .output()
            .await
            .expect("run haul")
    }

    async fn json(&self, args: &[&str]) -> Value {
        let out = self.run(args).await;
        assert!(
            out.status.success(),
            "haul {args:?} failed: {}",
            stderr(&out)
        );
        let text = stdout(&out);
        serde_json::from_str(text.trim())
            .unwrap_or_else(|e| panic!("{args:?} printed no JSON ({e}): {text}"))
    }

    /// Runs a command that must fail with `code`; returns its stderr.
    async fn fails(&self, args: &[&str], code: i32) -> String {
        let out = self.run(args).await;
        assert_eq!(
            out.status.code(),
            Some(code),
            "haul {args:?}: {}{}",
            stdout(&out),
            stderr(&out)
        );
        stderr(&out)
    }
}

fn instant(value: &Value) -> jiff::Timestamp {
    value
        .as_str()
        .unwrap_or_else(|| panic!("not an instant: {value}"))
        .parse()
        .unwrap()
}

#[tokio::test]
async fn schedules_are_added_listed_edited_paused_resumed_and_removed() {
    let e = env(FakeHub::builder().repo(model())).await;

    let added = e
        .json(&[
            "schedule",
            "add",
            "org/m",
            "--cron",
            "0 2 * * *",
            "--sync",
            "--keep",
            "2",
            "--window",
            "Mon-Fri 01:00-06:00",
            "--name",
            "nightly",
            "--include",
            "*.json",
            "--json",
        ])
        .await;
    let id = added["id"].as_i64().unwrap();
    assert_eq!(added["trigger"]["cron"], "0 2 * * *");
    assert_eq!(
        added["policy"],
        serde_json::json!({"kind": "sync", "keep": 2})
    );
    assert_eq!(added["windows"][0]["days"], "Mon-Fri");
    assert_eq!(added["target"]["revision"], "main");
    assert_eq!(added["target"]["include"], serde_json::json!(["*.json"]));
    assert_eq!(
        added["target"]["destination"]["path"],
        e.cache().to_string_lossy().as_ref(),
        "the current HF cache, fixed at add time"
    );
    assert_eq!(added["when"], "every night at 02:00");
    // The next three runs: 02:00 on the local clock (23:00 UTC), a day apart, the first stored as an instant.
    let upcoming = added["upcoming"].as_array().unwrap();
    assert_eq!(upcoming.len(), 3, "{added}");
    assert_eq!(instant(&upcoming[0]["at"]), instant(&added["next_run"]));
    for (i, run) in upcoming.iter().enumerate() {
        let local = run["local"].as_str().unwrap();
        assert!(local.ends_with(" 02:00 +03:00"), "{local}");
        assert!(run["words"].as_str().unwrap().starts_with("in "), "{run}");
        let at = instant(&run["at"]);
        assert_eq!(at.as_second() % 86_400, 23 * 3600, "{at}");
        if i > 0 {
            let before = instant(&upcoming[i - 1]["at"]);
            assert_eq!(at.as_second() - before.as_second(), 86_400);
        }
    }

    // Bad input: exit code 2, and a message that names what is wrong.
    let bad_hour = e
        .fails(&["schedule", "add", "org/m", "--cron", "0 25 * * *"], 2)
        .await;
    assert!(bad_hour.contains("hour field '25'"), "{bad_hour}");
    let bad_window = e
        .fails(
            &[
                "schedule",
                "add",
                "org/m",
                "--every",
                "6h",
                "--window",
                "Mon-Fry 01:00-06:00",
            ],
            2,
        )
        .await;
    assert!(bad_window.contains("'fry' is not a day"), "{bad_window}");
    let past = e
        .fails(&["schedule", "add", "org/m", "--at", "2020-01-01 00:00"], 2)
        .await;
    assert!(past.contains("in the past"), "{past}");
    let short = e
        .fails(&["schedule", "add", "org/m", "--every", "10s"], 2)
        .await;
    assert!(short.contains("minimum of 1 minute"), "{short}");
    e.fails(
        &["schedule", "add", "org/m", "--every", "1h", "--keep", "2"],
        2,
    )
    .await;
    e.fails(&["schedule", "add", "org/m"], 2).await;
    e.fails(
        &[
            "schedule",
            "add",
            "org/m",
            "--every",
            "1h",
            "--cron",
            "0 2 * * *",
        ],
        2,
    )
    .await;
    let json_error = e
        .run(&["schedule", "add", "org/m", "--every", "5x", "--json"])
        .await;
    assert_eq!(json_error.status.code(), Some(2));
    let error: Value = serde_json::from_str(stdout(&json_error).trim()).unwrap();
    assert_eq!(
        (error["type"].as_str(), error["kind"].as_str()),
        (Some("error"), Some("input"))
    );

    let one_shot = e
        .json(&[
            "schedule",
            "add",
            "datasets/org/d",
            "--at",
            "2099-06-01 12:30",
            "--json",
        ])
        .await;
    assert_eq!(one_shot["target"]["repo_type"], "dataset");
    assert_eq!(one_shot["next_run"], "2099-06-01T09:30:00Z");
    assert_eq!(
        one_shot["upcoming"].as_array().unwrap().len(),
        1,
        "a one-shot runs once"
    );

    let listed = e.json(&["schedule", "list", "--json"]).await;
    assert_eq!(listed.as_array().unwrap().len(), 2);
    let text = stdout(&e.run(&["schedule", "list"]).await);
    assert!(
        text.contains("every night at 02:00")
            && text.contains("Mon–Fri 01:00–06:00")
            && text.contains("once, at 2099-06-01 12:30 +03:00")
            && text.matches(" 02:00 +03:00").count() == 3,
        "{text}"
    );

    let shown = e
        .json(&["schedule", "show", &id.to_string(), "--json"])
        .await;
    assert_eq!(shown["name"], "nightly");
    assert!(stdout(&e.run(&["schedule", "show", &id.to_string()]).await).contains("never run"));
    e.fails(&["schedule", "show", "99"], 3).await;

    // Edit: a new trigger is timed from now; windows go; the name stays.
    let edited = e
        .json(&[
            "schedule",
            "edit",
            &id.to_string(),
            "--every",
            "6h",
            "--no-windows",
            "--keep",
            "1",
            "--json",
        ])
        .await;
    assert_eq!(edited["trigger"]["every"], "6h");
    assert_eq!(edited["windows"], serde_json::json!([]));
    assert_eq!(
        edited["policy"],
        serde_json::json!({"kind": "sync", "keep": 1})
    );
    assert_eq!(edited["name"], "nightly");
    let runs: Vec<i64> = edited["upcoming"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| instant(&u["at"]).as_second())
        .collect();
    assert_eq!(runs.len(), 3);
    assert!(runs.windows(2).all(|w| w[1] - w[0] == 6 * 3600), "{runs:?}");
    e.fails(&["schedule", "edit", &id.to_string()], 2).await;
    e.fails(&["schedule", "edit", "99", "--every", "1h"], 3)
        .await;

    let paused = e
        .json(&["schedule", "pause", &id.to_string(), "--json"])
        .await;
    assert_eq!(paused["paused"], true);
    assert_eq!(paused["upcoming"], serde_json::json!([]));
    let resumed = e
        .json(&["schedule", "resume", &id.to_string(), "--json"])
        .await;
    assert_eq!(resumed["paused"], false);
    assert_eq!(resumed["upcoming"].as_array().unwrap().len(), 3);

    // run-now without --here asks the service: the schedule is due now, with a request.
    let before = jiff::Timestamp::now();
    let asked = e
        .json(&["schedule", "run-now", &id.to_string(), "--json"])
        .await;
    assert_eq!(asked["run_requested"], true);
    assert!(
        instant(&asked["next_run"])
            >= before
                .checked_sub(jiff::SignedDuration::from_secs(1))
                .unwrap()
    );
    assert!(instant(&asked["next_run"]) <= jiff::Timestamp::now());
    e.fails(&["schedule", "run-now", "99"], 3).await;

    e.run(&["schedule", "remove", &id.to_string()]).await;
    assert_eq!(
        e.json(&["schedule", "list", "--json"])
            .await
            .as_array()
            .unwrap()
            .len(),
        1
    );
    e.fails(&["schedule", "remove", &id.to_string()], 3).await;
    e.fails(&["schedule", "pause", &id.to_string()], 3).await;
}

#[tokio::test]
async fn bandwidth_rules_are_added_listed_and_removed() {
    let e = env(FakeHub::builder()).await;
    let empty = e.json(&["limits", "--json"]).await;
    assert_eq!(empty["rules"], serde_json::json!([]));
    assert_eq!(empty["current"]["source"], "setting");
    assert_eq!(empty["current"]["limit"], "unlimited");

    let out = e
        .run(&["limits", "add", "Mon-Fri", "08:00-19:00", "5M", "--json"])
        .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let rule: Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(
        (
            rule["days"].as_str(),
            rule["start"].as_str(),
            rule["end"].as_str(),
            rule["limit"].as_str()
        ),
        (Some("Mon-Fri"), Some("08:00"), Some("19:00"), Some("5MB"))
    );
    // Every minute of the week is under this one: it is the limit now, whenever the test runs.
    let all_week = e
        .json(&["limits", "add", "daily 00:00-24:00 250K", "--json"])
        .await;
    let listed = e.json(&["limits", "list", "--json"]).await;
    assert_eq!(listed["rules"].as_array().unwrap().len(), 2);
    assert_eq!(listed["current"]["source"], "rule");
    assert_eq!(listed["current"]["limit"], "250KB");
    assert_eq!(listed["current"]["rule"]["id"], all_week["id"]);
    let text = stdout(&e.run(&["limits"]).await);
    assert!(
        text.contains("Mon-Fri") && text.contains("5MB/s") && text.contains("now: 250KB/s (rule"),
        "{text}"
    );

    let bad = e
        .fails(&["limits", "add", "Mon-Fri", "08:00-19:00", "fast"], 2)
        .await;
    assert!(bad.contains("'fast' is not a rate"), "{bad}");
    e.fails(&["limits", "add", "Mon-Fri 25:00-19:00 5M"], 2)
        .await;
    e.fails(&["limits", "remove", "99"], 3).await;
    let removed = e
        .json(&["limits", "remove", &all_week["id"].to_string(), "--json"])
        .await;
    assert_eq!(removed["removed"], all_week["id"]);
    assert_eq!(
        e.json(&["limits", "--json"]).await["rules"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn a_sync_schedule_fetches_only_when_the_branch_moves_and_keeps_one_revision() {
    let e = env(FakeHub::builder().repo(model())).await;
    let first = e.hub.commit_sha(RepoType::Model, "org/m", 0);
    let added = e
        .json(&[
            "schedule", "add", "org/m", "--every", "1d", "--sync", "--keep", "1", "--json",
        ])
        .await;
    let id = added["id"].to_string();
    let next_run = added["next_run"].clone();

    // First run: everything is fetched.
    let run = e
        .json(&["schedule", "run-now", &id, "--here", "--json"])
        .await;
    assert_eq!(run["result"], "ok", "{run}");
    assert_eq!(run["commit"], first.as_str());
    assert_eq!(run["download"]["files_fetched"], 2);
    assert_eq!(run["pruned"], serde_json::json!([]));
    assert_eq!(
        run["next_run"], next_run,
        "running early keeps the next run"
    );
    assert_eq!(e.snapshots(), vec![first.clone()]);

    // Unchanged: one question to the Hub (the commit), no listing, no file.
    e.hub.clear_requests();
    let run = e
        .json(&["schedule", "run-now", &id, "--here", "--json"])
        .await;
    assert_eq!(run["result"], "unchanged", "{run}");
    assert_eq!(run["download"], Value::Null);
    let paths: Vec<String> = e.hub.requests().into_iter().map(|r| r.path).collect();
    assert!(
        paths.iter().all(|p| p.contains("/revision/")) && !paths.is_empty(),
        "{paths:?}"
    );
    let text = stdout(&e.run(&["schedule", "run-now", &id, "--here"]).await);
    assert!(
        text.contains("unchanged") && text.contains("nothing fetched"),
        "{text}"
    );

    // The branch moves: the new commit is fetched (only the changed file), and with --keep 1 the
    // old revision leaves the cache; the weights blob both share stays.
    let second = e.hub.add_commit(
        RepoType::Model,
        "org/m",
        "main",
        vec![("config.json".into(), FileSpec::regular("{\"v\": 2}\n"))],
        vec![],
    );
    let run = e
        .json(&["schedule", "run-now", &id, "--here", "--json"])
        .await;
    assert_eq!(run["result"], "ok", "{run}");
    assert_eq!(run["commit"], second.as_str());
    assert_eq!(run["download"]["files_fetched"], 1);
    assert_eq!(run["pruned"], serde_json::json!([first.clone()]));
    assert_eq!(
        e.snapshots(),
        vec![second.clone()],
        "the older revision is gone"
    );
    let snapshot = e.cache().join("models--org--m/snapshots").join(&second);
    assert_eq!(
        std::fs::read_to_string(snapshot.join("config.json")).unwrap(),
        "{\"v\": 2}\n"
    );
    assert_eq!(
        std::fs::metadata(snapshot.join("weights.bin"))
            .unwrap()
            .len(),
        weights().size()
    );
    let blobs = std::fs::read_dir(e.cache().join("models--org--m/blobs"))
        .unwrap()
        .count();
    assert_eq!(
        blobs, 2,
        "the old config's blob went, the shared weights stayed"
    );

    let shown = e.json(&["schedule", "show", &id, "--json"]).await;
    assert_eq!(shown["last_result"], "ok");
    assert_eq!(shown["last_commit"], second.as_str());
    let history = e.json(&["show", "org/m", "--json"]).await;
    assert_eq!(history["history"][0]["requested_by"], "schedule");

    // Once more: unchanged again.
    let run = e
        .json(&["schedule", "run-now", &id, "--here", "--json"])
        .await;
    assert_eq!(run["result"], "unchanged");
    e.fails(&["schedule", "run-now", "99", "--here"], 3).await;
}

#[tokio::test]
async fn a_failed_run_is_recorded_and_reported() {
    let e = env(FakeHub::builder().repo(model())).await;
    let added = e
        .json(&[
            "schedule",
            "add",
            "org/missing",
            "--cron",
            "0 3 * * *",
            "--sync",
            "--json",
        ])
        .await;
    let id = added["id"].to_string();
    let err = e.fails(&["schedule", "run-now", &id, "--here"], 3).await;
    assert!(err.contains("org/missing"), "{err}");
    let shown = e.json(&["schedule", "show", &id, "--json"]).await;
    assert_eq!(shown["last_result"], "failed");
    assert!(
        shown["last_error"]
            .as_str()
            .unwrap()
            .contains("org/missing"),
        "{shown}"
    );
    assert_eq!(shown["next_run"], added["next_run"], "the next run stays");

    // A plain download schedule with a filter fetches just what it selects.
    let added = e
        .json(&[
            "schedule",
            "add",
            "org/m",
            "--every",
            "1h",
            "--include",
            "*.json",
            "--json",
        ])
        .await;
    let run = e
        .json(&[
            "schedule",
            "run-now",
            &added["id"].to_string(),
            "--here",
            "--json",
        ])
        .await;
    assert_eq!(run["result"], "ok");
    assert_eq!(run["download"]["files_total"], 1);
    let commit = e.hub.commit_sha(RepoType::Model, "org/m", 0);
    let snapshot = e.cache().join("models--org--m/snapshots").join(commit);
    assert!(snapshot.join("config.json").is_file());
    assert!(!snapshot.join("weights.bin").exists());
}
