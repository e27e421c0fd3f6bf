//! `/resolve`: regular files served directly, LFS files redirected to the CDN, Range, ETags, expiry.

use fakehub::{Listener, RepoType};
use reqwest::header::{CONTENT_LENGTH, CONTENT_RANGE, ETAG, IF_NONE_MATCH, LOCATION, RANGE};

use crate::common::*;

fn resolve_url(hub: &fakehub::RunningHub, path: &str) -> String {
    format!("{}/org/model/resolve/main/{path}", hub.url())
}

#[tokio::test]
async fn head_of_a_regular_file_describes_it() {
    let hub = start().await;
    let resp = head(&resolve_url(&hub, "config.json"), None).await;
    assert_eq!(resp.status().as_u16(), 200);
    let h = resp.headers();
    let cfg = config_v2();
    assert_eq!(
        header(h, "etag"),
        Some(format!("\"{}\"", cfg.git_sha1_hex()).as_str())
    );
    assert_eq!(
        header(h, "x-repo-commit"),
        Some(hub.commit_sha(RepoType::Model, "org/model", 1).as_str())
    );
    assert_eq!(
        header(h, "content-length"),
        Some(cfg.size().to_string().as_str())
    );
    assert!(h.get("x-linked-etag").is_none());
    assert!(h.get("x-linked-size").is_none());
    assert!(h.get(LOCATION).is_none());
}

#[tokio::test]
async fn get_of_a_regular_file_returns_its_bytes() {
    let hub = start().await;
    let resp = get(&resolve_url(&hub, "config.json"), None).await;
    assert_eq!(resp.status().as_u16(), 200);
    assert_eq!(
        resp.bytes().await.expect("body").as_ref(),
        config_v2().bytes().as_slice()
    );
    // Names with a space and brackets arrive percent-encoded; slashes stay.
    let odd = get(&resolve_url(&hub, "nested/dir/a%20b%5B1%5D.txt"), None).await;
    assert_eq!(odd.status().as_u16(), 200);
    assert_eq!(odd.text().await.expect("body"), "odd name\n");
    // Revisions arrive fully encoded.
    let at_pr = get(
        &format!("{}/org/model/resolve/refs%2Fpr%2F1/config.json", hub.url()),
        None,
    )
    .await;
    assert_eq!(at_pr.text().await.expect("body"), r#"{"version": 1}"#);
}

#[tokio::test]
async fn head_of_an_lfs_file_redirects_to_the_cdn() {
    let hub = start().await;
    let w = weights();
    let resp = head(&resolve_url(&hub, "model.safetensors"), None).await;
    assert_eq!(resp.status().as_u16(), 302);
    let h = resp.headers();
    let location = header(h, "location").expect("location");
    assert!(
        location.starts_with(&format!("{}/", hub.cdn_url())),
        "{location}"
    );
    assert_ne!(hub.cdn_url(), hub.url());
    assert_eq!(
        header(h, "x-linked-etag"),
        Some(format!("\"{}\"", w.sha256_hex()).as_str())
    );
    assert_eq!(header(h, "x-linked-size"), Some("300000"));
    assert_eq!(
        header(h, "etag"),
        Some(format!("\"{}\"", w.sha256_hex()).as_str())
    );
    assert_eq!(
        header(h, "x-repo-commit"),
        Some(hub.commit_sha(RepoType::Model, "org/model", 1).as_str())
    );
    assert_ne!(
        header(h, "content-length"),
        Some("300000"),
        "a redirect's length is its own body's"
    );
}

#[tokio::test]
async fn the_cdn_serves_bytes_and_ranges() {
    let hub = start().await;
    let w = weights();
    let location = get(&resolve_url(&hub, "model.safetensors"), None)
        .await
        .headers()[LOCATION]
        .to_str()
        .expect("location")
        .to_string();
    let whole = client().get(&location).send().await.expect("cdn");
    assert_eq!(whole.status().as_u16(), 200);
    assert_eq!(header(whole.headers(), "content-length"), Some("300000"));
    assert_eq!(
        whole.bytes().await.expect("body").as_ref(),
        w.bytes().as_slice()
    );

    let part = client()
        .get(&location)
        .header(RANGE, "bytes=1000-1999")
        .send()
        .await
        .expect("cdn");
    assert_eq!(part.status().as_u16(), 206);
    assert_eq!(
        header(part.headers(), CONTENT_RANGE.as_str()),
        Some("bytes 1000-1999/300000")
    );
    assert_eq!(
        part.bytes().await.expect("body").as_ref(),
        &w.bytes()[1000..2000]
    );

    let tail = client()
        .get(&location)
        .header(RANGE, "bytes=299990-")
        .send()
        .await
        .expect("cdn");
    assert_eq!(tail.status().as_u16(), 206);
    assert_eq!(
        tail.bytes().await.expect("body").as_ref(),
        &w.bytes()[299_990..]
    );

    let past = client()
        .get(&location)
        .header(RANGE, "bytes=300000-")
        .send()
        .await
        .expect("cdn");
    assert_eq!(past.status().as_u16(), 416);
    assert_eq!(
        header(past.headers(), CONTENT_RANGE.as_str()),
        Some("bytes */300000")
    );
}

#[tokio::test]
async fn resolve_honours_ranges() {
    let hub = start().await;
    let resp = client()
        .get(resolve_url(&hub, "config.json"))
        .header(RANGE, "bytes=2-5")
        .send()
        .await
        .expect("request");
    assert_eq!(resp.status().as_u16(), 206);
    let total = config_v2().size();
    assert_eq!(
        header(resp.headers(), "content-range"),
        Some(format!("bytes 2-5/{total}").as_str())
    );
    assert_eq!(
        resp.bytes().await.expect("body").as_ref(),
        &config_v2().bytes()[2..6]
    );
    let past = client()
        .get(resolve_url(&hub, "config.json"))
        .header(RANGE, format!("bytes={total}-"))
        .send()
        .await
        .expect("request");
    assert_eq!(past.status().as_u16(), 416);
}

#[tokio::test]
async fn if_none_match_answers_304() {
    let hub = start().await;
    for (path, etag) in [
        ("config.json", config_v2().git_sha1_hex()),
        ("model.safetensors", weights().sha256_hex()),
    ] {
        let resp = client()
            .head(resolve_url(&hub, path))
            .header(IF_NONE_MATCH, format!("\"{etag}\""))
            .send()
            .await
            .expect("request");
        assert_eq!(resp.status().as_u16(), 304, "{path}");
        assert_eq!(
            header(resp.headers(), ETAG.as_str()),
            Some(format!("\"{etag}\"").as_str())
        );
        assert!(resp.headers().get("x-repo-commit").is_some());
        let other = client()
            .get(resolve_url(&hub, path))
            .header(IF_NONE_MATCH, "\"0000\"")
            .send()
            .await
            .expect("request");
        assert!(matches!(other.status().as_u16(), 200 | 302), "{path}");
    }
    let seen = hub.requests();
    assert!(
        seen.iter()
            .any(|r| r.if_none_match.as_deref() == Some("\"0000\""))
    );
}

#[tokio::test]
async fn expired_cdn_urls_answer_403_until_resolved_again() {
    let hub = start().await;
    let location = |resp: reqwest::Response| {
        resp.headers()[LOCATION]
            .to_str()
            .expect("location")
            .to_string()
    };
    let old = location(head(&resolve_url(&hub, "model.safetensors"), None).await);
    assert_eq!(
        client()
            .get(&old)
            .send()
            .await
            .expect("cdn")
            .status()
            .as_u16(),
        200
    );
    hub.faults().expire_cdn_urls();
    assert_eq!(
        client()
            .get(&old)
            .send()
            .await
            .expect("cdn")
            .status()
            .as_u16(),
        403
    );
    // Clearing faults does not bring old URLs back.
    hub.faults().clear();
    assert_eq!(
        client()
            .get(&old)
            .send()
            .await
            .expect("cdn")
            .status()
            .as_u16(),
        403
    );
    let fresh = location(head(&resolve_url(&hub, "model.safetensors"), None).await);
    assert_ne!(fresh, old);
    let resp = client().get(&fresh).send().await.expect("cdn");
    assert_eq!(resp.status().as_u16(), 200);
    assert_eq!(resp.bytes().await.expect("body").len(), 300_000);
}

#[tokio::test]
async fn tampered_cdn_urls_are_refused() {
    let hub = start().await;
    let location = head(&resolve_url(&hub, "model.safetensors"), None)
        .await
        .headers()[LOCATION]
        .to_str()
        .expect("location")
        .to_string();
    let later = location.replace("Expires=1", "Expires=2");
    assert_ne!(later, location);
    assert_eq!(
        client()
            .get(&later)
            .send()
            .await
            .expect("cdn")
            .status()
            .as_u16(),
        403
    );
    let unsigned = location.split('?').next().expect("path").to_string();
    assert_eq!(
        client()
            .get(&unsigned)
            .send()
            .await
            .expect("cdn")
            .status()
            .as_u16(),
        403
    );
}

#[tokio::test]
async fn a_client_following_the_redirect_sends_no_token_to_the_cdn() {
    let hub = start().await;
    // reqwest drops Authorization when a redirect changes origin, as every client must.
    let following = reqwest::Client::new();
    let resp = following
        .get(format!("{}/alice/secret/resolve/main/w.bin", hub.url()))
        .bearer_auth(ALICE)
        .send()
        .await
        .expect("request");
    assert_eq!(resp.status().as_u16(), 200);
    assert_eq!(resp.bytes().await.expect("body").len(), 100_000);
    let seen = hub.requests();
    let hub_req = seen
        .iter()
        .find(|r| r.listener == Listener::Hub)
        .expect("hub request");
    assert_eq!(
        hub_req.authorization.as_deref(),
        Some(format!("Bearer {ALICE}").as_str())
    );
    assert_eq!(hub_req.method, "GET");
    assert_eq!(hub_req.path, "/alice/secret/resolve/main/w.bin");
    let cdn: Vec<_> = seen
        .iter()
        .filter(|r| r.listener == Listener::Cdn)
        .collect();
    assert_eq!(cdn.len(), 1);
    assert_eq!(cdn[0].authorization, None);

    // And the record does show a token when one is sent to the CDN.
    hub.clear_requests();
    assert!(hub.requests().is_empty());
    let location = head(
        &format!("{}/alice/secret/resolve/main/w.bin", hub.url()),
        Some(ALICE),
    )
    .await
    .headers()[LOCATION]
        .to_str()
        .expect("location")
        .to_string();
    client()
        .get(&location)
        .bearer_auth("leaked")
        .header(RANGE, "bytes=0-9")
        .send()
        .await
        .expect("cdn");
    let cdn = hub
        .requests()
        .into_iter()
        .find(|r| r.listener == Listener::Cdn)
        .expect("cdn request");
    assert_eq!(cdn.authorization.as_deref(), Some("Bearer leaked"));
    assert_eq!(cdn.range.as_deref(), Some("bytes=0-9"));
}

#[tokio::test]
async fn head_and_get_agree_on_length() {
    let hub = start().await;
    let h = head(&resolve_url(&hub, "nested/top.txt"), None).await;
    let g = get(&resolve_url(&hub, "nested/top.txt"), None).await;
    assert_eq!(
        h.headers().get(CONTENT_LENGTH),
        g.headers().get(CONTENT_LENGTH)
    );
    assert_eq!(h.headers().get(ETAG), g.headers().get(ETAG));
}
