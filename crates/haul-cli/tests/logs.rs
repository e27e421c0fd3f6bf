//! Logs as a user meets them: the real binary writes the day's log file in Haul's state dir, at the
//! level `-v`/`-q`/`RUST_LOG` ask for, as text or JSON; a token given on the command line never
//! reaches the file or stderr; a panic leaves a report there; `haul logs` prints and follows it.

use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use fakehub::{CommitSpec, FakeHub, FileSpec, RepoSpec, RunningHub};
use tempfile::TempDir;
use tokio::io::AsyncReadExt;

/// A token the fakehub accepts: if it leaks, the test finds it.
const CANARY: &str = "hf_LogCanary9d41b7e2c0f3";

struct Env {
    hub: RunningHub,
    home: TempDir,
}

async fn env() -> Env {
    let hub = FakeHub::builder()
        .user("carol", CANARY)
        .repo(
            RepoSpec::model("org/m")
                .commit(CommitSpec::new().file("config.json", FileSpec::regular("{}\n"))),
        )
        .start()
        .await
        .expect("fakehub");
    Env {
        hub,
        home: tempfile::tempdir().expect("tempdir"),
    }
}

impl Env {
    fn state(&self) -> PathBuf {
        self.home.path().join("haul/state")
    }

    fn command(&self, args: &[&str], vars: &[(&str, &str)]) -> tokio::process::Command {
        let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_haul"));
        command
            .args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.home.path())
            .env("HF_HOME", self.home.path().join("hf"))
            .env("HAUL_HOME", self.home.path().join("haul"))
            .env("HF_ENDPOINT", self.hub.url())
            .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        for (k, v) in vars {
            command.env(k, v);
        }
        command
    }

    async fn run(&self, args: &[&str], vars: &[(&str, &str)]) -> Output {
        let child = self.command(args, vars).spawn().expect("run haul");
        tokio::time::timeout(Duration::from_secs(120), child.wait_with_output())
            .await
            .expect("haul finished within two minutes")
            .expect("haul output")
    }

    /// Everything in the app's log files.
    fn app_log(&self) -> String {
        log_text(&self.state(), "haul.")
    }
}

fn log_text(dir: &Path, prefix: &str) -> String {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| {
                    let name = p.file_name().unwrap().to_string_lossy().into_owned();
                    name.starts_with(prefix) && name.ends_with(".log")
                })
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
        .iter()
        .map(|f| std::fs::read_to_string(f).unwrap())
        .collect()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[tokio::test]
async fn a_token_on_the_command_line_never_reaches_a_log() {
    let e = env().await;
    for format in ["text", "json"] {
        let out = e
            .run(
                &[
                    "-vvv",
                    "--log-format",
                    format,
                    "download",
                    "org/m",
                    "--token",
                    CANARY,
                ],
                &[],
            )
            .await;
        assert!(out.status.success(), "{}", stderr(&out));
        // The token was really used (so it went through the code that could log it).
        let seen = e.hub.requests();
        assert!(
            seen.iter()
                .any(|r| r.authorization.as_deref() == Some(&format!("Bearer {CANARY}"))),
            "the download used the token"
        );
        assert!(!stderr(&out).contains(CANARY), "stderr: {}", stderr(&out));
        assert!(
            stderr(&out).contains("DEBUG") || stderr(&out).contains("\"level\":\"DEBUG\""),
            "-vvv logs on stderr: {}",
            stderr(&out)
        );
    }
    let log = e.app_log();
    assert!(
        !log.contains(CANARY),
        "the token leaked into the log:\n{log}"
    );
    assert!(
        !log.contains("LogCanary"),
        "part of the token leaked:\n{log}"
    );
    // The line that carried it is there, masked.
    assert!(
        log.lines()
            .any(|l| l.contains("command line") && l.contains(r#""--token", "***""#)),
        "{log}"
    );
    // The JSON run wrote JSON lines, each one an object.
    let json_lines: Vec<serde_json::Value> = log
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert!(
        json_lines
            .iter()
            .any(|v| v["message"] == "command line" && v["level"] == "DEBUG"),
        "{log}"
    );
}

#[tokio::test]
async fn levels_follow_v_q_and_rust_log() {
    let e = env().await;
    // Default: the file gets info (the command's start and end); stderr stays quiet.
    let out = e.run(&["list"], &[]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stderr(&out).contains("INFO"), "{}", stderr(&out));
    let log = e.app_log();
    assert!(
        log.contains("INFO") && log.contains("haul list: finished (exit code 0)"),
        "{log}"
    );
    assert!(!log.contains("DEBUG"), "{log}");

    let out = e.run(&["-vv", "list"], &[]).await;
    assert!(stderr(&out).contains("DEBUG"), "{}", stderr(&out));
    // RUST_LOG replaces the levels: debug from the core only.
    let out = e.run(&["list"], &[("RUST_LOG", "haul::auth=debug")]).await;
    assert!(
        stderr(&out).contains("DEBUG haul::auth"),
        "{}",
        stderr(&out)
    );
    // -q: not even warnings. A broken token file is only debug, so use an unreachable endpoint's error.
    let out = e
        .run(
            &["-q", "download", "org/m"],
            &[("HF_ENDPOINT", "http://127.0.0.1:9"), ("HAUL_RETRIES", "1")],
        )
        .await;
    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
    assert!(stderr(&out).starts_with("error: "), "{}", stderr(&out));
    // Failures are in the log too.
    assert!(
        e.app_log()
            .contains("ERROR haul_file: haul download: cannot reach")
    );
}

#[tokio::test]
async fn a_panic_leaves_a_readable_report_in_the_log() {
    let e = env().await;
    let out = e.run(&["__panic"], &[]).await;
    assert_eq!(out.status.code(), Some(101));
    let err = stderr(&out);
    let file = e.state().join(
        std::fs::read_dir(e.state())
            .unwrap()
            .next()
            .unwrap()
            .unwrap()
            .file_name(),
    );
    assert!(
        err.contains("internal error (a bug)") && err.contains(&file.display().to_string()),
        "{err}"
    );
    assert!(err.lines().count() <= 3, "short on stderr: {err}");
    let log = e.app_log();
    assert!(
        log.contains(&format!("Haul {} panicked", env!("CARGO_PKG_VERSION")))
            && log.contains("the crash report check")
            && log.contains("main.rs")
            && log.contains("backtrace:"),
        "{log}"
    );
}

#[tokio::test]
async fn haul_logs_prints_the_end_and_follows() {
    let e = env().await;
    let out = e.run(&["logs"], &[]).await;
    assert!(out.status.success());
    assert!(stderr(&out).contains("No haul log yet"), "{}", stderr(&out));

    for _ in 0..3 {
        assert!(e.run(&["list"], &[]).await.status.success());
    }
    let out = e.run(&["logs", "--lines", "2"], &[]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert_eq!(text.lines().count(), 2, "{text}");
    assert!(
        text.ends_with("haul list: finished (exit code 0)\n"),
        "{text}"
    );
    let path = stdout(&e.run(&["logs", "--path"], &[]).await);
    assert!(
        path.trim()
            .starts_with(&e.state().join("haul.").display().to_string()),
        "{path}"
    );

    let mut follow = e
        .command(&["logs", "-f", "-n", "0"], &[])
        .spawn()
        .expect("haul logs -f");
    let mut pipe = follow.stdout.take().unwrap();
    let reader = tokio::spawn(async move {
        let mut seen = String::new();
        let mut buf = [0u8; 4096];
        let deadline = Instant::now() + Duration::from_secs(60);
        while !seen.contains("haul scan: finished") && Instant::now() < deadline {
            match tokio::time::timeout(Duration::from_secs(1), pipe.read(&mut buf)).await {
                Ok(Ok(0)) | Ok(Err(_)) => break,
                Ok(Ok(n)) => seen.push_str(&String::from_utf8_lossy(&buf[..n])),
                Err(_) => {}
            }
        }
        seen
    });
    // Give the follower a moment to start; what matters is that the line arrives after the command.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(e.run(&["scan"], &[]).await.status.success());
    let seen = reader.await.unwrap();
    follow.kill().await.unwrap();
    assert!(seen.contains("haul scan: finished"), "followed: {seen}");
    assert!(
        !seen.contains("haul list"),
        "-n 0 prints no old line: {seen}"
    );
}
