//! Every fault switch does what it says, on the listeners it says, and one-shot faults disarm.

use std::time::{Duration, Instant};

use fakehub::{CorruptFault, Countdown, FaultState, RateLimitFault, RunningHub, StatusFault};
use futures_util::StreamExt;
use reqwest::header::{LOCATION, RANGE};

use crate::common::*;

fn config_url(hub: &RunningHub) -> String {
    format!("{}/org/model/resolve/main/config.json", hub.url())
}

fn weights_url(hub: &RunningHub) -> String {
    format!("{}/org/model/resolve/main/model.safetensors", hub.url())
}

async fn cdn_location(hub: &RunningHub) -> String {
    head(&weights_url(hub), None).await.headers()[LOCATION]
        .to_str()
        .expect("location")
        .to_string()
}

#[tokio::test]
async fn latency_delays_both_listeners() {
    let hub = start().await;
    let location = cdn_location(&hub).await;
    hub.faults().update(|f| f.latency_ms = 300);
    for url in [config_url(&hub), location] {
        let t = Instant::now();
        let resp = client().head(&url).send().await.expect("request");
        assert!(resp.status().is_success());
        assert!(
            t.elapsed() >= Duration::from_millis(300),
            "{url}: {:?}",
            t.elapsed()
        );
    }
}

#[tokio::test]
async fn bandwidth_limits_every_file_body() {
    let hub = start().await;
    let location = cdn_location(&hub).await;
    hub.faults()
        .update(|f| f.bandwidth_per_conn = Some(100_000));
    // 100 000 bytes at 100 000 B/s: the first tenth goes at once, the rest takes 0.9 s.
    let t = Instant::now();
    let resp = client()
        .get(&location)
        .header(RANGE, "bytes=0-99999")
        .send()
        .await
        .expect("cdn");
    assert_eq!(
        resp.bytes().await.expect("body").as_ref(),
        &weights().bytes()[..100_000]
    );
    let took = t.elapsed();
    assert!(took >= Duration::from_millis(850), "too fast: {took:?}");
    assert!(took < Duration::from_secs(5), "too slow: {took:?}");
    // Direct resolve bodies are limited too; lifting the limit frees them.
    hub.faults().update(|f| f.bandwidth_per_conn = Some(10));
    let t = Instant::now();
    let slow = get(&config_url(&hub), None).await;
    let small = slow.bytes().await.expect("body");
    assert_eq!(small.as_ref(), config_v2().bytes().as_slice());
    assert!(
        t.elapsed() >= Duration::from_millis(500),
        "{:?}",
        t.elapsed()
    );
    hub.faults().clear();
    let t = Instant::now();
    get(&location, None).await.bytes().await.expect("body");
    assert!(t.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn drop_after_cuts_the_connection_then_disarms() {
    let hub = start().await;
    let location = cdn_location(&hub).await;
    hub.faults().update(|f| {
        f.drop_after = Some(Countdown {
            bytes: 70_000,
            times: 1,
        })
    });
    let resp = client()
        .get(&location)
        .send()
        .await
        .expect("headers arrive");
    assert_eq!(resp.status().as_u16(), 200);
    let mut stream = resp.bytes_stream();
    let mut got = 0usize;
    let mut failed = false;
    while let Some(chunk) = stream.next().await {
        match chunk {
            Ok(c) => got += c.len(),
            Err(_) => {
                failed = true;
                break;
            }
        }
    }
    assert!(failed, "the body must end in an error");
    assert_eq!(got, 70_000);
    assert_eq!(hub.faults().get().drop_after, None, "disarmed");
    let again = client().get(&location).send().await.expect("cdn");
    assert_eq!(again.bytes().await.expect("whole body").len(), 300_000);
}

#[tokio::test]
async fn drop_after_always_hits_ranges_too() {
    let hub = start().await;
    hub.faults().update(|f| {
        f.drop_after = Some(Countdown {
            bytes: 3,
            times: u32::MAX,
        })
    });
    for _ in 0..2 {
        let resp = client()
            .get(config_url(&hub))
            .header(RANGE, "bytes=1-")
            .send()
            .await
            .expect("headers");
        assert_eq!(resp.status().as_u16(), 206);
        assert!(resp.bytes().await.is_err());
    }
    assert!(hub.faults().get().drop_after.is_some());
}

#[tokio::test]
async fn server_errors_hit_the_hub_only_then_disarm() {
    let hub = start().await;
    let location = cdn_location(&hub).await;
    hub.faults().set(FaultState {
        server_error: Some(StatusFault {
            status: 503,
            times: 2,
        }),
        ..Default::default()
    });
    assert_eq!(
        client()
            .get(&location)
            .send()
            .await
            .expect("cdn")
            .status()
            .as_u16(),
        200,
        "CDN unaffected"
    );
    assert_eq!(get(&config_url(&hub), None).await.status().as_u16(), 503);
    assert_eq!(
        get(&format!("{}/api/models/org/model", hub.url()), None)
            .await
            .status()
            .as_u16(),
        503
    );
    assert_eq!(get(&config_url(&hub), None).await.status().as_u16(), 200);
    assert_eq!(hub.faults().get().server_error, None);
}

#[tokio::test]
async fn rate_limits_answer_429_with_retry_headers() {
    let hub = start().await;
    hub.faults().update(|f| {
        f.rate_limit = Some(RateLimitFault {
            retry_after_secs: 7,
            times: 1,
        })
    });
    let resp = get(&format!("{}/api/models/org/model", hub.url()), None).await;
    assert_eq!(resp.status().as_u16(), 429);
    let h = resp.headers();
    assert_eq!(header(h, "retry-after"), Some("7"));
    assert!(
        header(h, "ratelimit").is_some_and(|v| v.contains("r=0") && v.contains("t=7")),
        "{h:?}"
    );
    assert!(
        header(h, "ratelimit-policy").is_some_and(|v| v.contains("w=300")),
        "{h:?}"
    );
    assert_eq!(
        get(&format!("{}/api/models/org/model", hub.url()), None)
            .await
            .status()
            .as_u16(),
        200
    );
}

#[tokio::test]
async fn ignore_range_serves_the_whole_body() {
    let hub = start().await;
    let location = cdn_location(&hub).await;
    hub.faults().update(|f| f.ignore_range = true);
    for url in [location, config_url(&hub)] {
        let resp = client()
            .get(&url)
            .header(RANGE, "bytes=5-")
            .send()
            .await
            .expect("request");
        assert_eq!(resp.status().as_u16(), 200, "{url}");
        assert!(resp.headers().get("content-range").is_none());
        let body = resp.bytes().await.expect("body");
        assert!(body.len() == 300_000 || body.as_ref() == config_v2().bytes().as_slice());
    }
}

#[tokio::test]
async fn corruption_flips_one_byte_in_matching_bodies() {
    let hub = start().await;
    let location = cdn_location(&hub).await;
    let good = weights().bytes();
    hub.faults().update(|f| {
        f.corrupt = Some(CorruptFault {
            offset: 200_000,
            times: 1,
            path_suffix: Some(".safetensors".into()),
        })
    });
    // A body that does not cover the offset, or a path that does not match, is left alone.
    let early = client()
        .get(&location)
        .header(RANGE, "bytes=0-999")
        .send()
        .await
        .expect("cdn");
    assert_eq!(early.bytes().await.expect("body").as_ref(), &good[..1000]);
    let other = get(&config_url(&hub), None)
        .await
        .bytes()
        .await
        .expect("body");
    assert_eq!(other.as_ref(), config_v2().bytes().as_slice());

    let bad = get(&location, None).await.bytes().await.expect("body");
    let diffs: Vec<usize> = (0..good.len()).filter(|&i| bad[i] != good[i]).collect();
    assert_eq!(diffs, vec![200_000]);
    let healed = get(&location, None).await.bytes().await.expect("body");
    assert_eq!(healed.as_ref(), good.as_slice());
}

#[tokio::test]
async fn stall_after_stops_sending_without_closing() {
    let hub = start().await;
    let location = cdn_location(&hub).await;
    hub.faults().update(|f| {
        f.stall_after = Some(Countdown {
            bytes: 1000,
            times: 1,
        })
    });
    let resp = client().get(&location).send().await.expect("headers");
    let mut stream = resp.bytes_stream();
    let mut got = 0;
    loop {
        match tokio::time::timeout(Duration::from_millis(700), stream.next()).await {
            Ok(Some(Ok(c))) => got += c.len(),
            Ok(other) => panic!("the body should hang, not end: {other:?}"),
            Err(_) => break,
        }
    }
    assert_eq!(got, 1000);
    drop(stream);
    // Disarmed after one body, and the hub still serves.
    let again = get(&location, None).await.bytes().await.expect("body");
    assert_eq!(again.len(), 300_000);
    // Shutting down does not wait for stalled connections.
    hub.faults().update(|f| {
        f.stall_after = Some(Countdown {
            bytes: 10,
            times: u32::MAX,
        })
    });
    let _hanging = client().get(&location).send().await.expect("headers");
    tokio::time::timeout(Duration::from_secs(5), hub.shutdown())
        .await
        .expect("prompt shutdown");
}

#[tokio::test]
async fn lfs_direct_serves_lfs_files_without_redirect() {
    let hub = start().await;
    hub.faults().update(|f| f.lfs_direct = true);
    let w = weights();
    let h = head(&weights_url(&hub), None).await;
    assert_eq!(h.status().as_u16(), 200);
    assert_eq!(
        header(h.headers(), "etag"),
        Some(format!("\"{}\"", w.sha256_hex()).as_str())
    );
    assert_eq!(header(h.headers(), "content-length"), Some("300000"));
    assert!(h.headers().get("x-linked-etag").is_none());
    assert!(h.headers().get("x-linked-size").is_none());
    assert!(h.headers().get(LOCATION).is_none());
    assert!(h.headers().get("x-repo-commit").is_some());
    let body = get(&weights_url(&hub), None)
        .await
        .bytes()
        .await
        .expect("body");
    assert_eq!(body.as_ref(), w.bytes().as_slice());
}

#[tokio::test]
async fn chunked_bodies_have_no_content_length() {
    let hub = start().await;
    hub.faults().update(|f| f.chunked = true);
    let h = head(&config_url(&hub), None).await;
    assert_eq!(h.status().as_u16(), 200);
    assert!(
        h.headers().get("content-length").is_none(),
        "{:?}",
        h.headers()
    );
    let g = get(&config_url(&hub), None).await;
    assert!(g.headers().get("content-length").is_none());
    assert_eq!(header(g.headers(), "transfer-encoding"), Some("chunked"));
    assert_eq!(
        g.bytes().await.expect("body").as_ref(),
        config_v2().bytes().as_slice()
    );
    // The LFS HEAD still says how big the file is.
    let lfs = head(&weights_url(&hub), None).await;
    assert_eq!(header(lfs.headers(), "x-linked-size"), Some("300000"));
    let location = lfs.headers()[LOCATION]
        .to_str()
        .expect("location")
        .to_string();
    let cdn = get(&location, None).await;
    assert!(cdn.headers().get("content-length").is_none());
    assert_eq!(cdn.bytes().await.expect("body").len(), 300_000);
    // In mirror mode there is nothing left that tells the size.
    hub.faults().update(|f| f.lfs_direct = true);
    let direct = head(&weights_url(&hub), None).await;
    assert!(direct.headers().get("content-length").is_none());
    assert!(direct.headers().get("x-linked-size").is_none());
}

#[tokio::test]
async fn head_delay_slows_only_head() {
    let hub = start().await;
    hub.faults().update(|f| f.head_delay_ms = 800);
    let t = Instant::now();
    head(&config_url(&hub), None).await;
    assert!(t.elapsed() >= Duration::from_millis(800));
    let t = Instant::now();
    get(&config_url(&hub), None)
        .await
        .bytes()
        .await
        .expect("body");
    assert!(t.elapsed() < Duration::from_millis(800));
}

#[tokio::test]
async fn initial_faults_and_admin_endpoints() {
    let hub = builder()
        .faults(FaultState {
            server_error: Some(StatusFault {
                status: 500,
                times: 1,
            }),
            ..Default::default()
        })
        .start()
        .await
        .expect("hub");
    let url = hub.url();
    // Admin requests are never faulted nor recorded.
    let state: FaultState = client()
        .get(format!("{url}/_fakehub/faults"))
        .send()
        .await
        .expect("admin")
        .json()
        .await
        .expect("json");
    assert_eq!(
        state.server_error,
        Some(StatusFault {
            status: 500,
            times: 1
        })
    );
    assert_eq!(get(&config_url(&hub), None).await.status().as_u16(), 500);

    let set = client()
        .post(format!("{url}/_fakehub/faults"))
        .json(&serde_json::json!({"latency_ms": 5, "ignore_range": true}))
        .send()
        .await
        .expect("admin");
    assert_eq!(set.status().as_u16(), 200);
    let f = hub.faults().get();
    assert_eq!(
        (f.latency_ms, f.ignore_range, f.server_error),
        (5, true, None)
    );

    let location = cdn_location(&hub).await;
    let expire = client()
        .post(format!("{url}/_fakehub/expire-cdn"))
        .send()
        .await
        .expect("admin");
    assert!(expire.status().is_success());
    assert_eq!(get(&location, None).await.status().as_u16(), 403);

    let seen: Vec<fakehub::SeenRequest> = client()
        .get(format!("{url}/_fakehub/requests"))
        .send()
        .await
        .expect("admin")
        .json()
        .await
        .expect("json");
    assert_eq!(seen, hub.requests());
    assert_eq!(seen.len(), 3);
    assert!(seen.iter().all(|r| !r.path.starts_with("/_fakehub")));
    client()
        .post(format!("{url}/_fakehub/requests/clear"))
        .send()
        .await
        .expect("admin");
    assert!(hub.requests().is_empty());
    let bad = client()
        .post(format!("{url}/_fakehub/faults"))
        .body("not json")
        .header("content-type", "application/json")
        .send()
        .await
        .expect("admin");
    assert!(bad.status().is_client_error());
}
