//! The hub most tests run against, and small HTTP helpers.

use fakehub::{CommitSpec, FakeHub, FileSpec, Gate, HubBuilder, RepoSpec, RunningHub};
use reqwest::header::HeaderMap;

pub const ALICE: &str = "hf_alice_token";
pub const BOB: &str = "hf_bob_token";

/// The LFS weights of org/model at main.
pub fn weights() -> FileSpec {
    FileSpec::lfs_generated(300_000, 7)
}

pub fn config_v2() -> FileSpec {
    FileSpec::regular(r#"{"version": 2}"#)
}

pub const ODD_NAME: &str = "nested/dir/a b[1].txt";

/// Users alice and bob; org/model (two commits, tag v1, PR 1 and branch dev at the first), a one-segment
/// model `solo`, a dataset, a space, alice's private repo, and a gated repo only alice may download.
pub fn builder() -> HubBuilder {
    FakeHub::builder()
        .user("alice", ALICE)
        .user("bob", BOB)
        .repo(
            RepoSpec::model("org/model")
                .commit(
                    CommitSpec::new()
                        .message("first")
                        .file("config.json", FileSpec::regular(r#"{"version": 1}"#)),
                )
                .commit(
                    CommitSpec::new()
                        .message("second")
                        .file("config.json", config_v2())
                        .file("README.md", FileSpec::regular("# model\n"))
                        .file("model.safetensors", weights())
                        .file(ODD_NAME, FileSpec::regular("odd name\n"))
                        .file("nested/dir/deeper/x.bin", FileSpec::lfs(b"x".repeat(10)))
                        .file("nested/top.txt", FileSpec::regular("top\n")),
                )
                .tag("v1", 0)
                .pr(1, 0)
                .branch("dev", 0),
        )
        .repo(
            RepoSpec::model("solo")
                .commit(CommitSpec::new().file("a.txt", FileSpec::regular("solo\n"))),
        )
        .repo(
            RepoSpec::dataset("org/data")
                .commit(CommitSpec::new().file("data/train.csv", FileSpec::regular("a,b\n1,2\n"))),
        )
        .repo(
            RepoSpec::space("org/space")
                .commit(CommitSpec::new().file("app.py", FileSpec::regular("print()\n"))),
        )
        .repo(
            RepoSpec::model("alice/secret").private("alice").commit(
                CommitSpec::new()
                    .file("config.json", FileSpec::regular("{}"))
                    .file("w.bin", FileSpec::lfs_generated(100_000, 3)),
            ),
        )
        .repo(
            RepoSpec::model("org/gated")
                .gated(Gate::Manual)
                .approve("alice")
                .commit(
                    CommitSpec::new()
                        .file("config.json", FileSpec::regular("{}"))
                        .file("w.bin", FileSpec::lfs_generated(1000, 4)),
                ),
        )
}

pub async fn start() -> RunningHub {
    builder().start().await.expect("hub starts")
}

/// A client that shows redirects instead of following them.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

pub fn header<'a>(h: &'a HeaderMap, name: &str) -> Option<&'a str> {
    h.get(name).and_then(|v| v.to_str().ok())
}

pub async fn json(resp: reqwest::Response) -> serde_json::Value {
    let status = resp.status();
    let text = resp.text().await.expect("body");
    assert!(status.is_success(), "status {status}: {text}");
    serde_json::from_str(&text).expect("json body")
}

/// GET with an optional bearer token.
pub async fn get(url: &str, token: Option<&str>) -> reqwest::Response {
    let mut req = client().get(url);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    req.send().await.expect("request")
}

pub async fn head(url: &str, token: Option<&str>) -> reqwest::Response {
    let mut req = client().head(url);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    req.send().await.expect("request")
}

/// Asserts the headers of a Hub error answer to HEAD (which has no body): status and `X-Error-Code`; returns
/// `X-Error-Message`.
pub fn assert_head_error(resp: &reqwest::Response, status: u16, code: Option<&str>) -> String {
    assert_eq!(resp.status().as_u16(), status, "status of {}", resp.url());
    assert_eq!(header(resp.headers(), "x-error-code"), code);
    header(resp.headers(), "x-error-message")
        .expect("x-error-message")
        .to_string()
}

/// Asserts a Hub error answer: status, `X-Error-Code`, and a JSON body whose `error` matches the header message.
pub async fn assert_error(resp: reqwest::Response, status: u16, code: Option<&str>) -> String {
    assert_eq!(resp.status().as_u16(), status, "status of {}", resp.url());
    assert_eq!(header(resp.headers(), "x-error-code"), code);
    let message = header(resp.headers(), "x-error-message")
        .expect("x-error-message")
        .to_string();
    let body: serde_json::Value =
        serde_json::from_str(&resp.text().await.expect("body")).expect("json error body");
    assert_eq!(body["error"].as_str(), Some(message.as_str()));
    message
}
