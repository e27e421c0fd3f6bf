//! `haul doctor` as a user meets it: the real binary against a loopback fakehub, each failure produced
//! on purpose (a refused token, an endpoint that is a plain web server, a cache that cannot be written,
//! a damaged database, no keyring and no session bus, partial downloads left behind), read back from
//! the table, the JSON report and the exit code (0 all OK, 1 warnings, 2 errors).

use std::path::PathBuf;
use std::process::{Output, Stdio};
use std::time::Duration;

use fakehub::{CommitSpec, FakeHub, FileSpec, RepoSpec, RunningHub};
use serde_json::Value;
use tempfile::TempDir;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const ALICE: &str = "hf_AliceDoctor5b8c1e0f7a92";

struct Env {
    hub: RunningHub,
    home: TempDir,
}

async fn env() -> Env {
    let hub = FakeHub::builder()
        .user("alice", ALICE)
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

/// Where the command finds its D-Bus session bus (keyring, notifications, tray).
enum Bus {
    /// An address that leads nowhere: a headless server.
    Nowhere,
    /// The session of `scripts/with-keyring.sh` and `scripts/with-notifications.sh`.
    Session,
}

impl Env {
    fn cache(&self) -> PathBuf {
        self.home.path().join("hf/hub")
    }

    fn database(&self) -> PathBuf {
        self.home.path().join("haul/haul.db")
    }

    async fn run(&self, args: &[&str], bus: Bus, vars: &[(&str, &str)]) -> Output {
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
            .env("HAUL_RETRIES", "2")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        match bus {
            Bus::Nowhere => {
                let nowhere = format!("unix:path={}", self.home.path().join("no-bus").display());
                command
                    .env("DBUS_SESSION_BUS_ADDRESS", nowhere)
                    .env("XDG_RUNTIME_DIR", self.home.path().join("no-runtime"));
            }
            Bus::Session => {
                command.env(
                    "DBUS_SESSION_BUS_ADDRESS",
                    std::env::var_os("DBUS_SESSION_BUS_ADDRESS")
                        .expect("the test scripts set DBUS_SESSION_BUS_ADDRESS"),
                );
            }
        }
        for (k, v) in vars {
            command.env(k, v);
        }
        let child = command.spawn().expect("run haul");
        tokio::time::timeout(Duration::from_secs(120), child.wait_with_output())
            .await
            .expect("haul finished within two minutes")
            .expect("haul output")
    }

    /// `haul doctor --json`: the report, after checking that the exit code follows the worst check.
    async fn doctor(&self, bus: Bus, vars: &[(&str, &str)]) -> Report {
        let out = self.run(&["doctor", "--json"], bus, vars).await;
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let json: Value = serde_json::from_str(text.trim())
            .unwrap_or_else(|e| panic!("{e}: {text}\nstderr: {}", stderr(&out)));
        let report = Report(json);
        assert_eq!(
            out.status.code(),
            Some(match report.0["status"].as_str() {
                Some("ok") => 0,
                Some("warning") => 1,
                _ => 2,
            }),
            "{text}"
        );
        report
    }
}

struct Report(Value);

impl Report {
    fn check(&self, name: &str) -> &Value {
        self.0["checks"]
            .as_array()
            .expect("checks")
            .iter()
            .find(|c| c["name"] == name)
            .unwrap_or_else(|| panic!("no check {name}: {}", self.0))
    }

    /// Every check but `names` is OK.
    #[track_caller]
    fn others_ok(&self, names: &[&str]) {
        for check in self.0["checks"].as_array().expect("checks") {
            let name = check["name"].as_str().unwrap();
            if !names.contains(&name) {
                assert_eq!(check["status"], "ok", "{check}");
                assert_eq!(check["fix"], Value::Null, "{check}");
            }
        }
    }

    #[track_caller]
    fn says(&self, name: &str, status: &str, detail: &[&str], fix: &[&str]) {
        let check = self.check(name);
        assert_eq!(check["status"], status, "{check}");
        let (d, f) = (
            check["detail"].as_str().unwrap_or(""),
            check["fix"].as_str().unwrap_or(""),
        );
        assert!(
            !d.contains('\n') && !f.contains('\n'),
            "one line each: {check}"
        );
        for word in detail {
            assert!(d.contains(word), "detail lacks {word:?}: {check}");
        }
        for word in fix {
            assert!(f.contains(word), "fix lacks {word:?}: {check}");
        }
    }
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Fails (never skips) outside the session `scripts/test.sh` provides.
fn require_desktop_session() {
    if std::env::var_os("HAUL_TEST_KEYRING").is_none()
        || std::env::var_os("HAUL_TEST_NOTIFICATIONS").is_none()
    {
        panic!(
            "this test needs a throwaway keyring and notification daemon: run it through \
             `scripts/with-keyring.sh scripts/with-notifications.sh cargo test -p haul-cli --test doctor` \
             (scripts/test.sh does this)"
        );
    }
}

#[tokio::test]
async fn everything_in_place_is_all_ok_and_exits_0() {
    require_desktop_session();
    let e = env().await;
    // A tray host, as a desktop has one: this test owns the watcher's name on the session bus.
    let tray = zbus::Connection::session().await.expect("session bus");
    match tray.request_name("org.kde.StatusNotifierWatcher").await {
        Ok(()) | Err(zbus::Error::NameTaken) => {}
        Err(e) => panic!("cannot own the tray name: {e}"),
    }
    let report = e.doctor(Bus::Session, &[("HF_TOKEN", ALICE)]).await;
    report.others_ok(&[]);
    report.says("token", "ok", &["alice", "HF_TOKEN"], &[]);
    report.says("endpoint", "ok", &[&e.hub.url(), "answers like a Hub"], &[]);
    report.says("versions", "ok", &[env!("CARGO_PKG_VERSION")], &[]);

    let table = e
        .run(&["doctor"], Bus::Session, &[("HF_TOKEN", ALICE)])
        .await;
    assert_eq!(table.status.code(), Some(0), "{}", stdout(&table));
    let text = stdout(&table);
    assert!(text.contains("All checks passed."), "{text}");
    assert!(
        text.lines()
            .any(|l| l.starts_with("OK") && l.contains("tray")),
        "{text}"
    );
}

#[tokio::test]
async fn no_keyring_and_no_session_bus_are_warnings_exit_1() {
    let e = env().await;
    let report = e.doctor(Bus::Nowhere, &[]).await;
    report.says(
        "keyring",
        "warning",
        &["no OS keyring"],
        &["haul auth login --token-file"],
    );
    report.says(
        "notifications",
        "warning",
        &["no D-Bus session bus"],
        &["desktop session"],
    );
    report.says(
        "tray",
        "warning",
        &["no D-Bus session bus"],
        &["desktop session"],
    );
    report.others_ok(&["keyring", "notifications", "tray"]);

    let table = e.run(&["doctor"], Bus::Nowhere, &[]).await;
    assert_eq!(table.status.code(), Some(1));
    let text = stdout(&table);
    assert!(
        text.lines()
            .any(|l| l.starts_with("WARNING") && l.contains("keyring")),
        "{text}"
    );
    assert!(
        text.contains("fix: start and unlock your keyring"),
        "{text}"
    );
    assert!(text.contains("3 warnings."), "{text}");
}

#[tokio::test]
async fn a_refused_token_is_an_error_naming_its_source() {
    let e = env().await;
    let report = e
        .doctor(Bus::Nowhere, &[("HF_TOKEN", "hf_NotKnownToThisHub0000")])
        .await;
    report.says(
        "token",
        "error",
        &["refuses the token from HF_TOKEN"],
        &["/settings/tokens", "HF_TOKEN"],
    );
    assert!(
        !report.0.to_string().contains("hf_NotKnownToThisHub0000"),
        "the token is never shown: {}",
        report.0
    );
    // Stored in the HF token file: the fix says how to replace or remove that one.
    std::fs::create_dir_all(e.home.path().join("hf")).unwrap();
    std::fs::write(e.home.path().join("hf/token"), "hf_NotKnownToThisHub0000").unwrap();
    let report = e.doctor(Bus::Nowhere, &[]).await;
    report.says(
        "token",
        "error",
        &["from the HF token file"],
        &["haul auth login --token-file"],
    );
}

/// A web server that is not a Hub: every path answers 200 with a page of HTML.
async fn html_server() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut request = vec![0u8; 4096];
                let _ = socket.read(&mut request).await;
                let body = "<!doctype html><html><body>It works!</body></html>";
                let answer = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = socket.write_all(answer.as_bytes()).await;
            });
        }
    });
    format!("http://{addr}")
}

#[tokio::test]
async fn an_endpoint_that_is_not_a_hub_is_an_error() {
    let e = env().await;
    let site = html_server().await;
    let report = e
        .doctor(Bus::Nowhere, &[("HF_ENDPOINT", &site), ("HF_TOKEN", ALICE)])
        .await;
    report.says(
        "endpoint",
        "error",
        &[&site, "is not a Hub", "text/html"],
        &["HF_ENDPOINT"],
    );
    // The token is not sent to a server that is not a Hub.
    report.says("token", "warning", &["not checked"], &["fix the endpoint"]);

    // Nothing listening at all.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", listener.local_addr().unwrap())
    };
    let report = e.doctor(Bus::Nowhere, &[("HF_ENDPOINT", &closed)]).await;
    report.says(
        "endpoint",
        "error",
        &["cannot reach", &closed],
        &["network"],
    );
}

#[tokio::test]
async fn a_cache_that_cannot_be_written_is_an_error() {
    let e = env().await;
    // A file where the cache folder should be: not writable as a folder, even for root.
    let blocker = e.home.path().join("not-a-folder");
    std::fs::write(&blocker, "x").unwrap();
    let cache = blocker.join("hub");
    let report = e
        .doctor(Bus::Nowhere, &[("HF_HUB_CACHE", cache.to_str().unwrap())])
        .await;
    report.says(
        "cache_dir",
        "error",
        &[&blocker.display().to_string(), "is a file"],
        &["haul config set cache_dir", "HF_HUB_CACHE"],
    );
    // Not writable by permissions (meaningful only for a user the permissions bind).
    #[cfg(unix)]
    if !is_root() {
        use std::os::unix::fs::PermissionsExt;
        std::fs::create_dir_all(e.cache()).unwrap();
        std::fs::set_permissions(e.cache(), std::fs::Permissions::from_mode(0o555)).unwrap();
        let report = e.doctor(Bus::Nowhere, &[]).await;
        std::fs::set_permissions(e.cache(), std::fs::Permissions::from_mode(0o755)).unwrap();
        report.says("cache_dir", "error", &["cannot write in"], &["writable"]);
    }
}

#[cfg(unix)]
fn is_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.trim_ascii() == b"0")
}

#[tokio::test]
async fn a_damaged_database_is_an_error() {
    let e = env().await;
    let made = e
        .run(&["download", "org/m", "--quiet"], Bus::Nowhere, &[])
        .await;
    assert!(made.status.success(), "{}", stderr(&made));
    let report = e.doctor(Bus::Nowhere, &[]).await;
    report.says("database", "ok", &["passes the integrity check"], &[]);

    // The file's 100-byte header stays (so it is recognisably Haul's SQLite database), everything after
    // it, and the write-ahead log, is damage.
    let db = e.database();
    let mut bytes = std::fs::read(&db).unwrap();
    assert!(bytes.starts_with(b"SQLite format 3\0"));
    bytes.resize(8 * 4096, 0);
    for (i, b) in bytes[100..].iter_mut().enumerate() {
        *b = (i % 251) as u8 ^ 0x5a;
    }
    for side in ["haul.db-wal", "haul.db-shm"] {
        let _ = std::fs::remove_file(db.with_file_name(side));
    }
    std::fs::write(&db, bytes).unwrap();
    let report = e.doctor(Bus::Nowhere, &[]).await;
    report.says(
        "database",
        "error",
        &[&db.display().to_string()],
        &["move it aside", "haul scan"],
    );
}

#[tokio::test]
async fn partial_downloads_left_behind_are_a_warning() {
    let e = env().await;
    let made = e
        .run(&["download", "org/m", "--quiet"], Bus::Nowhere, &[])
        .await;
    assert!(made.status.success(), "{}", stderr(&made));
    let blobs = e.cache().join("models--org--m/blobs");
    std::fs::write(
        blobs.join(format!("{}.incomplete", "ab".repeat(32))),
        vec![7u8; 5000],
    )
    .unwrap();
    let report = e.doctor(Bus::Nowhere, &[]).await;
    report.says(
        "partial_files",
        "warning",
        &["1 partial download", "org/m"],
        &["haul prune"],
    );
}

#[tokio::test]
async fn help_states_the_exit_codes() {
    let e = env().await;
    let out = e.run(&["doctor", "--help"], Bus::Nowhere, &[]).await;
    let text = stdout(&out);
    assert!(
        text.contains("0 every check is OK, 1 some warnings, 2 at least one error"),
        "{text}"
    );
}
