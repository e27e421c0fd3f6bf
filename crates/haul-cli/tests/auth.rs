//! `haul auth` and the token's way to the Hub, as a user meets them: the real binary against a loopback
//! fakehub, with the real Secret Service (a throwaway gnome-keyring in the D-Bus session that
//! `scripts/with-keyring.sh` starts) or with no keyring at all (a bus address that leads nowhere).
//! Which token a command used is read from the fakehub's record of the `Authorization` header.

use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::Duration;

use fakehub::{CommitSpec, FakeHub, FileSpec, RepoSpec, RunningHub};
use serde_json::Value;
use tempfile::TempDir;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const ALICE: &str = "hf_AliceCanary7f3e9d2b41c8a6";

/// Where the command finds its Secret Service.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Keyring {
    /// The throwaway one of `scripts/with-keyring.sh`.
    Real,
    /// A D-Bus address that leads nowhere: a headless server.
    Absent,
}

struct Env {
    hub: RunningHub,
    home: TempDir,
    keyring: Keyring,
}

fn private_model() -> RepoSpec {
    RepoSpec::model("alice/private").private("alice").commit(
        CommitSpec::new()
            .file("config.json", FileSpec::regular("{\"private\": true}\n"))
            .file("weights.bin", FileSpec::lfs_generated(70_000, 3)),
    )
}

fn public_model() -> RepoSpec {
    RepoSpec::model("org/public")
        .commit(CommitSpec::new().file("config.json", FileSpec::regular("{}\n")))
}

/// Fails (never skips) when the Secret Service of `scripts/with-keyring.sh` is not there.
fn require_keyring_session() {
    if std::env::var_os("HAUL_TEST_KEYRING").is_none() {
        panic!(
            "this test needs a throwaway Secret Service: run it through the script that starts one, \
             e.g. `scripts/with-keyring.sh cargo test -p haul-cli --test auth` (scripts/test.sh does this)"
        );
    }
}

async fn env(keyring: Keyring) -> Env {
    if keyring == Keyring::Real {
        require_keyring_session();
    }
    let hub = FakeHub::builder()
        .user("alice", ALICE)
        .user("erin", "hf_erin_explicit_0001")
        .user("evan", "hf_evan_environment_0002")
        .user("kate", "hf_kate_keyring_0003")
        .user("fred", "hf_fred_file_0004")
        .repo(private_model())
        .repo(public_model())
        .start()
        .await
        .expect("fakehub");
    Env {
        hub,
        home: tempfile::tempdir().expect("tempdir"),
        keyring,
    }
}

impl Env {
    fn hf_home(&self) -> PathBuf {
        self.home.path().join("hf")
    }

    fn haul_home(&self) -> PathBuf {
        self.home.path().join("haul")
    }

    /// The HF token file, at its default place.
    fn token_file(&self) -> PathBuf {
        self.hf_home().join("token")
    }

    /// The keyring account of this fakehub's endpoint.
    fn account(&self) -> String {
        self.hub.url().trim_start_matches("http://").to_string()
    }

    fn command(&self, args: &[&str], vars: &[(&str, &str)]) -> tokio::process::Command {
        self.command_of(env!("CARGO_BIN_EXE_haul"), args, vars)
    }

    /// `program` with a clean environment: this test's homes, endpoint and keyring.
    fn command_of(
        &self,
        program: &str,
        args: &[&str],
        vars: &[(&str, &str)],
    ) -> tokio::process::Command {
        let mut command = tokio::process::Command::new(program);
        command
            .args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.home.path())
            .env("HF_HOME", self.hf_home())
            .env("HAUL_HOME", self.haul_home())
            .env("HF_ENDPOINT", self.hub.url())
            .env("HAUL_RETRY_DELAY_MS", "20")
            .env("HAUL_RETRIES", "2");
        match self.keyring {
            Keyring::Real => {
                command.env(
                    "DBUS_SESSION_BUS_ADDRESS",
                    std::env::var_os("DBUS_SESSION_BUS_ADDRESS")
                        .expect("with-keyring.sh sets DBUS_SESSION_BUS_ADDRESS"),
                );
            }
            Keyring::Absent => {
                let nowhere = format!("unix:path={}", self.home.path().join("no-bus").display());
                command
                    .env("DBUS_SESSION_BUS_ADDRESS", nowhere)
                    .env("XDG_RUNTIME_DIR", self.home.path().join("no-runtime"));
            }
        }
        for (k, v) in vars {
            command.env(k, v);
        }
        command
    }

    async fn run(&self, args: &[&str], vars: &[(&str, &str)]) -> Output {
        self.run_with_stdin(args, vars, "").await
    }

    /// Runs haul with `stdin` as its (piped, so non-interactive) standard input.
    async fn run_with_stdin(&self, args: &[&str], vars: &[(&str, &str)], stdin: &str) -> Output {
        let mut child = self
            .command(args, vars)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run haul");
        let mut pipe = child.stdin.take().unwrap();
        pipe.write_all(stdin.as_bytes()).await.unwrap();
        drop(pipe);
        tokio::time::timeout(Duration::from_secs(60), child.wait_with_output())
            .await
            .expect("haul finished within a minute")
            .expect("haul output")
    }

    async fn login(&self, token: &str) {
        let out = self.run_with_stdin(&["auth", "login"], &[], token).await;
        assert!(out.status.success(), "login: {}", stderr(&out));
    }

    /// The `Authorization` headers the Hub saw since the last call, then forgets them.
    fn authorizations(&self) -> Vec<Option<String>> {
        let seen = self
            .hub
            .requests()
            .into_iter()
            .filter(|r| r.listener == fakehub::Listener::Hub)
            .map(|r| r.authorization)
            .collect();
        self.hub.clear_requests();
        seen
    }

    /// The token every Hub request carried (all the same), or `None` when they were anonymous.
    fn token_used(&self) -> Option<String> {
        let seen = self.authorizations();
        assert!(!seen.is_empty(), "the command sent no request");
        assert!(
            seen.windows(2).all(|w| w[0] == w[1]),
            "one token per command: {seen:?}"
        );
        seen[0]
            .as_ref()
            .map(|h| h.strip_prefix("Bearer ").expect("bearer").to_string())
    }
}

/// What the real Secret Service holds for `account` (through libsecret's own client).
fn secret_tool_lookup(account: &str) -> Option<String> {
    let out = std::process::Command::new("secret-tool")
        .args(["lookup", "service", "haul", "username", account])
        .output()
        .expect("secret-tool (libsecret-tools) is installed by scripts/lib.sh");
    out.status
        .success()
        .then(|| String::from_utf8(out.stdout).unwrap())
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn json(o: &Output) -> Value {
    let text = stdout(o);
    let line = text
        .lines()
        .last()
        .unwrap_or_else(|| panic!("no JSON: {}", stderr(o)));
    serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"))
}

#[track_caller]
fn assert_fails(o: &Output, code: i32, words: &[&str]) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(code), "exit code; stderr: {err}");
    for w in words {
        assert!(err.contains(w), "stderr lacks {w:?}: {err}");
    }
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[tokio::test]
async fn login_keeps_the_token_in_the_keyring_and_downloads_use_it() {
    let e = env(Keyring::Real).await;
    let out = e
        .run_with_stdin(&["auth", "login"], &[], &format!("{ALICE}\n"))
        .await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("as alice") && stderr(&out).contains("the OS keyring"),
        "{}",
        stderr(&out)
    );
    // Checked with the Hub first, with the new token.
    assert_eq!(e.authorizations(), [Some(format!("Bearer {ALICE}"))]);
    // Really in the Secret Service, under service "haul" and the endpoint's host:port.
    assert_eq!(secret_tool_lookup(&e.account()).as_deref(), Some(ALICE));
    assert!(!e.token_file().exists(), "the token file is not written");

    let out = e.run(&["download", "alice/private", "--quiet"], &[]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(e.token_used().as_deref(), Some(ALICE));
    let snapshot = PathBuf::from(stdout(&out).trim());
    assert_eq!(
        std::fs::read(snapshot.join("config.json")).unwrap(),
        b"{\"private\": true}\n"
    );

    let status = e.run(&["auth", "status", "--json"], &[]).await;
    assert!(status.status.success(), "{}", stderr(&status));
    let status = json(&status);
    assert_eq!(status["source"], "keyring");
    assert_eq!(status["keyring"]["state"], "present");
    assert_eq!(status["keyring_account"], e.account().as_str());

    let who = e.run(&["auth", "whoami", "--json"], &[]).await;
    assert!(who.status.success(), "{}", stderr(&who));
    let who = json(&who);
    assert_eq!(
        (&who["user"], &who["source"]),
        (&"alice".into(), &"keyring".into())
    );
    let text = e.run(&["auth", "whoami"], &[]).await;
    assert_eq!(stdout(&text), "alice\n");
    assert!(stderr(&text).contains("with the token from the OS keyring"));
}

#[tokio::test]
async fn a_refused_token_is_never_stored() {
    let e = env(Keyring::Real).await;
    let out = e
        .run_with_stdin(&["auth", "login"], &[], "hf_not_a_known_token\n")
        .await;
    assert_fails(&out, 4, &["refused this token", "nothing was stored"]);
    assert_eq!(
        e.authorizations(),
        [Some("Bearer hf_not_a_known_token".into())]
    );
    assert_eq!(secret_tool_lookup(&e.account()), None);
    let out = e
        .run_with_stdin(
            &["auth", "login", "--token-file"],
            &[],
            "hf_not_a_known_token",
        )
        .await;
    assert_fails(&out, 4, &["refused this token"]);
    assert!(!e.token_file().exists());

    e.authorizations();
    // Not a token at all: no request is made.
    let out = e.run_with_stdin(&["auth", "login"], &[], "  \n").await;
    assert_fails(&out, 2, &["not a Hub token", "empty"]);
    let out = e
        .run_with_stdin(&["auth", "login"], &[], "hf_one hf_two\n")
        .await;
    assert_fails(&out, 2, &["not a Hub token", "spaces"]);
    assert!(e.authorizations().is_empty());
}

#[tokio::test]
async fn logout_removes_the_entry_and_says_what_still_provides_a_token() {
    let e = env(Keyring::Real).await;
    e.login(ALICE).await;
    std::fs::create_dir_all(e.hf_home()).unwrap();
    std::fs::write(e.token_file(), "hf_fred_file_0004").unwrap();

    let out = e
        .run(
            &["auth", "logout"],
            &[("HF_TOKEN", "hf_evan_environment_0002")],
        )
        .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("Removed the token for"), "{err}");
    assert!(err.contains("HF_TOKEN is still set"), "{err}");
    assert!(
        err.contains("token file") && err.contains("still provides a token"),
        "{err}"
    );
    assert_eq!(secret_tool_lookup(&e.account()), None);
    assert!(
        e.token_file().exists(),
        "plain logout leaves the token file"
    );

    let again = e
        .run(&["auth", "logout", "--token-file", "--json"], &[])
        .await;
    assert!(again.status.success(), "{}", stderr(&again));
    let report = json(&again);
    assert_eq!(report["keyring_removed"], false);
    assert_eq!(report["token_file_removed"], true);
    assert_eq!(report["still_provided_by"], Value::Null);
    assert!(!e.token_file().exists());

    let who = e.run(&["auth", "whoami"], &[]).await;
    assert_fails(&who, 4, &["no token", "haul auth login"]);
}

#[tokio::test]
async fn explicit_then_environment_then_keyring_then_token_file() {
    let e = env(Keyring::Real).await;
    e.login("hf_kate_keyring_0003").await;
    e.authorizations();
    std::fs::create_dir_all(e.hf_home()).unwrap();
    std::fs::write(e.token_file(), "hf_fred_file_0004\n").unwrap();
    let env_token = [("HF_TOKEN", "hf_evan_environment_0002")];
    let dry_run = ["download", "org/public", "--dry-run"];
    let explicit = [&dry_run[..], &["--token", "hf_erin_explicit_0001"]].concat();

    let no_vars: &[(&str, &str)] = &[];
    let cases = [
        (
            &explicit[..],
            &env_token[..],
            "hf_erin_explicit_0001",
            "explicit",
        ),
        (
            &dry_run[..],
            &env_token[..],
            "hf_evan_environment_0002",
            "environment",
        ),
        (&dry_run[..], no_vars, "hf_kate_keyring_0003", "keyring"),
    ];
    for (args, vars, token, source) in cases {
        let out = e.run(args, vars).await;
        assert!(out.status.success(), "{source}: {}", stderr(&out));
        assert_eq!(e.token_used().as_deref(), Some(token), "{source}");
        let mut status_args = vec!["auth", "status", "--json"];
        if source == "explicit" {
            status_args.extend(["--token", "hf_erin_explicit_0001"]);
        }
        let status = json(&e.run(&status_args, vars).await);
        assert_eq!(status["source"], source);
    }

    let out = e.run(&["auth", "logout"], &[]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let out = e.run(&dry_run, &[]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(e.token_used().as_deref(), Some("hf_fred_file_0004"));
    let who = json(&e.run(&["auth", "whoami", "--json"], &[]).await);
    assert_eq!(
        (&who["user"], &who["source"]),
        (&"fred".into(), &"token_file".into())
    );

    std::fs::remove_file(e.token_file()).unwrap();
    e.authorizations();
    let out = e.run(&dry_run, &[]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(e.token_used(), None, "no token anywhere: anonymous");
}

#[tokio::test]
async fn a_mirror_has_its_own_keyring_entry() {
    let e = env(Keyring::Real).await;
    let mirror = FakeHub::builder()
        .user("kate", "hf_kate_keyring_0003")
        .repo(public_model())
        .start()
        .await
        .unwrap();
    e.login(ALICE).await;
    let out = e
        .run_with_stdin(
            &["--endpoint", &mirror.url(), "auth", "login"],
            &[],
            "hf_kate_keyring_0003",
        )
        .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let mirror_account = mirror.url().trim_start_matches("http://").to_string();
    assert_eq!(
        secret_tool_lookup(&mirror_account).as_deref(),
        Some("hf_kate_keyring_0003")
    );
    assert_eq!(secret_tool_lookup(&e.account()).as_deref(), Some(ALICE));
    let who = json(&e.run(&["auth", "whoami", "--json"], &[]).await);
    assert_eq!(who["user"], "alice");
    e.run(&["auth", "logout"], &[]).await;
    let out = e
        .run(&["--endpoint", &mirror.url(), "auth", "logout"], &[])
        .await;
    assert!(out.status.success());
    assert_eq!(secret_tool_lookup(&mirror_account), None);
}

#[tokio::test]
async fn without_a_keyring_login_says_so_and_the_token_file_is_the_fallback() {
    let e = env(Keyring::Absent).await;
    let started = std::time::Instant::now();
    let out = e
        .run_with_stdin(&["auth", "login"], &[], &format!("{ALICE}\n"))
        .await;
    assert_fails(
        &out,
        4,
        &["no OS keyring is available", "--token-file", "HF_TOKEN"],
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "no waiting for a bus"
    );
    assert!(!e.token_file().exists(), "no fallback without --token-file");

    let out = e
        .run_with_stdin(&["auth", "login", "--token-file"], &[], ALICE)
        .await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("HF token file"), "{}", stderr(&out));
    assert_eq!(std::fs::read(e.token_file()).unwrap(), ALICE.as_bytes());
    #[cfg(unix)]
    assert_eq!(mode(&e.token_file()), 0o600);
    let leftovers: Vec<_> = std::fs::read_dir(e.hf_home())
        .unwrap()
        .map(|d| d.unwrap().file_name())
        .filter(|n| n != "token")
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");

    // Downloads pick it up (the unreachable keyring is skipped quietly).
    e.authorizations();
    let out = e.run(&["download", "alice/private", "--quiet"], &[]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stderr(&out), "", "nothing said about the missing keyring");
    assert_eq!(e.token_used().as_deref(), Some(ALICE));

    let status = e.run(&["auth", "status"], &[]).await;
    let text = stdout(&status);
    assert!(
        text.contains("Token in use: the HF token file")
            && text.contains("OS keyring   no OS keyring is available"),
        "{text}"
    );
    let status = json(&e.run(&["auth", "status", "--json"], &[]).await);
    assert_eq!(status["source"], "token_file");
    assert_eq!(status["keyring"]["state"], "unavailable");

    // The old spelling, and an explicit HF_TOKEN_PATH.
    let elsewhere = e.home.path().join("secrets").join("hf-token");
    let out = e
        .run_with_stdin(
            &["auth", "login", "--no-keyring"],
            &[("HF_TOKEN_PATH", elsewhere.to_str().unwrap())],
            ALICE,
        )
        .await;
    assert!(out.status.success(), "{}", stderr(&out));
    #[cfg(unix)]
    assert_eq!(mode(&elsewhere), 0o600);

    let out = e.run(&["auth", "logout"], &[]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("no OS keyring is available")
            && stderr(&out).contains("still provides a token"),
        "{}",
        stderr(&out)
    );
}

#[tokio::test]
async fn whoami_and_status_without_any_token() {
    let e = env(Keyring::Absent).await;
    let who = e.run(&["auth", "whoami"], &[]).await;
    assert_fails(&who, 4, &["no token", "haul auth login"]);
    let who = e.run(&["auth", "whoami", "--json"], &[]).await;
    assert_eq!(who.status.code(), Some(4));
    let error = json(&who);
    assert_eq!(
        (&error["type"], &error["kind"]),
        (&"error".into(), &"auth".into())
    );

    let status = e.run(&["auth", "status"], &[]).await;
    assert!(status.status.success());
    assert!(
        stdout(&status).contains("Token in use: none"),
        "{}",
        stdout(&status)
    );
    let status = json(&e.run(&["auth", "status", "--json"], &[]).await);
    assert_eq!(status["source"], Value::Null);

    // A token the Hub refuses, from HF_TOKEN: whoami says so, and where tokens come from.
    let who = e
        .run(&["auth", "whoami"], &[("HF_TOKEN", "hf_revoked_token")])
        .await;
    assert_fails(&who, 4, &["refused the token", "haul auth status"]);
    let who = json(
        &e.run(
            &["auth", "whoami", "--json"],
            &[("HF_TOKEN", "hf_erin_explicit_0001")],
        )
        .await,
    );
    assert_eq!(
        (&who["user"], &who["source"]),
        (&"erin".into(), &"environment".into())
    );
}

/// Runs `haul auth login` on a pseudo-terminal (through util-linux `script`), typing as a user
/// would: the token at the hidden prompt, then the answer to the fallback question.
async fn login_on_a_terminal(e: &Env, answer: &str) -> (Option<i32>, String) {
    let shell_command = format!("'{}' auth login", env!("CARGO_BIN_EXE_haul"));
    let mut script = e.command_of(
        "script",
        &[
            "--quiet",
            "--return",
            "--command",
            &shell_command,
            "/dev/null",
        ],
        &[("SHELL", "/bin/sh"), ("TERM", "dumb")],
    );
    script
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let mut child = script.spawn().expect("script (util-linux)");
    let mut input = child.stdin.take().unwrap();
    let mut output = child.stdout.take().unwrap();
    let mut seen = Vec::new();
    let mut wait_for = async |needle: &str, seen: &mut Vec<u8>| {
        let mut buf = [0u8; 4096];
        while !String::from_utf8_lossy(seen).contains(needle) {
            let n = tokio::time::timeout(Duration::from_secs(30), output.read(&mut buf))
                .await
                .unwrap_or_else(|_| {
                    panic!(
                        "waiting for {needle:?}; so far: {}",
                        String::from_utf8_lossy(seen)
                    )
                })
                .unwrap();
            assert!(
                n > 0,
                "ended before {needle:?}: {}",
                String::from_utf8_lossy(seen)
            );
            seen.extend_from_slice(&buf[..n]);
        }
    };
    wait_for("Token: ", &mut seen).await;
    // The prompt is printed just before echo is turned off; a person types later than that.
    tokio::time::sleep(Duration::from_millis(1000)).await;
    input
        .write_all(format!("{ALICE}\n").as_bytes())
        .await
        .unwrap();
    wait_for("[y/N]", &mut seen).await;
    input
        .write_all(format!("{answer}\n").as_bytes())
        .await
        .unwrap();
    let mut rest = Vec::new();
    tokio::time::timeout(Duration::from_secs(30), output.read_to_end(&mut rest))
        .await
        .expect("login finished")
        .unwrap();
    seen.extend_from_slice(&rest);
    let status = child.wait().await.unwrap();
    drop(input);
    (status.code(), String::from_utf8_lossy(&seen).into_owned())
}

#[tokio::test]
async fn on_a_terminal_the_prompt_hides_the_token_and_the_fallback_is_offered() {
    let e = env(Keyring::Absent).await;
    let (code, screen) = login_on_a_terminal(&e, "n").await;
    assert_eq!(code, Some(4), "{screen}");
    assert!(screen.contains("settings/tokens"), "{screen}");
    assert!(screen.contains("no OS keyring is available"), "{screen}");
    assert!(!screen.contains(ALICE), "the token was echoed: {screen}");
    assert!(!e.token_file().exists(), "answered no: nothing written");

    let (code, screen) = login_on_a_terminal(&e, "y").await;
    assert_eq!(code, Some(0), "{screen}");
    assert!(screen.contains("as alice"), "{screen}");
    assert!(!screen.contains(ALICE), "the token was echoed: {screen}");
    assert_eq!(std::fs::read(e.token_file()).unwrap(), ALICE.as_bytes());
    #[cfg(unix)]
    assert_eq!(mode(&e.token_file()), 0o600);
}

/// Every file below `dir` whose bytes contain `needle`.
fn files_containing(dir: &Path, needle: &[u8]) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return found;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let meta = std::fs::symlink_metadata(&path).unwrap();
        if meta.is_dir() {
            found.extend(files_containing(&path, needle));
        } else if meta.is_file() {
            let bytes = std::fs::read(&path).unwrap();
            if bytes.windows(needle.len()).any(|w| w == needle) {
                found.push(path);
            }
        }
    }
    found
}

#[tokio::test]
async fn the_token_never_reaches_logs_json_or_files() {
    let e = env(Keyring::Real).await;
    // The token file (which must hold it) is kept outside the folders that are searched.
    let secrets = e.home.path().join("secrets");
    let token_path = secrets.join("token");
    let token_path_var = ("HF_TOKEN_PATH", token_path.to_str().unwrap());
    let trace = ("RUST_LOG", "trace");
    let local = e.home.path().join("local").to_str().unwrap().to_string();
    let mut outputs: Vec<(String, Output)> = Vec::new();
    let mut record = |what: &str, out: Output| {
        assert!(out.status.success(), "{what}: {}", stderr(&out));
        outputs.push((what.to_string(), out));
    };

    record(
        "login -vvv",
        e.run_with_stdin(&["-vvv", "auth", "login"], &[trace], ALICE)
            .await,
    );
    record(
        "login --json",
        e.run_with_stdin(&["-vvv", "auth", "login", "--json"], &[], ALICE)
            .await,
    );
    record(
        "status --json",
        e.run(&["-vvv", "auth", "status", "--json"], &[trace]).await,
    );
    record(
        "whoami --json",
        e.run(&["-vvv", "auth", "whoami", "--json"], &[trace]).await,
    );
    record(
        "download --json (keyring)",
        e.run(&["-vvv", "download", "alice/private", "--json"], &[trace])
            .await,
    );
    assert_eq!(
        e.token_used().as_deref(),
        Some(ALICE),
        "the keyring token was used"
    );
    record(
        "download again, nothing to fetch",
        e.run(&["-vvv", "download", "alice/private"], &[trace])
            .await,
    );
    record(
        "download --json (HF_TOKEN)",
        e.run(
            &[
                "-vvv",
                "download",
                "alice/private",
                "--local-dir",
                &local,
                "--json",
            ],
            &[trace, ("HF_TOKEN", ALICE)],
        )
        .await,
    );
    record(
        "logout --json",
        e.run(&["-vvv", "auth", "logout", "--json"], &[trace]).await,
    );
    record(
        "login --token-file",
        e.run_with_stdin(
            &["-vvv", "auth", "login", "--token-file", "--json"],
            &[trace, token_path_var],
            ALICE,
        )
        .await,
    );
    record(
        "download (token file) --json",
        e.run(
            &[
                "-vvv",
                "download",
                "alice/private",
                "--json",
                "--revision",
                "main",
            ],
            &[trace, token_path_var],
        )
        .await,
    );
    record(
        "whoami (token file)",
        e.run(&["-vvv", "auth", "whoami"], &[trace, token_path_var])
            .await,
    );
    assert_eq!(e.token_used().as_deref(), Some(ALICE));
    // A refused token is not repeated in the error either.
    let refused = e
        .run(
            &["-vvv", "auth", "whoami", "--json"],
            &[trace, ("HF_TOKEN", "hf_RefusedCanary_9d8c7b")],
        )
        .await;
    assert_eq!(refused.status.code(), Some(4));
    let refused_text = format!("{}{}", stdout(&refused), stderr(&refused));
    assert!(
        !refused_text.contains("hf_RefusedCanary_9d8c7b"),
        "{refused_text}"
    );

    let mut logged = 0;
    for (what, out) in &outputs {
        let text = format!("{}{}", stdout(out), stderr(out));
        logged += stderr(out).lines().count();
        assert!(!text.contains(ALICE), "{what} printed the token:\n{text}");
        for line in stdout(out).lines().filter(|l| l.starts_with('{')) {
            serde_json::from_str::<Value>(line).unwrap_or_else(|e| panic!("{what}: {e}: {line}"));
        }
    }
    assert!(logged > 50, "trace logging was on ({logged} lines)");

    // Files Haul wrote: its own folder (the registry database lives there) and the HF cache.
    std::fs::create_dir_all(e.haul_home()).unwrap();
    for dir in [e.haul_home(), e.hf_home(), PathBuf::from(&local)] {
        let leaks = files_containing(&dir, ALICE.as_bytes());
        assert!(leaks.is_empty(), "the token is in {leaks:?}");
    }
    assert!(
        e.hf_home().join("hub/models--alice--private").is_dir(),
        "the search covered the cache Haul wrote"
    );
    assert_eq!(files_containing(&secrets, ALICE.as_bytes()), [token_path]);
}
