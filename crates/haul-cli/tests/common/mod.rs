//! Helpers shared by the CLI's integration tests: an isolated home (HOME, HF_HOME, HAUL_HOME in a
//! temporary folder) beside a loopback fakehub, `haul` run in it, `haul queue --json` read back, a
//! real `haul daemon` started and stopped with SIGTERM, and waiting on a condition with a generous
//! deadline instead of sleeping a fixed time.

#![allow(dead_code)]

use std::future::Future;
use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Output, Stdio};
use std::time::{Duration, Instant};

use fakehub::{HubBuilder, RunningHub};
use serde_json::Value;
use tempfile::TempDir;

/// A fakehub and a home of its own for `haul`.
pub struct Env {
    pub hub: RunningHub,
    pub home: TempDir,
    /// Extra variables for every `haul` this env runs.
    pub vars: Vec<(String, String)>,
}

impl Env {
    pub async fn start(builder: HubBuilder) -> Env {
        Env {
            hub: builder.start().await.expect("fakehub"),
            home: tempfile::tempdir().expect("tempdir"),
            vars: Vec::new(),
        }
    }

    /// Sets a variable for every `haul` run from now on.
    pub fn var(&mut self, key: &str, value: &str) {
        self.vars.push((key.into(), value.into()));
    }

    pub fn cache(&self) -> PathBuf {
        self.home.path().join("hf/hub")
    }

    pub fn haul_home(&self) -> PathBuf {
        self.home.path().join("haul")
    }

    /// `haul ARGS` in this env: nothing of the machine's own settings, cache or bus leaks in. The
    /// clock's zone is UTC, so tests can write wall-clock times.
    pub fn command(&self, args: &[&str]) -> tokio::process::Command {
        let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_haul"));
        command
            .args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.home.path())
            .env("HF_HOME", self.home.path().join("hf"))
            .env("HAUL_HOME", self.haul_home())
            .env("HF_ENDPOINT", self.hub.url())
            .env("HAUL_RETRY_DELAY_MS", "20")
            .env("HAUL_RETRIES", "3")
            .env("TZ", "UTC0")
            .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent")
            .stdin(Stdio::null())
            .kill_on_drop(true);
        for (k, v) in &self.vars {
            command.env(k, v);
        }
        command
    }

    pub async fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().await.expect("run haul")
    }

    /// Runs a command that must succeed and print one JSON value.
    pub async fn json(&self, args: &[&str]) -> Value {
        let out = self.run(args).await;
        assert!(
            out.status.success(),
            "haul {args:?} failed: {}",
            stderr(&out)
        );
        let text = String::from_utf8_lossy(&out.stdout);
        serde_json::from_str(text.trim())
            .unwrap_or_else(|e| panic!("haul {args:?} printed no JSON ({e}): {text}"))
    }

    /// `haul queue --json`: every job, as the CLI shows it.
    pub async fn jobs(&self) -> Vec<Value> {
        self.json(&["queue", "--json", "--recent", "50"])
            .await
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    pub async fn job(&self, id: i64) -> Value {
        self.jobs()
            .await
            .into_iter()
            .find(|j| j["id"] == id)
            .unwrap_or_else(|| panic!("no job {id} in `haul queue`"))
    }

    /// Starts `haul daemon` and waits until it holds the service lock.
    pub async fn daemon(&self) -> Daemon {
        let child = self
            .command(&["daemon"])
            .stderr(Stdio::null())
            .spawn()
            .expect("start haul daemon");
        let pid = child.id().expect("a pid");
        let lock = self.haul_home().join("service.lock");
        wait_for("the daemon to take the service lock", 30, || async {
            std::fs::read_to_string(&lock)
                .ok()
                .filter(|t| t.lines().next() == Some(pid.to_string().as_str()))
        })
        .await;
        Daemon {
            child,
            pid,
            logs: self.haul_home().join("state"),
        }
    }

    /// The snapshots of `models--{org}--{name}`, sorted.
    pub fn snapshots(&self, repo_id: &str) -> Vec<String> {
        let dir = self
            .cache()
            .join(format!("models--{}", repo_id.replace('/', "--")))
            .join("snapshots");
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .map(|d| {
                d.flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    }
}

/// A running `haul daemon`.
pub struct Daemon {
    pub child: tokio::process::Child,
    pub pid: u32,
    /// Where its day's log files, `daemon.YYYY-MM-DD.log`, are.
    logs: PathBuf,
}

impl Daemon {
    /// SIGTERM, then its exit status (it must stop within 30 s).
    pub async fn stop(mut self) -> ExitStatus {
        signal(self.pid, "TERM");
        tokio::time::timeout(Duration::from_secs(30), self.child.wait())
            .await
            .expect("the daemon stops on SIGTERM")
            .expect("its status")
    }

    /// What it logged (every day's file, oldest first).
    pub fn log(&self) -> String {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&self.logs)
            .map(|d| {
                d.flatten()
                    .map(|e| e.path())
                    .filter(|p| {
                        p.file_name()
                            .is_some_and(|n| n.to_string_lossy().starts_with("daemon."))
                    })
                    .collect()
            })
            .unwrap_or_default();
        files.sort();
        files
            .iter()
            .map(|f| std::fs::read_to_string(f).unwrap_or_default())
            .collect()
    }
}

pub fn signal(pid: u32, name: &str) {
    let status = std::process::Command::new("kill")
        .args([format!("-{name}"), pid.to_string()])
        .status()
        .expect("kill");
    assert!(status.success(), "kill -{name} {pid}");
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Polls `check` every 100 ms until it gives a value; fails after `secs` seconds, naming `what`.
pub async fn wait_for<T, F, Fut>(what: &str, secs: u64, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(
            Instant::now() < deadline,
            "waited {secs}s for {what}, in vain"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until the hub has sent no body byte for a while (connections being let go may still
/// deliver a chunk or two); returns the settled count.
pub async fn settled_bytes(hub: &RunningHub) -> u64 {
    let mut before = hub.faults().body_bytes_sent();
    for _ in 0..60 {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let now = hub.faults().body_bytes_sent();
        if now == before {
            return now;
        }
        before = now;
    }
    panic!("the hub kept sending bytes for 30 s");
}

/// sha256 of a file, hex.
pub fn sha256_of(path: &Path) -> String {
    use sha2::Digest;
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    hex::encode(sha2::Sha256::digest(bytes))
}
