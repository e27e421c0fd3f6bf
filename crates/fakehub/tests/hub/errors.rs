//! Error answers: codes, statuses and messages the Python client tells apart.

use fakehub::RepoType;

use crate::common::*;

#[tokio::test]
async fn missing_repos_answer_401_anonymous_and_404_with_a_token() {
    let hub = start().await;
    let url = format!("{}/api/models/org/nope", hub.url());
    assert_error(get(&url, None).await, 401, Some("RepoNotFound")).await;
    assert_error(get(&url, Some(BOB)).await, 404, Some("RepoNotFound")).await;
    let resolve = format!("{}/org/nope/resolve/main/config.json", hub.url());
    assert_head_error(&head(&resolve, None).await, 401, Some("RepoNotFound"));
    assert_error(get(&resolve, Some(BOB)).await, 404, Some("RepoNotFound")).await;
}

#[tokio::test]
async fn private_repos_look_missing_to_everyone_but_their_owner() {
    let hub = start().await;
    let url = hub.url();
    for path in [
        "/api/models/alice/secret",
        "/api/models/alice/secret/tree/main",
        "/alice/secret/resolve/main/config.json",
    ] {
        let full = format!("{url}{path}");
        let anon = assert_error(get(&full, None).await, 401, Some("RepoNotFound")).await;
        let bob = get(&full, Some(BOB)).await;
        let (status, code) = (bob.status(), bob.headers().get("x-error-code").cloned());
        let bob_body = bob.text().await.expect("body");
        let missing = get(
            &format!("{url}{}", path.replace("alice/secret", "alice/nothing")),
            Some(BOB),
        )
        .await;
        assert_eq!(status, missing.status(), "{path}");
        assert_eq!(code, missing.headers().get("x-error-code").cloned());
        assert_eq!(
            bob_body,
            missing.text().await.expect("body"),
            "identical to a missing repo"
        );
        let alice = get(&full, Some(ALICE)).await;
        assert!(alice.status().is_success(), "{path}: {}", alice.status());
        assert!(!anon.is_empty());
    }
    let info = json(get(&format!("{url}/api/models/alice/secret"), Some(ALICE)).await).await;
    assert_eq!(info["private"], true);
}

#[tokio::test]
async fn unknown_revisions_answer_revision_not_found() {
    let hub = start().await;
    let url = hub.url();
    for path in [
        "/api/models/org/model/revision/nope",
        "/api/models/org/model/tree/nope",
        "/org/model/resolve/nope/config.json",
        "/org/model/resolve/refs%2Fpr%2F9/config.json",
        "/org/model/resolve/0123456789012345678901234567890123456789/config.json",
    ] {
        assert_error(
            get(&format!("{url}{path}"), None).await,
            404,
            Some("RevisionNotFound"),
        )
        .await;
    }
}

#[tokio::test]
async fn missing_files_answer_entry_not_found_with_the_commit() {
    let hub = start().await;
    let resp = head(
        &format!("{}/org/model/resolve/main/nope.txt", hub.url()),
        None,
    )
    .await;
    let commit = resp.headers().get("x-repo-commit").cloned();
    assert_head_error(&resp, 404, Some("EntryNotFound"));
    let expected = hub.commit_sha(RepoType::Model, "org/model", 1);
    assert_eq!(
        commit.as_ref().and_then(|v| v.to_str().ok()),
        Some(expected.as_str())
    );
    // A file that exists only at a later commit is missing at an earlier one.
    let old = get(
        &format!("{}/org/model/resolve/v1/README.md", hub.url()),
        None,
    )
    .await;
    let commit = old.headers().get("x-repo-commit").cloned();
    assert_error(old, 404, Some("EntryNotFound")).await;
    let first = hub.commit_sha(RepoType::Model, "org/model", 0);
    assert_eq!(
        commit.as_ref().and_then(|v| v.to_str().ok()),
        Some(first.as_str())
    );
}

#[tokio::test]
async fn gated_repos_list_publicly_but_gate_downloads() {
    let hub = start().await;
    let url = hub.url();
    let info = json(get(&format!("{url}/api/models/org/gated"), None).await).await;
    assert_eq!(info["gated"], "manual");
    json(get(&format!("{url}/api/models/org/gated/tree/main"), None).await).await;

    let file = format!("{url}/org/gated/resolve/main/config.json");
    let anon = assert_head_error(&head(&file, None).await, 401, Some("GatedRepo"));
    assert_eq!(
        anon,
        assert_error(get(&file, None).await, 401, Some("GatedRepo")).await
    );
    assert!(
        anon.contains("Access to model org/gated is restricted"),
        "{anon}"
    );
    assert!(anon.contains("Please log in"), "{anon}");
    let bob = assert_error(get(&file, Some(BOB)).await, 403, Some("GatedRepo")).await;
    assert!(bob.contains("not in the authorized list"), "{bob}");
    assert!(
        bob.contains(&format!("Visit {url}/org/gated to ask for access")),
        "{bob}"
    );
    let alice = get(&file, Some(ALICE)).await;
    assert_eq!(alice.status().as_u16(), 200);
    assert_eq!(alice.text().await.expect("body"), "{}");
    let weights = head(&format!("{url}/org/gated/resolve/main/w.bin"), Some(ALICE)).await;
    assert_eq!(weights.status().as_u16(), 302);
}

#[tokio::test]
async fn auto_gated_repos_say_so() {
    let hub = builder()
        .repo(fakehub::RepoSpec::model("org/auto").gated(fakehub::Gate::Auto))
        .start()
        .await
        .expect("hub");
    let info = json(get(&format!("{}/api/models/org/auto", hub.url()), None).await).await;
    assert_eq!(info["gated"], "auto");
}

#[tokio::test]
async fn an_invalid_token_is_refused_everywhere() {
    let hub = start().await;
    let url = hub.url();
    for path in [
        "/api/models/org/model",
        "/api/models/org/model/tree/main",
        "/api/models/org/model/refs",
        "/api/whoami-v2",
        "/org/model/resolve/main/config.json",
        "/api/models/org/nope",
    ] {
        let msg = assert_error(
            get(&format!("{url}{path}"), Some("hf_wrong")).await,
            401,
            None,
        )
        .await;
        assert_eq!(msg, "Invalid credentials in Authorization header", "{path}");
    }
    let not_bearer = client()
        .get(format!("{url}/api/models/org/model"))
        .header("authorization", "Basic Zm9vOmJhcg==")
        .send()
        .await
        .expect("request");
    assert_eq!(not_bearer.status().as_u16(), 401);
}

#[tokio::test]
async fn unknown_routes_and_methods_are_refused() {
    let hub = start().await;
    let url = hub.url();
    assert_eq!(
        get(&format!("{url}/favicon.ico"), None)
            .await
            .status()
            .as_u16(),
        404
    );
    assert_eq!(
        get(&format!("{url}/api/unknown/x"), None)
            .await
            .status()
            .as_u16(),
        404
    );
    let post = client()
        .post(format!("{url}/org/model/resolve/main/config.json"))
        .send()
        .await
        .expect("request");
    assert_eq!(post.status().as_u16(), 405);
    let get_paths_info = get(&format!("{url}/api/models/org/model/paths-info/main"), None).await;
    assert_eq!(get_paths_info.status().as_u16(), 405);
    // Malformed percent-encoding is an input error, not a crash.
    assert_eq!(
        get(&format!("{url}/org/model/resolve/main/%FF%FE"), None)
            .await
            .status()
            .as_u16(),
        404
    );
}
