//! `haul config` and the settings layers as a user meets them: the real binary with a temporary
//! HAUL_HOME, checking what it prints, its exit codes, the file it writes, and which Hub a download
//! really contacts when the file, the environment and the flags disagree.

use std::path::{Path, PathBuf};
use std::process::Output;

use fakehub::{CommitSpec, FakeHub, FileSpec, RepoSpec, RunningHub};
use serde_json::Value;
use tempfile::TempDir;

/// A user with an empty home, an empty HAUL_HOME, and no HF_* variables.
struct User {
    home: TempDir,
}

impl User {
    fn new() -> User {
        User {
            home: tempfile::tempdir().expect("tempdir"),
        }
    }

    fn haul_home(&self) -> PathBuf {
        self.home.path().join("haul-home")
    }

    fn config_file(&self) -> PathBuf {
        self.haul_home().join("config.toml")
    }

    fn write_config(&self, text: &str) {
        std::fs::create_dir_all(self.haul_home()).unwrap();
        std::fs::write(self.config_file(), text).unwrap();
    }

    fn read_config(&self) -> String {
        std::fs::read_to_string(self.config_file()).unwrap_or_default()
    }

    fn default_cache(&self) -> PathBuf {
        self.home.path().join(".cache/huggingface/hub")
    }

    async fn run(&self, args: &[&str], vars: &[(&str, &str)]) -> Output {
        let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_haul"));
        command
            .args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.home.path())
            .env("HAUL_HOME", self.haul_home())
            .env("HAUL_RETRY_DELAY_MS", "20")
            .env("HAUL_RETRIES", "2");
        for (k, v) in vars {
            command.env(k, v);
        }
        command.output().await.expect("run haul")
    }

    /// Runs and expects success; returns stdout.
    async fn ok(&self, args: &[&str], vars: &[(&str, &str)]) -> String {
        let out = self.run(args, vars).await;
        assert!(
            out.status.success(),
            "haul {args:?} failed: {}",
            stderr(&out)
        );
        stdout(&out)
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

/// `haul config list` as rows of (key, value, source).
fn rows(list: &str) -> Vec<(String, String, String)> {
    list.lines()
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .map(|l| {
            let cells: Vec<&str> = l
                .split("  ")
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .collect();
            assert_eq!(cells.len(), 3, "{l}");
            (cells[0].into(), cells[1].into(), cells[2].into())
        })
        .collect()
}

fn row(list: &str, key: &str) -> (String, String) {
    rows(list)
        .into_iter()
        .find(|(k, _, _)| k == key)
        .map(|(_, v, s)| (v, s))
        .unwrap_or_else(|| panic!("no {key} in {list}"))
}

fn repo() -> RepoSpec {
    RepoSpec::model("org/m").commit(
        CommitSpec::new()
            .file("config.json", FileSpec::regular("{}\n"))
            .file("notes.txt", FileSpec::regular("hello\n")),
    )
}

async fn hub(spec: RepoSpec) -> RunningHub {
    FakeHub::builder()
        .repo(spec)
        .start()
        .await
        .expect("fakehub")
}

fn snapshot_count(cache: &Path) -> usize {
    std::fs::read_dir(cache.join("models--org--m/snapshots"))
        .map(|d| d.count())
        .unwrap_or(0)
}

#[tokio::test]
async fn set_get_unset_list_and_path() {
    let u = User::new();
    assert_eq!(
        u.ok(&["config", "path"], &[]).await.trim(),
        u.config_file().to_str().unwrap()
    );
    assert_eq!(
        u.ok(&["config", "get", "max_concurrent_files"], &[])
            .await
            .trim(),
        "8"
    );
    let list = u.ok(&["config", "list"], &[]).await;
    assert_eq!(
        row(&list, "endpoint"),
        ("https://huggingface.co".into(), "default".into())
    );
    assert_eq!(rows(&list).len(), 11, "{list}");
    assert_eq!(row(&list, "max_jobs"), ("2".into(), "default".into()));
    assert!(list.contains("not created yet"), "{list}");

    // Comments and layout a person wrote survive `set`.
    u.write_config("# tuned for the lab link\nmax_concurrent_files = 2 # the NAS is slow\n");
    let out = u
        .run(&["config", "set", "max_concurrent_files", "3"], &[])
        .await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("max_concurrent_files = 3"),
        "{}",
        stderr(&out)
    );
    u.ok(&["config", "set", "bandwidth_limit", "1.5MiB"], &[])
        .await;
    u.ok(&["config", "set", "notifications.failed", "false"], &[])
        .await;
    u.ok(
        &[
            "config",
            "set",
            "proxy",
            "http://me:s3cret@proxy.example:3128",
        ],
        &[],
    )
    .await;
    assert_eq!(
        u.read_config(),
        "# tuned for the lab link\nmax_concurrent_files = 3 # the NAS is slow\n\
         bandwidth_limit = \"1.5MiB\"\nproxy = \"http://me:s3cret@proxy.example:3128/\"\n\n\
         [notifications]\nfailed = false\n"
    );
    assert_eq!(
        u.ok(&["config", "get", "max_concurrent_files"], &[]).await,
        "3\n"
    );
    assert_eq!(
        u.ok(&["config", "get", "bandwidth_limit"], &[]).await,
        "1.5MiB\n"
    );
    assert_eq!(
        u.ok(&["config", "get", "notifications.failed"], &[]).await,
        "false\n"
    );

    let list = u.ok(&["config", "list"], &[]).await;
    assert_eq!(
        row(&list, "max_concurrent_files"),
        ("3".into(), "file".into())
    );
    assert_eq!(
        row(&list, "notifications.failed"),
        ("false".into(), "file".into())
    );
    assert_eq!(
        row(&list, "notifications.finished"),
        ("true".into(), "default".into())
    );
    assert!(
        !list.contains("s3cret"),
        "the proxy password is shown: {list}"
    );
    assert!(list.contains("http://me:***@proxy.example:3128"), "{list}");

    let json = u.ok(&["config", "list", "--json"], &[]).await;
    let lines: Vec<Value> = json
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    let setting = |key: &str| {
        lines
            .iter()
            .find(|l| l["type"] == "setting" && l["key"] == key)
            .unwrap_or_else(|| panic!("{key} in {json}"))
            .clone()
    };
    assert_eq!(setting("max_concurrent_files")["value"], 3);
    assert_eq!(setting("max_concurrent_files")["source"], "file");
    assert_eq!(setting("notifications.failed")["value"], false);
    assert_eq!(setting("endpoint")["source"], "default");
    assert_eq!(
        setting("proxy")["value"],
        "http://me:***@proxy.example:3128"
    );
    assert_eq!(lines.last().unwrap()["type"], "file");
    assert!(!json.contains("s3cret"));

    let out = u
        .run(&["config", "unset", "max_concurrent_files"], &[])
        .await;
    assert!(
        stderr(&out).contains("now the default: 8"),
        "{}",
        stderr(&out)
    );
    u.ok(&["config", "unset", "notifications.failed"], &[])
        .await;
    assert_eq!(
        u.ok(&["config", "get", "max_concurrent_files"], &[]).await,
        "8\n"
    );
    assert_eq!(
        u.read_config(),
        "# tuned for the lab link\nbandwidth_limit = \"1.5MiB\"\nproxy = \"http://me:s3cret@proxy.example:3128/\"\n"
    );
    let again = u
        .run(&["config", "unset", "max_concurrent_files"], &[])
        .await;
    assert!(again.status.success());
    assert!(stderr(&again).contains("was not set"), "{}", stderr(&again));
}

#[tokio::test]
async fn bad_keys_and_values_are_refused_with_exit_code_2() {
    let u = User::new();
    let out = u
        .run(&["config", "set", "max_concurent_files", "4"], &[])
        .await;
    assert_fails(
        &out,
        2,
        &[
            "unknown setting 'max_concurent_files'",
            "did you mean 'max_concurrent_files'",
        ],
    );
    let out = u.run(&["config", "get", "finished"], &[]).await;
    assert_fails(&out, 2, &["did you mean 'notifications.finished'"]);
    let out = u
        .run(&["config", "set", "max_concurrent_files", "many"], &[])
        .await;
    assert_fails(
        &out,
        2,
        &["'many'", "expected a whole number from 1 to 256"],
    );
    let out = u
        .run(&["config", "set", "max_concurrent_files", "0"], &[])
        .await;
    assert_fails(&out, 2, &["'0', out of range", "from 1 to 256"]);
    let out = u
        .run(&["config", "set", "connections_per_file", "-2"], &[])
        .await;
    assert_fails(&out, 2, &["'-2', out of range", "from 1 to 16"]);
    let out = u
        .run(&["config", "set", "bandwidth_limit", "fast"], &[])
        .await;
    assert_fails(&out, 2, &["'fast'", "20M, 1.5MiB"]);
    let out = u
        .run(&["config", "set", "endpoint", "ftp://mirror"], &[])
        .await;
    assert_fails(&out, 2, &["endpoint", "http"]);
    let out = u
        .run(&["config", "set", "cache_dir", "relative/dir"], &[])
        .await;
    assert_fails(&out, 2, &["relative path", "absolute folder path"]);
    let out = u
        .run(&["config", "set", "notifications.failed", "maybe"], &[])
        .await;
    assert_fails(&out, 2, &["true or false"]);
    assert!(!u.config_file().exists(), "a refused value wrote the file");

    let out = u
        .run(&["config", "list"], &[("HAUL_MAX_WORKERS", "0")])
        .await;
    assert_fails(
        &out,
        2,
        &["HAUL_MAX_WORKERS is '0'", "max_concurrent_files"],
    );
}

#[tokio::test]
async fn a_bad_file_stops_every_command_and_says_where() {
    let u = User::new();
    let hub = hub(repo()).await;
    let endpoint = hub.url();
    let vars = [("HF_ENDPOINT", endpoint.as_str())];

    let broken = "max_concurrent_files = 4\nendpoint = \n";
    u.write_config(broken);
    let path = u.config_file();
    let path = path.to_str().unwrap();
    for args in [
        &["config", "list"][..],
        &["config", "get", "endpoint"],
        &["download", "org/m"],
    ] {
        let out = u.run(args, &vars).await;
        assert_fails(&out, 2, &[path, "not valid TOML", "line 2"]);
    }
    let out = u
        .run(&["config", "set", "proxy", "http://p:1"], &vars)
        .await;
    assert_fails(&out, 2, &[path, "line 2"]);
    assert_eq!(u.read_config(), broken, "a malformed file was rewritten");
    assert_eq!(u.ok(&["config", "path"], &[]).await.trim(), path);

    u.write_config("# mine\n\nmax_concurrent_files = \"4\"\n");
    let out = u.run(&["download", "org/m"], &vars).await;
    assert_fails(
        &out,
        2,
        &[
            path,
            "line 3",
            "max_concurrent_files is a string (\"4\")",
            "expected a whole number",
        ],
    );
    u.write_config("max_concurrent_files = 1000\n");
    let out = u.run(&["config", "list"], &[]).await;
    assert_fails(&out, 2, &["line 1", "1000, out of range"]);
    u.write_config("[notifications]\nfinised = true\n");
    let out = u.run(&["download", "org/m"], &vars).await;
    assert_fails(
        &out,
        2,
        &[
            path,
            "line 2",
            "unknown setting 'notifications.finised'",
            "did you mean 'notifications.finished'",
        ],
    );
    assert!(
        hub.requests().is_empty(),
        "a bad file still let a download start"
    );

    // `set` can repair a bad value in place.
    u.write_config("# keep me\nmax_concurrent_files = 0\n");
    u.ok(&["config", "set", "max_concurrent_files", "2"], &[])
        .await;
    assert_eq!(u.read_config(), "# keep me\nmax_concurrent_files = 2\n");
    u.ok(&["config", "list"], &[]).await;
}

#[tokio::test]
async fn the_endpoint_a_download_contacts_follows_file_then_env_then_flag() {
    let u = User::new();
    let (from_file, from_env) = (hub(repo()).await, hub(repo()).await);
    let (file_url, env_url) = (from_file.url(), from_env.url());
    u.ok(&["config", "set", "endpoint", &file_url], &[]).await;
    let contacted = |hub: &RunningHub| !hub.requests().is_empty();

    // The file alone: the download goes to the file's Hub, and succeeds.
    u.ok(&["download", "org/m"], &[]).await;
    assert!(contacted(&from_file) && !contacted(&from_env));
    assert_eq!(snapshot_count(&u.default_cache()), 1);
    let list = u.ok(&["config", "list"], &[]).await;
    assert_eq!(row(&list, "endpoint"), (file_url.clone(), "file".into()));

    // HF_ENDPOINT beats the file.
    from_file.clear_requests();
    let env = [("HF_ENDPOINT", env_url.as_str())];
    u.ok(&["download", "org/m"], &env).await;
    assert!(contacted(&from_env) && !contacted(&from_file));
    let list = u.ok(&["config", "list"], &env).await;
    assert_eq!(
        row(&list, "endpoint"),
        (env_url.clone(), "env HF_ENDPOINT".into())
    );

    // --endpoint beats HF_ENDPOINT.
    from_env.clear_requests();
    u.ok(&["--endpoint", &file_url, "download", "org/m"], &env)
        .await;
    assert!(contacted(&from_file) && !contacted(&from_env));
    let list = u
        .ok(&["config", "list", "--endpoint", &file_url], &env)
        .await;
    assert_eq!(row(&list, "endpoint"), (file_url.clone(), "flag".into()));
}

#[tokio::test]
async fn cache_dir_from_the_file_yields_to_hf_variables() {
    let u = User::new();
    let hub = hub(repo()).await;
    let vars = [("HF_ENDPOINT", hub.url())];
    let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let mine = u.home.path().join("models");
    u.ok(&["config", "set", "cache_dir", mine.to_str().unwrap()], &[])
        .await;
    let path = u.ok(&["download", "org/m", "-q"], &vars).await;
    assert!(path.trim().starts_with(mine.to_str().unwrap()), "{path}");
    assert_eq!(snapshot_count(&mine), 1);
    assert_eq!(snapshot_count(&u.default_cache()), 0);

    let hf_home = u.home.path().join("hf");
    let mut with_hf_home = vars.clone();
    with_hf_home.push(("HF_HOME", hf_home.to_str().unwrap()));
    u.ok(&["download", "org/m", "-q"], &with_hf_home).await;
    assert_eq!(snapshot_count(&hf_home.join("hub")), 1);
    let list = u.ok(&["config", "list"], &with_hf_home).await;
    assert_eq!(row(&list, "cache_dir").1, "env HF_HOME");
}

/// Four slow files: the largest number of files in flight in any progress snapshot.
async fn most_files_at_once(u: &User, hub: &RunningHub, extra: &[&str]) -> usize {
    let cache = u.home.path().join(format!("c{}", extra.len()));
    let mut args = vec![
        "download",
        "org/slow",
        "--json",
        "--cache-dir",
        cache.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let endpoint = hub.url();
    let out = u.ok(&args, &[("HF_ENDPOINT", endpoint.as_str())]).await;
    out.lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|l| l["type"] == "progress")
        .filter_map(|l| l["active"].as_array().map(Vec::len))
        .max()
        .unwrap_or(0)
}

#[tokio::test]
async fn max_concurrent_files_from_the_file_reaches_the_download() {
    let mut commit = CommitSpec::new();
    for i in 0..4 {
        commit = commit.file(&format!("part{i}.bin"), FileSpec::lfs_generated(40_000, i));
    }
    let hub = hub(RepoSpec::model("org/slow").commit(commit)).await;
    hub.faults()
        .update(|f| f.bandwidth_per_conn = Some(100_000));
    let u = User::new();

    u.ok(&["config", "set", "max_concurrent_files", "1"], &[])
        .await;
    assert_eq!(most_files_at_once(&u, &hub, &[]).await, 1);

    u.ok(&["config", "set", "max_concurrent_files", "4"], &[])
        .await;
    assert!(most_files_at_once(&u, &hub, &["-v"]).await > 1);

    // The download's own --max-workers flag beats the file.
    assert_eq!(
        most_files_at_once(&u, &hub, &["--max-workers", "1"]).await,
        1
    );
}

#[tokio::test]
async fn a_proxy_from_the_file_carries_every_request() {
    let u = User::new();
    // The proxy is the fakehub itself (it answers absolute-form requests); the endpoint is a closed port.
    let proxy = hub(repo()).await;
    u.write_config(&format!(
        "endpoint = \"http://127.0.0.1:9\"\nproxy = \"{}\"\n",
        proxy.url()
    ));
    u.ok(&["download", "org/m"], &[]).await;
    assert!(!proxy.requests().is_empty());
    assert_eq!(snapshot_count(&u.default_cache()), 1);
    // NO_PROXY still applies: the closed port is reached directly, and refuses.
    let out = u
        .run(&["download", "org/m"], &[("NO_PROXY", "127.0.0.1")])
        .await;
    assert_fails(&out, 5, &[]);
}
