//! The library commands on real caches and a real registry: `list`, `show`, `remove`, `verify`,
//! `scan`, `prune` — run as a user runs them, online against a fakehub and offline without a request.

use std::path::{Path, PathBuf};
use std::process::Output;

use fakehub::{
    CommitSpec, FakeHub, FileSpec, HubBuilder, Listener, RepoSpec, RepoType, RunningHub,
};
use serde_json::Value;
use tempfile::TempDir;

struct Env {
    hub: RunningHub,
    home: TempDir,
}

fn shared() -> FileSpec {
    FileSpec::lfs_generated(300_000, 21)
}

fn old_config() -> FileSpec {
    FileSpec::regular("{\"v\": 1}\n")
}

fn new_config() -> FileSpec {
    FileSpec::regular("{\"v\": 2}\n")
}

fn tokenizer() -> FileSpec {
    FileSpec::lfs_generated(40_000, 22)
}

/// Two commits sharing the big weights file; the tag v1 is the first.
fn model() -> RepoSpec {
    RepoSpec::model("org/m")
        .commit(
            CommitSpec::new()
                .file("config.json", old_config())
                .file("weights.bin", shared()),
        )
        .commit(
            CommitSpec::new()
                .file("config.json", new_config())
                .file("weights.bin", shared())
                .file("tok/tokenizer.bin", tokenizer()),
        )
        .tag("v1", 0)
}

async fn env(builder: HubBuilder) -> Env {
    Env {
        hub: builder.start().await.expect("fakehub"),
        home: tempfile::tempdir().expect("tempdir"),
    }
}

impl Env {
    fn cache(&self) -> PathBuf {
        self.home.path().join("hf/hub")
    }

    fn repo_dir(&self) -> PathBuf {
        self.cache().join("models--org--m")
    }

    fn commit(&self, index: usize) -> String {
        self.hub.commit_sha(RepoType::Model, "org/m", index)
    }

    async fn run(&self, args: &[&str], vars: &[(&str, &str)]) -> Output {
        let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_haul"));
        command
            .args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.home.path())
            .env("HF_HOME", self.home.path().join("hf"))
            .env("HAUL_HOME", self.home.path().join("haul"))
            .env("HF_ENDPOINT", self.hub.url())
            .env("HAUL_RETRY_DELAY_MS", "20")
            .current_dir(self.home.path())
            .stdin(std::process::Stdio::null());
        for (k, v) in vars {
            command.env(k, v);
        }
        command.output().await.expect("run haul")
    }

    async fn ok(&self, args: &[&str], vars: &[(&str, &str)]) -> String {
        let out = self.run(args, vars).await;
        assert!(
            out.status.success(),
            "haul {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    async fn json(&self, args: &[&str], vars: &[(&str, &str)]) -> Value {
        let text = self.ok(args, vars).await;
        serde_json::from_str(text.trim())
            .unwrap_or_else(|e| panic!("{args:?} printed no JSON ({e}): {text}"))
    }

    async fn downloaded(&self) {
        self.ok(&["download", "org/m", "-q"], &[]).await;
        self.ok(&["download", "org/m@v1", "-q"], &[]).await;
    }
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// `--json` prints the result first; a failure adds an error object on the next line.
fn first_json_line(out: &Output) -> Value {
    let text = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(text.lines().next().unwrap_or_default())
        .unwrap_or_else(|e| panic!("no JSON ({e}): {text}"))
}

fn flip_byte(path: &Path, at: usize) {
    let mut data = std::fs::read(path).unwrap();
    data[at] ^= 0x55;
    std::fs::write(path, data).unwrap();
}

#[tokio::test]
async fn list_and_show_what_was_downloaded() {
    let e = env(FakeHub::builder().repo(model()).repo(
        RepoSpec::dataset("org/d")
            .commit(CommitSpec::new().file("a.csv", FileSpec::regular("a\n"))),
    ))
    .await;
    e.downloaded().await;
    e.ok(&["download", "datasets/org/d", "-q"], &[]).await;

    let all = e.json(&["list", "--json"], &[]).await;
    let rows = all.as_array().unwrap();
    assert_eq!(rows.len(), 2);
    let m = rows.iter().find(|r| r["repo_id"] == "org/m").unwrap();
    assert_eq!(m["state"], "complete");
    let on_disk = shared().size() + old_config().size() + new_config().size() + tokenizer().size();
    assert_eq!(
        m["size_bytes"].as_u64(),
        Some(on_disk),
        "each blob counted once"
    );
    assert_eq!(
        e.json(&["list", "--json", "--type", "dataset"], &[])
            .await
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        e.json(&["list", "--json", "ORG/M"], &[])
            .await
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let table = e.ok(&["list"], &[]).await;
    assert!(
        table.contains("org/m") && table.contains("complete") && table.contains("SIZE"),
        "{table}"
    );

    let detail = e.json(&["show", "org/m", "--json"], &[]).await;
    let revisions = detail["cached"]["revisions"].as_array().unwrap();
    assert_eq!(revisions.len(), 2);
    assert_eq!(detail["history"].as_array().unwrap().len(), 2);
    assert_eq!(detail["history"][0]["requested_by"], "cli");
    assert_eq!(detail["history"][0]["result"], "ok");
    let text = e.ok(&["show", "org/m"], &[]).await;
    assert!(
        text.contains("history:") && text.contains("v1") && text.contains("main"),
        "{text}"
    );

    let missing = e.run(&["show", "org/none"], &[]).await;
    assert_eq!(missing.status.code(), Some(3), "{}", stderr(&missing));
}

#[tokio::test]
async fn remove_keeps_blobs_shared_with_kept_revisions() {
    let e = env(FakeHub::builder().repo(model())).await;
    e.downloaded().await;
    let blobs = e.repo_dir().join("blobs");

    let dry = e
        .run(&["remove", "org/m", "--revision", "v1", "--dry-run"], &[])
        .await;
    assert!(
        dry.status.success() && stderr(&dry).contains("1 blob(s) stay"),
        "{}",
        stderr(&dry)
    );
    assert!(
        e.repo_dir().join("snapshots").join(e.commit(0)).exists(),
        "a dry run removes nothing"
    );

    let refused = e.run(&["remove", "org/m", "--revision", "v1"], &[]).await;
    assert_eq!(
        refused.status.code(),
        Some(2),
        "no terminal to confirm on: {}",
        stderr(&refused)
    );
    assert!(stderr(&refused).contains("-y"));

    e.ok(&["remove", "org/m", "--revision", "v1", "-y"], &[])
        .await;
    assert!(!e.repo_dir().join("snapshots").join(e.commit(0)).exists());
    assert!(!e.repo_dir().join("refs/v1").exists());
    assert!(
        !blobs.join(old_config().etag()).exists(),
        "the blob only v1 used is gone"
    );
    assert!(
        blobs.join(shared().etag()).exists(),
        "the blob main still uses stays"
    );
    let main = e.repo_dir().join("snapshots").join(e.commit(1));
    assert_eq!(
        std::fs::read(main.join("weights.bin")).unwrap(),
        shared().bytes()
    );

    let unknown = e
        .run(&["remove", "org/m", "--revision", "nope", "-y"], &[])
        .await;
    assert_eq!(unknown.status.code(), Some(3));
    assert!(
        stderr(&unknown).contains("main"),
        "lists what exists: {}",
        stderr(&unknown)
    );

    e.ok(&["remove", "org/m", "-y"], &[]).await;
    assert!(!e.repo_dir().exists());
    assert!(
        e.json(&["list", "--json"], &[])
            .await
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn remove_refuses_to_follow_a_repo_folder_out_of_the_cache() {
    let e = env(FakeHub::builder().repo(model())).await;
    e.downloaded().await;
    let outside = e.home.path().join("precious");
    std::fs::rename(e.repo_dir(), &outside).unwrap();
    std::os::unix::fs::symlink(&outside, e.repo_dir()).unwrap();
    let out = e.run(&["remove", "org/m", "-y"], &[]).await;
    assert!(!out.status.success());
    assert!(stderr(&out).contains("symlink"), "{}", stderr(&out));
    assert!(
        outside.join("blobs").join(shared().etag()).exists(),
        "nothing outside the cache was touched"
    );
}

#[tokio::test]
async fn verify_finds_a_flipped_byte_and_repair_fixes_only_that_file() {
    let e = env(FakeHub::builder().repo(model())).await;
    e.ok(&["download", "org/m", "-q"], &[]).await;
    assert!(e.ok(&["verify", "org/m"], &[]).await.contains("OK"));

    flip_byte(&e.repo_dir().join("blobs").join(tokenizer().etag()), 1000);
    let damaged = e.run(&["verify", "org/m"], &[]).await;
    assert_eq!(damaged.status.code(), Some(6), "{}", stderr(&damaged));
    let report = String::from_utf8_lossy(&damaged.stdout);
    assert!(
        report.contains("corrupt: tok/tokenizer.bin") && report.contains("against hub"),
        "{report}"
    );
    assert!(!report.contains("corrupt: weights.bin"));

    // Offline, against the hashes already known, without a request.
    e.hub.clear_requests();
    let offline = e
        .run(&["verify", "org/m", "--json"], &[("HF_HUB_OFFLINE", "1")])
        .await;
    assert_eq!(offline.status.code(), Some(6));
    let reports = first_json_line(&offline);
    assert_eq!(
        reports[0]["corrupt"],
        serde_json::json!(["tok/tokenizer.bin"])
    );
    assert_eq!(reports[0]["against"], "registry");
    assert!(e.hub.requests().is_empty());
    let no_repair = e
        .run(&["verify", "org/m", "--repair"], &[("HF_HUB_OFFLINE", "1")])
        .await;
    assert_eq!(no_repair.status.code(), Some(8), "{}", stderr(&no_repair));

    e.hub.clear_requests();
    let repaired = e.run(&["verify", "org/m", "--repair"], &[]).await;
    assert!(repaired.status.success(), "{}", stderr(&repaired));
    assert!(String::from_utf8_lossy(&repaired.stdout).contains("repaired: tok/tokenizer.bin"));
    let fetched: Vec<_> = e
        .hub
        .requests()
        .into_iter()
        .filter(|r| r.path.contains("/resolve/"))
        .collect();
    assert_eq!(
        fetched.len(),
        1,
        "only the bad file is fetched again: {fetched:?}"
    );
    assert!(fetched[0].path.ends_with("tok/tokenizer.bin"));
    let snapshot = e.repo_dir().join("snapshots").join(e.commit(1));
    assert_eq!(
        std::fs::read(snapshot.join("tok/tokenizer.bin")).unwrap(),
        tokenizer().bytes()
    );
    assert!(e.ok(&["verify", "org/m"], &[]).await.contains("OK"));
}

#[tokio::test]
async fn verify_lists_missing_and_extra_files() {
    let e = env(FakeHub::builder().repo(model())).await;
    e.ok(&["download", "org/m", "-q"], &[]).await;
    let snapshot = e.repo_dir().join("snapshots").join(e.commit(1));
    std::fs::remove_file(snapshot.join("config.json")).unwrap();
    std::os::unix::fs::symlink(
        format!("../../blobs/{}", shared().etag()),
        snapshot.join("stray.bin"),
    )
    .unwrap();
    let out = e.run(&["verify", "--all", "--json"], &[]).await;
    assert_eq!(out.status.code(), Some(6));
    let reports = first_json_line(&out);
    let error = String::from_utf8_lossy(&out.stdout)
        .lines()
        .nth(1)
        .map(|l| serde_json::from_str::<Value>(l).unwrap());
    assert_eq!(
        error.map(|e| e["kind"].clone()),
        Some(Value::from("integrity")),
        "the error follows as a JSON line"
    );
    assert_eq!(reports[0]["missing"], serde_json::json!(["config.json"]));
    assert_eq!(reports[0]["extra"], serde_json::json!(["stray.bin"]));
}

#[tokio::test]
async fn verify_checks_a_partial_download_for_the_files_that_were_asked_for() {
    let e = env(FakeHub::builder().repo(model())).await;
    e.ok(&["download", "org/m", "--include", "*.json", "-q"], &[])
        .await;
    let snapshot = e.repo_dir().join("snapshots").join(e.commit(1));
    assert!(
        !snapshot.join("weights.bin").exists(),
        "only the config came"
    );

    let out = e.run(&["verify", "org/m", "--json"], &[]).await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "files never asked for are not missing: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(first_json_line(&out)[0]["missing"], serde_json::json!([]));

    std::fs::remove_file(snapshot.join("config.json")).unwrap();
    let out = e.run(&["verify", "org/m", "--json"], &[]).await;
    assert_eq!(
        out.status.code(),
        Some(6),
        "a chosen file that went is missing"
    );
    assert_eq!(
        first_json_line(&out)[0]["missing"],
        serde_json::json!(["config.json"])
    );
}

#[tokio::test]
async fn a_relative_cache_dir_is_recorded_absolute_and_list_narrows_to_it() {
    let e = env(FakeHub::builder().repo(model())).await;
    e.ok(&["download", "org/m", "-q"], &[]).await;
    e.ok(&["download", "org/m", "--cache-dir", "other", "-q"], &[])
        .await;
    let other = e.home.path().join("other");
    let all = e.json(&["list", "--json"], &[]).await;
    assert_eq!(all.as_array().map(Vec::len), Some(2), "{all}");
    assert!(
        all.as_array()
            .unwrap()
            .iter()
            .any(|m| m["location"].as_str() == Some(other.to_string_lossy().as_ref())),
        "the relative folder is recorded as an absolute path: {all}"
    );
    let narrowed = e
        .json(
            &["list", "--json", "--cache-dir", &other.to_string_lossy()],
            &[],
        )
        .await;
    let rows = narrowed.as_array().unwrap();
    assert_eq!(rows.len(), 1, "{narrowed}");
    assert_eq!(
        rows[0]["location"],
        Value::from(other.to_string_lossy().as_ref())
    );
}

#[tokio::test]
async fn scan_rebuilds_the_library_from_the_cache() {
    let e = env(FakeHub::builder().repo(model())).await;
    e.downloaded().await;
    // A new database, as after losing it: the cache is the truth.
    let fresh = [(
        "HAUL_HOME",
        e.home
            .path()
            .join("other-haul")
            .to_str()
            .unwrap()
            .to_string(),
    )];
    let fresh: Vec<(&str, &str)> = fresh.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert!(
        e.json(&["list", "--json"], &fresh)
            .await
            .as_array()
            .unwrap()
            .is_empty()
    );
    let scanned = e.ok(&["scan"], &fresh).await;
    assert!(scanned.contains("imported: org/m"), "{scanned}");
    let rows = e.json(&["list", "--json"], &fresh).await;
    assert_eq!(rows[0]["repo_id"], "org/m");
    assert_eq!(rows[0]["revision"], "main");
    assert_eq!(rows[0]["commit_sha"].as_str(), Some(e.commit(1).as_str()));
    assert!(e.ok(&["scan"], &fresh).await.contains("up to date: org/m"));
    std::fs::remove_dir_all(e.repo_dir()).unwrap();
    assert!(
        e.ok(&["scan"], &fresh)
            .await
            .contains("gone from the cache: org/m")
    );
    assert_eq!(
        e.json(&["list", "--json"], &fresh).await[0]["state"],
        "missing"
    );
}

#[tokio::test]
async fn prune_removes_leftovers_but_not_work_in_progress() {
    let e = env(FakeHub::builder().repo(model())).await;
    e.ok(&["download", "org/m", "-q"], &[]).await;
    // A revision asked for by commit has no ref: detached.
    e.ok(&["download", &format!("org/m@{}", e.commit(0)), "-q"], &[])
        .await;
    let blobs = e.repo_dir().join("blobs");
    std::fs::write(blobs.join("deadbeef.incomplete"), vec![0u8; 1000]).unwrap();
    std::fs::write(blobs.join("busy.incomplete"), vec![0u8; 10]).unwrap();
    let lock_dir = e.cache().join(".locks/models--org--m");
    std::fs::create_dir_all(&lock_dir).unwrap();
    let held = std::fs::File::create(lock_dir.join("busy.lock")).unwrap();
    held.lock().unwrap();

    let dry = e.run(&["prune", "--dry-run"], &[]).await;
    assert!(dry.status.success());
    let listing = String::from_utf8_lossy(&dry.stdout);
    assert!(
        listing.contains("deadbeef.incomplete")
            && listing.contains("detached_revision")
            && listing.contains(&e.commit(0)),
        "{listing}"
    );
    assert!(
        listing.contains(&old_config().etag()),
        "the blob only the detached revision uses: {listing}"
    );
    assert!(
        !listing.contains("busy.incomplete"),
        "a partial file someone is writing is left alone"
    );
    assert!(blobs.join("deadbeef.incomplete").exists());

    e.ok(&["prune", "-y"], &[]).await;
    assert!(!blobs.join("deadbeef.incomplete").exists());
    assert!(blobs.join("busy.incomplete").exists());
    assert!(!e.repo_dir().join("snapshots").join(e.commit(0)).exists());
    assert!(!blobs.join(old_config().etag()).exists());
    let main = e.repo_dir().join("snapshots").join(e.commit(1));
    assert_eq!(
        std::fs::read(main.join("weights.bin")).unwrap(),
        shared().bytes(),
        "the kept revision is intact"
    );
    drop(held);
    assert!(e.run(&["prune", "--dry-run"], &[]).await.status.success());
}

#[tokio::test]
async fn library_commands_work_offline_without_a_request() {
    let e = env(FakeHub::builder().repo(model())).await;
    e.downloaded().await;
    e.hub.clear_requests();
    let offline = [("HF_HUB_OFFLINE", "1")];
    assert_eq!(
        e.json(&["list", "--json"], &offline)
            .await
            .as_array()
            .unwrap()
            .len(),
        1
    );
    e.ok(&["show", "org/m"], &offline).await;
    assert!(
        e.ok(&["verify", "org/m"], &offline)
            .await
            .contains("against registry")
    );
    e.ok(&["prune", "--dry-run"], &offline).await;
    e.ok(&["remove", "org/m", "--revision", "v1", "-y"], &offline)
        .await;
    assert!(
        e.hub
            .requests()
            .iter()
            .all(|r| r.listener != Listener::Hub && r.listener != Listener::Cdn),
        "{:?}",
        e.hub.requests()
    );
    assert!(e.hub.requests().is_empty());
}

#[tokio::test]
async fn outdated_lists_moved_branches_and_update_fetches_only_what_changed() {
    let e = env(FakeHub::builder().repo(model())).await;
    e.ok(&["download", "org/m", "-q"], &[]).await;
    e.ok(
        &[
            "download",
            "org/m@v1",
            "-q",
            "--cache-dir",
            e.home.path().join("other").to_str().unwrap(),
        ],
        &[],
    )
    .await;
    assert!(
        e.json(&["outdated", "--json"], &[])
            .await
            .as_array()
            .unwrap()
            .is_empty()
    );

    let newer = FileSpec::regular("{\"v\": 3}\n");
    let commit = e.hub.add_commit(
        RepoType::Model,
        "org/m",
        "main",
        vec![("config.json".into(), newer.clone())],
        vec![],
    );
    let found = e.json(&["outdated", "--json"], &[]).await;
    let found = found.as_array().unwrap();
    assert_eq!(
        found.len(),
        1,
        "only main moved; the tag did not: {found:?}"
    );
    assert_eq!(found[0]["remote_commit"].as_str(), Some(commit.as_str()));
    assert_eq!(
        found[0]["local_commit"].as_str(),
        Some(e.commit(1).as_str())
    );

    e.hub.clear_requests();
    e.ok(&["update", "--all"], &[]).await;
    let fetched: Vec<_> = e
        .hub
        .requests()
        .into_iter()
        .filter(|r| r.path.contains("/resolve/"))
        .collect();
    assert_eq!(fetched.len(), 1, "only the changed file: {fetched:?}");
    let snapshot = e.repo_dir().join("snapshots").join(&commit);
    assert_eq!(
        std::fs::read(snapshot.join("config.json")).unwrap(),
        newer.bytes()
    );
    assert_eq!(
        std::fs::read(snapshot.join("tok/tokenizer.bin")).unwrap(),
        tokenizer().bytes()
    );
    assert!(
        e.json(&["outdated", "--json"], &[])
            .await
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert!(e.ok(&["update", "--all"], &[]).await.is_empty());

    let offline = e.run(&["outdated"], &[("HF_HUB_OFFLINE", "1")]).await;
    assert_eq!(offline.status.code(), Some(8));
}

#[tokio::test]
async fn update_keeps_the_selection_of_the_first_download() {
    let e = env(FakeHub::builder().repo(model())).await;
    e.ok(&["download", "org/m", "--include", "*.json", "-q"], &[])
        .await;
    let newer = FileSpec::regular("{\"v\": 4}\n");
    let commit = e.hub.add_commit(
        RepoType::Model,
        "org/m",
        "main",
        vec![
            ("config.json".into(), newer.clone()),
            ("weights.bin".into(), FileSpec::lfs_generated(1000, 9)),
        ],
        vec![],
    );
    e.ok(&["update", "org/m"], &[]).await;
    let snapshot = e.repo_dir().join("snapshots").join(&commit);
    assert_eq!(
        std::fs::read(snapshot.join("config.json")).unwrap(),
        newer.bytes()
    );
    assert!(
        !snapshot.join("weights.bin").exists(),
        "a file outside the first selection is not fetched"
    );
}
