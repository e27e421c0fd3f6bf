//! The `fakehub` binary: prints where it listens, serves a manifest or the demo, stops on SIGTERM.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use fakehub::Manifest;

use crate::common::*;

struct Running {
    child: Child,
    hub: String,
    cdn: String,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn spawn(args: &[&str]) -> Running {
    let mut child = Command::new(env!("CARGO_BIN_EXE_fakehub"))
        .args(args)
        .stdout(Stdio::piped())
        .spawn()
        .expect("fakehub starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("first line");
    let v: serde_json::Value = serde_json::from_str(&line).expect("one JSON line");
    Running {
        hub: v["hub"].as_str().expect("hub").to_string(),
        cdn: v["cdn"].as_str().expect("cdn").to_string(),
        child,
    }
}

#[tokio::test]
async fn serves_the_demo() {
    let fh = spawn(&["--demo", "--page-size", "2"]);
    assert!(fh.hub.starts_with("http://127.0.0.1:"));
    assert!(fh.cdn.starts_with("http://127.0.0.1:"));
    assert_ne!(fh.hub, fh.cdn);
    let info = json(get(&format!("{}/api/models/fakehub/demo-model", fh.hub), None).await).await;
    assert_eq!(info["id"], "fakehub/demo-model");
    let tree = get(
        &format!(
            "{}/api/models/fakehub/demo-model/tree/main?recursive=true",
            fh.hub
        ),
        None,
    )
    .await;
    assert!(tree.headers().get("link").is_some(), "page size applies");
    let demo = Manifest::demo();
    let token = demo.users.get("demo").expect("demo user");
    let private = get(
        &format!("{}/fakehub/private-model/resolve/main/config.json", fh.hub),
        Some(token),
    )
    .await;
    assert_eq!(private.status().as_u16(), 200);
}

#[tokio::test]
async fn serves_a_manifest_with_initial_faults_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("hub.json");
    std::fs::write(
        &path,
        r#"{"users": {"u": "tok"}, "repos": [
            {"id": "m", "commits": [{"files": {"a.txt": "one"}}, {"files": {"a.txt": "two", "w.bin": {"size": 100, "seed": 1, "lfs": true}}}],
             "tags": {"v1": 0}}
        ]}"#,
    )
    .expect("write manifest");
    let path = path.to_str().expect("utf-8 path");
    let mut fh = spawn(&[
        "--manifest",
        path,
        "--faults",
        r#"{"server_error": {"status": 502, "times": 1}}"#,
    ]);
    assert_eq!(
        get(&format!("{}/m/resolve/main/a.txt", fh.hub), None)
            .await
            .status()
            .as_u16(),
        502
    );
    assert_eq!(
        get(&format!("{}/m/resolve/main/a.txt", fh.hub), None)
            .await
            .text()
            .await
            .expect("body"),
        "two"
    );
    assert_eq!(
        get(&format!("{}/m/resolve/v1/a.txt", fh.hub), None)
            .await
            .text()
            .await
            .expect("body"),
        "one"
    );
    let w = get(&format!("{}/m/resolve/main/w.bin", fh.hub), None).await;
    assert_eq!(w.status().as_u16(), 302);

    let pid = fh.child.id().to_string();
    let killed = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill");
    assert!(killed.success());
    let status = fh.child.wait().expect("exits");
    assert!(status.success(), "clean exit on SIGTERM: {status:?}");
}

#[test]
fn refuses_a_bad_manifest() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("bad.json");
    std::fs::write(&path, r#"{"repos": [{"id": "m", "branches": {"x": 3}}]}"#).expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_fakehub"))
        .args(["--manifest", path.to_str().expect("utf-8 path")])
        .output()
        .expect("runs");
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("branch x"));
}
