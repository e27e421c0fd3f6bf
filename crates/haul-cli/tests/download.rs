//! `haul download` as a user runs it: the real binary against a loopback fakehub, checking exit codes,
//! what it prints, and what lands on disk — for the happy paths and for every error a user can meet.

use std::path::{Path, PathBuf};
use std::process::Output;

use fakehub::{
    CommitSpec, FakeHub, FaultState, FileSpec, Gate, HubBuilder, RepoSpec, RepoType, RunningHub,
    StatusFault,
};
use serde_json::Value;
use tempfile::TempDir;

struct Env {
    hub: RunningHub,
    home: TempDir,
}

fn weights() -> FileSpec {
    FileSpec::lfs_generated(400_000, 5)
}

fn model() -> RepoSpec {
    RepoSpec::model("org/m").commit(
        CommitSpec::new()
            .file("config.json", FileSpec::regular("{}\n"))
            .file("model.safetensors", weights())
            .file("sub dir/[x].txt", FileSpec::regular("odd name\n")),
    )
}

async fn env(builder: HubBuilder) -> Env {
    Env {
        hub: builder.start().await.expect("fakehub"),
        home: tempfile::tempdir().expect("tempdir"),
    }
}

impl Env {
    fn hf_home(&self) -> PathBuf {
        self.home.path().join("hf")
    }

    fn cache(&self) -> PathBuf {
        self.hf_home().join("hub")
    }

    async fn run(&self, args: &[&str], vars: &[(&str, &str)]) -> Output {
        let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_haul"));
        command
            .args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.home.path())
            .env("HF_HOME", self.hf_home())
            .env("HF_ENDPOINT", self.hub.url())
            .env("HAUL_RETRY_DELAY_MS", "20")
            .env("HAUL_RETRIES", "3");
        for (k, v) in vars {
            command.env(k, v);
        }
        command.output().await.expect("run haul")
    }
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[track_caller]
fn assert_fails(o: &Output, code: i32, words: &[&str]) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(code), "exit code; stderr: {err}");
    for w in words {
        assert!(err.contains(w), "stderr lacks {w:?}: {err}");
    }
}

fn snapshot_file(cache: &Path, folder: &str, path: &str) -> Vec<u8> {
    let snapshots = cache.join(folder).join("snapshots");
    let commit = std::fs::read_dir(&snapshots)
        .expect("snapshots")
        .flatten()
        .next()
        .expect("one snapshot")
        .path();
    std::fs::read(commit.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[tokio::test]
async fn downloads_then_says_nothing_to_fetch() {
    let e = env(FakeHub::builder().repo(model())).await;
    let out = e.run(&["download", "org/m"], &[]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let path = stdout(&out).trim().to_string();
    let commit = e.hub.commit_sha(RepoType::Model, "org/m", 0);
    assert_eq!(
        PathBuf::from(&path),
        e.cache().join("models--org--m/snapshots").join(&commit)
    );
    assert_eq!(
        std::fs::read(Path::new(&path).join("model.safetensors")).unwrap(),
        weights().bytes()
    );
    assert!(
        stderr(&out).contains("Fetched and verified 3 files"),
        "{}",
        stderr(&out)
    );
    assert!(
        !stderr(&out).contains('\r'),
        "no progress bars when stderr is not a terminal"
    );

    e.hub.clear_requests();
    let again = e.run(&["download", "org/m"], &[]).await;
    assert!(again.status.success());
    assert!(
        stderr(&again).contains("nothing was fetched"),
        "{}",
        stderr(&again)
    );
    assert!(
        e.hub
            .requests()
            .iter()
            .all(|r| !r.path.contains("/resolve/"))
    );
}

#[tokio::test]
async fn json_lines_quiet_and_dry_run() {
    let e = env(FakeHub::builder().repo(model())).await;
    let dry = e.run(&["download", "org/m", "--dry-run"], &[]).await;
    assert!(dry.status.success());
    let table = stdout(&dry);
    assert!(
        table.contains("model.safetensors")
            && table.contains("to fetch")
            && table.contains("sub dir/[x].txt"),
        "{table}"
    );
    assert!(
        !e.cache().join("models--org--m").exists(),
        "a dry run writes nothing"
    );

    let out = e
        .run(
            &["download", "org/m", "--json", "--include", "*.safetensors"],
            &[],
        )
        .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let lines: Vec<Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    let kinds: Vec<&str> = lines.iter().filter_map(|l| l["type"].as_str()).collect();
    assert_eq!(kinds.first(), Some(&"plan"));
    assert_eq!(kinds.last(), Some(&"result"));
    assert!(kinds.contains(&"progress"));
    assert_eq!(lines[0]["files"].as_array().map(Vec::len), Some(1));
    assert_eq!(lines.last().unwrap()["bytes_fetched"], 400_000);

    let quiet = e.run(&["download", "org/m", "-q"], &[]).await;
    assert!(quiet.status.success());
    assert_eq!(stdout(&quiet).lines().count(), 1);
    assert!(stderr(&quiet).is_empty(), "{}", stderr(&quiet));
}

#[tokio::test]
async fn urls_of_the_endpoint_and_hf_conventions() {
    let e = env(FakeHub::builder().repo(model()).repo(
        RepoSpec::dataset("org/d")
            .commit(CommitSpec::new().file("a.csv", FileSpec::regular("a\n"))),
    ))
    .await;
    let url = format!("{}/org/m/blob/main/sub%20dir/%5Bx%5D.txt", e.hub.url());
    let out = e.run(&["download", &url], &[]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        snapshot_file(&e.cache(), "models--org--m", "sub dir/[x].txt"),
        b"odd name\n"
    );

    let custom = e.home.path().join("custom-cache");
    let out = e
        .run(
            &["download", "datasets/org/d"],
            &[("HF_HUB_CACHE", custom.to_str().unwrap())],
        )
        .await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(snapshot_file(&custom, "datasets--org--d", "a.csv"), b"a\n");

    let out = e
        .run(&["download", "https://huggingface.co/org/m"], &[])
        .await;
    assert_fails(&out, 2, &["huggingface.co", "HF_ENDPOINT"]);
}

#[tokio::test]
async fn local_dir_then_offline() {
    let e = env(FakeHub::builder().repo(model())).await;
    let dir = e.home.path().join("out");
    let out = e
        .run(
            &["download", "org/m", "--local-dir", dir.to_str().unwrap()],
            &[],
        )
        .await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        std::fs::read(dir.join("model.safetensors")).unwrap(),
        weights().bytes()
    );
    assert!(
        dir.join(".cache/huggingface/download/model.safetensors.metadata")
            .exists()
    );

    let out = e.run(&["download", "org/m"], &[]).await;
    assert!(out.status.success());
    e.hub.clear_requests();
    let offline = e
        .run(&["download", "org/m"], &[("HF_HUB_OFFLINE", "1")])
        .await;
    assert!(offline.status.success(), "{}", stderr(&offline));
    assert!(stderr(&offline).contains("nothing was fetched"));
    let missing = e
        .run(&["download", "org/other"], &[("HF_HUB_OFFLINE", "1")])
        .await;
    assert_fails(&missing, 8, &["offline", "HF_HUB_OFFLINE", "org/other"]);
    assert!(
        e.hub.requests().is_empty(),
        "offline runs made requests: {:?}",
        e.hub.requests()
    );
}

#[tokio::test]
async fn not_found_errors_name_what_is_missing() {
    let e = env(FakeHub::builder().repo(model())).await;
    assert_fails(
        &e.run(&["download", "org/nope"], &[]).await,
        3,
        &["org/nope", "was not found", "--repo-type"],
    );
    assert_fails(
        &e.run(&["download", "org/m@nope"], &[]).await,
        3,
        &["revision 'nope'", "org/m"],
    );
    assert_fails(
        &e.run(&["download", "org/m", "missing.bin"], &[]).await,
        3,
        &["missing.bin"],
    );
    assert_fails(
        &e.run(&["download", "org/m", "--include", "a[b"], &[]).await,
        2,
        &["a[b"],
    );
    assert_fails(
        &e.run(&["download", "not a repo"], &[]).await,
        2,
        &["not a repository reference"],
    );
}

#[tokio::test]
async fn gated_private_and_bad_tokens() {
    let gated = RepoSpec::model("org/gated")
        .commit(CommitSpec::new().file("w.bin", weights()))
        .gated(Gate::Manual)
        .approve("alice");
    let private = RepoSpec::model("alice/secret")
        .commit(CommitSpec::new().file("s.txt", FileSpec::regular("s")))
        .private("alice");
    let e = env(FakeHub::builder()
        .user("alice", "hf_alice")
        .user("bob", "hf_bob")
        .repo(gated)
        .repo(private))
    .await;
    let url = format!("{}/org/gated", e.hub.url());

    let anonymous = e.run(&["download", "org/gated"], &[]).await;
    assert_fails(&anonymous, 4, &["gated", &url, "token"]);
    let unapproved = e
        .run(&["download", "org/gated"], &[("HF_TOKEN", "hf_bob")])
        .await;
    assert_fails(&unapproved, 4, &["not approved", &url]);
    let approved = e
        .run(&["download", "org/gated"], &[("HF_TOKEN", "hf_alice")])
        .await;
    assert!(approved.status.success(), "{}", stderr(&approved));

    assert_fails(
        &e.run(&["download", "alice/secret"], &[]).await,
        3,
        &["alice/secret", "private", "token"],
    );
    let bad = e
        .run(&["download", "alice/secret", "--token", "hf_wrong"], &[])
        .await;
    assert_fails(&bad, 4, &["refused the token"]);
    assert!(
        !stderr(&bad).contains("hf_wrong"),
        "the token must not be echoed"
    );

    // The Python client's token file, found through HF_TOKEN_PATH.
    let token_file = e.home.path().join("token");
    std::fs::write(&token_file, "hf_alice\n").unwrap();
    let from_file = e
        .run(
            &["download", "alice/secret"],
            &[("HF_TOKEN_PATH", token_file.to_str().unwrap())],
        )
        .await;
    assert!(from_file.status.success(), "{}", stderr(&from_file));
    assert_eq!(
        snapshot_file(&e.cache(), "models--alice--secret", "s.txt"),
        b"s"
    );
}

#[tokio::test]
async fn server_failures_corruption_and_unsafe_names() {
    let e = env(FakeHub::builder().repo(model()).faults(FaultState {
        server_error: Some(StatusFault {
            status: 502,
            times: u32::MAX,
        }),
        ..Default::default()
    }))
    .await;
    let out = e.run(&["download", "org/m"], &[]).await;
    assert_fails(&out, 5, &["502", "after 3 attempts"]);

    e.hub.faults().set(FaultState {
        corrupt: Some(fakehub::CorruptFault {
            offset: 1000,
            times: u32::MAX,
            path_suffix: None,
        }),
        ..Default::default()
    });
    let out = e.run(&["download", "org/m", "--json"], &[]).await;
    assert_eq!(out.status.code(), Some(6), "{}", stdout(&out));
    let last: Value = serde_json::from_str(stdout(&out).lines().last().unwrap()).unwrap();
    assert_eq!(
        (last["type"].as_str(), last["kind"].as_str()),
        (Some("error"), Some("integrity"))
    );
    assert!(
        last["message"]
            .as_str()
            .unwrap()
            .contains("model.safetensors")
    );
    assert!(
        !e.cache()
            .join("models--org--m/blobs")
            .join(weights().etag())
            .exists()
    );

    let evil = RepoSpec::model("org/evil")
        .commit(CommitSpec::new().file("../../outside.txt", FileSpec::regular("x")));
    let e = env(FakeHub::builder().repo(evil)).await;
    assert_fails(
        &e.run(&["download", "org/evil"], &[]).await,
        6,
        &["../../outside.txt", "will not write"],
    );
    assert!(
        !e.home.path().join("outside.txt").exists() && !e.hf_home().join("outside.txt").exists()
    );
}

/// A tmpfs far smaller than the repository, mounted for one test (CI runs as root).
struct SmallDisk(TempDir);

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg("-l")
            .arg(self.0.path())
            .status();
    }
}

#[tokio::test]
async fn a_destination_without_room_is_refused_up_front() {
    let disk = SmallDisk(tempfile::tempdir().unwrap());
    let mounted = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=100k", "tmpfs"])
        .arg(disk.0.path())
        .status()
        .unwrap();
    assert!(mounted.success(), "mounting a small tmpfs needs root");
    let e = env(FakeHub::builder().repo(model())).await;
    let out = e
        .run(
            &[
                "download",
                "org/m",
                "--local-dir",
                disk.0.path().to_str().unwrap(),
            ],
            &[],
        )
        .await;
    assert_fails(&out, 7, &["not enough free space", "short"]);
    assert!(!disk.0.path().join("model.safetensors").exists());
}
