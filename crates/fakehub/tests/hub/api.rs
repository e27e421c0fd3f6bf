//! The JSON API: repo info, tree listings and their pages, paths-info, refs, whoami, new commits.

use std::collections::BTreeSet;

use fakehub::{CommitSpec, FakeHub, FileSpec, RepoSpec, RepoType, git_blob_sha1};
use serde_json::Value;

use crate::common::*;

fn paths(list: &Value) -> BTreeSet<String> {
    list.as_array()
        .expect("list")
        .iter()
        .map(|e| e["path"].as_str().expect("path").to_string())
        .collect()
}

#[tokio::test]
async fn repo_info_lists_siblings_at_main() {
    let hub = start().await;
    let info = json(get(&format!("{}/api/models/org/model", hub.url()), None).await).await;
    assert_eq!(info["id"], "org/model");
    assert_eq!(info["sha"], hub.commit_sha(RepoType::Model, "org/model", 1));
    assert_eq!(info["private"], false);
    assert_eq!(info["gated"], false);
    assert!(
        info["lastModified"]
            .as_str()
            .is_some_and(|d| d.starts_with("20"))
    );
    let names: BTreeSet<&str> = info["siblings"]
        .as_array()
        .expect("siblings")
        .iter()
        .map(|s| s["rfilename"].as_str().expect("rfilename"))
        .collect();
    let expected: BTreeSet<&str> = [
        "README.md",
        "config.json",
        "model.safetensors",
        ODD_NAME,
        "nested/dir/deeper/x.bin",
        "nested/top.txt",
    ]
    .into();
    assert_eq!(names, expected);
    assert!(
        info["siblings"][0].get("size").is_none(),
        "sizes only with blobs=true"
    );
}

#[tokio::test]
async fn repo_info_with_blobs_has_sizes_and_hashes() {
    let hub = start().await;
    let info = json(
        get(
            &format!("{}/api/models/org/model?blobs=true", hub.url()),
            None,
        )
        .await,
    )
    .await;
    let sib = |name: &str| -> Value {
        info["siblings"]
            .as_array()
            .expect("siblings")
            .iter()
            .find(|s| s["rfilename"] == name)
            .cloned()
            .expect("sibling")
    };
    let w = weights();
    let lfs = sib("model.safetensors");
    assert_eq!(lfs["size"], 300_000);
    assert_eq!(lfs["lfs"]["sha256"], w.sha256_hex());
    assert_eq!(lfs["lfs"]["size"], 300_000);
    assert_eq!(lfs["lfs"]["pointerSize"], w.lfs_pointer().len());
    assert_eq!(lfs["blobId"], git_blob_sha1(w.lfs_pointer().as_bytes()));
    let cfg = sib("config.json");
    assert_eq!(cfg["size"], config_v2().size());
    assert_eq!(cfg["blobId"], config_v2().git_sha1_hex());
    assert!(cfg.get("lfs").is_none());
}

#[tokio::test]
async fn repo_info_at_revisions() {
    let hub = start().await;
    let first = hub.commit_sha(RepoType::Model, "org/model", 0);
    for rev in ["v1", "dev", "refs%2Fpr%2F1", first.as_str(), &first[..12]] {
        let info = json(
            get(
                &format!("{}/api/models/org/model/revision/{rev}", hub.url()),
                None,
            )
            .await,
        )
        .await;
        assert_eq!(info["sha"], first, "revision {rev}");
        assert_eq!(info["siblings"].as_array().map(Vec::len), Some(1));
    }
}

#[tokio::test]
async fn other_repo_types_and_one_segment_ids() {
    let hub = start().await;
    let url = hub.url();
    let solo = json(get(&format!("{url}/api/models/solo"), None).await).await;
    assert_eq!(solo["id"], "solo");
    let solo = json(get(&format!("{url}/api/models/solo/revision/main"), None).await).await;
    assert_eq!(solo["siblings"][0]["rfilename"], "a.txt");
    let data = json(get(&format!("{url}/api/datasets/org/data"), None).await).await;
    assert_eq!(
        data["sha"],
        hub.commit_sha(RepoType::Dataset, "org/data", 0)
    );
    let space = json(get(&format!("{url}/api/spaces/org/space"), None).await).await;
    assert_eq!(space["id"], "org/space");
    // The same id under another type is another repo.
    assert_error(
        get(&format!("{url}/api/datasets/org/model"), None).await,
        401,
        Some("RepoNotFound"),
    )
    .await;
    let body = get(
        &format!("{url}/datasets/org/data/resolve/main/data/train.csv"),
        None,
    )
    .await
    .text()
    .await
    .expect("body");
    assert_eq!(body, "a,b\n1,2\n");
    let body = get(&format!("{url}/spaces/org/space/resolve/main/app.py"), None)
        .await
        .text()
        .await
        .expect("body");
    assert_eq!(body, "print()\n");
    let body = get(&format!("{url}/solo/resolve/main/a.txt"), None)
        .await
        .text()
        .await
        .expect("body");
    assert_eq!(body, "solo\n");
}

#[tokio::test]
async fn tree_entries_have_the_hub_shape() {
    let hub = start().await;
    let list = json(
        get(
            &format!(
                "{}/api/models/org/model/tree/main?recursive=true",
                hub.url()
            ),
            None,
        )
        .await,
    )
    .await;
    let entries = list.as_array().expect("list");
    let find = |p: &str| entries.iter().find(|e| e["path"] == p).cloned().expect(p);
    let w = weights();
    let lfs = find("model.safetensors");
    assert_eq!(lfs["type"], "file");
    assert_eq!(lfs["size"], 300_000);
    assert_eq!(lfs["oid"], git_blob_sha1(w.lfs_pointer().as_bytes()));
    assert_eq!(lfs["lfs"]["oid"], w.sha256_hex());
    assert_eq!(lfs["lfs"]["size"], 300_000);
    assert_eq!(lfs["lfs"]["pointerSize"], w.lfs_pointer().len());
    let cfg = find("config.json");
    assert_eq!(cfg["oid"], config_v2().git_sha1_hex());
    assert!(cfg.get("lfs").is_none());
    let dir = find("nested/dir");
    assert_eq!(dir["type"], "directory");
    assert_eq!(dir["size"], 0);
    assert_eq!(dir["oid"].as_str().map(str::len), Some(40));
    // Recursive listings include every file and every directory.
    assert_eq!(entries.len(), 6 + 3);
}

#[tokio::test]
async fn tree_pages_are_followed_through_link() {
    let hub = builder().page_size(2).start().await.expect("hub");
    let mut url = format!(
        "{}/api/models/org/model/tree/main?recursive=true&expand=false",
        hub.url()
    );
    let mut seen = Vec::new();
    let mut pages = 0;
    loop {
        let resp = get(&url, None).await;
        let link = header(resp.headers(), "link").map(String::from);
        let page = json(resp).await;
        assert!(page.as_array().expect("page").len() <= 2);
        seen.extend(paths(&page));
        pages += 1;
        let Some(link) = link else { break };
        assert!(link.ends_with("; rel=\"next\""), "{link}");
        let next = link
            .strip_prefix('<')
            .and_then(|l| l.split_once('>'))
            .map(|(u, _)| u.to_string())
            .expect("link url");
        assert!(next.starts_with(&hub.url()), "absolute next url: {next}");
        url = next;
    }
    assert_eq!(pages, 5, "9 entries in pages of 2");
    let unique: BTreeSet<String> = seen.iter().cloned().collect();
    assert_eq!(unique.len(), seen.len(), "no entry twice");
    assert_eq!(unique.len(), 9);
    let bad = get(
        &format!("{}/api/models/org/model/tree/main?cursor=zz", hub.url()),
        None,
    )
    .await;
    assert_eq!(bad.status().as_u16(), 400);
}

#[tokio::test]
async fn expanded_listings_carry_last_commit() {
    let hub = start().await;
    let list = json(
        get(
            &format!("{}/api/models/org/model/tree/main?expand=true", hub.url()),
            None,
        )
        .await,
    )
    .await;
    let cfg = list
        .as_array()
        .expect("list")
        .iter()
        .find(|e| e["path"] == "config.json")
        .cloned()
        .expect("config");
    assert_eq!(
        cfg["lastCommit"]["id"],
        hub.commit_sha(RepoType::Model, "org/model", 1)
    );
    assert_eq!(cfg["lastCommit"]["title"], "second");
}

#[tokio::test]
async fn non_recursive_tree_lists_direct_children() {
    let hub = start().await;
    let url = hub.url();
    let root = json(get(&format!("{url}/api/models/org/model/tree/main"), None).await).await;
    assert_eq!(
        paths(&root),
        ["README.md", "config.json", "model.safetensors", "nested"]
            .map(String::from)
            .into()
    );
    let nested = json(
        get(
            &format!("{url}/api/models/org/model/tree/main/nested"),
            None,
        )
        .await,
    )
    .await;
    assert_eq!(
        paths(&nested),
        ["nested/dir", "nested/top.txt"].map(String::from).into()
    );
    // The sub-path may come fully encoded or with plain slashes.
    let expected: BTreeSet<String> = [ODD_NAME, "nested/dir/deeper"].map(String::from).into();
    for sub in ["nested%2Fdir", "nested/dir"] {
        let dir =
            json(get(&format!("{url}/api/models/org/model/tree/main/{sub}"), None).await).await;
        assert_eq!(paths(&dir), expected, "{sub}");
    }
    let deep = json(
        get(
            &format!("{url}/api/models/org/model/tree/main/nested?recursive=true"),
            None,
        )
        .await,
    )
    .await;
    assert_eq!(paths(&deep).len(), 5);
    let first = json(get(&format!("{url}/api/models/org/model/tree/v1"), None).await).await;
    assert_eq!(paths(&first), ["config.json".to_string()].into());
    let missing = get(&format!("{url}/api/models/org/model/tree/main/nope"), None).await;
    assert_error(missing, 404, Some("EntryNotFound")).await;
}

#[tokio::test]
async fn paths_info_answers_files_and_folders_and_skips_missing() {
    let hub = start().await;
    let resp = client()
        .post(format!(
            "{}/api/models/org/model/paths-info/main",
            hub.url()
        ))
        .form(&[
            ("paths", "config.json"),
            ("paths", "nested/dir"),
            ("paths", "missing.txt"),
            ("paths", "model.safetensors"),
            ("expand", "false"),
        ])
        .send()
        .await
        .expect("request");
    let list = json(resp).await;
    let entries = list.as_array().expect("list");
    assert_eq!(entries.len(), 3);
    assert_eq!(entries[0]["path"], "config.json");
    assert_eq!(entries[0]["type"], "file");
    assert_eq!(entries[0]["oid"], config_v2().git_sha1_hex());
    assert_eq!(entries[1]["type"], "directory");
    assert_eq!(entries[2]["lfs"]["oid"], weights().sha256_hex());
    let at_pr = client()
        .post(format!(
            "{}/api/models/org/model/paths-info/refs%2Fpr%2F1",
            hub.url()
        ))
        .form(&[("paths", "config.json"), ("paths", "README.md")])
        .send()
        .await
        .expect("request");
    assert_eq!(json(at_pr).await.as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn refs_lists_branches_tags_and_prs_on_request() {
    let hub = start().await;
    let first = hub.commit_sha(RepoType::Model, "org/model", 0);
    let last = hub.commit_sha(RepoType::Model, "org/model", 1);
    let refs = json(get(&format!("{}/api/models/org/model/refs", hub.url()), None).await).await;
    let branches = refs["branches"].as_array().expect("branches");
    assert!(branches.contains(
        &serde_json::json!({"name": "main", "ref": "refs/heads/main", "targetCommit": last})
    ));
    assert!(branches.contains(
        &serde_json::json!({"name": "dev", "ref": "refs/heads/dev", "targetCommit": first})
    ));
    assert_eq!(
        refs["tags"],
        serde_json::json!([{"name": "v1", "ref": "refs/tags/v1", "targetCommit": first}])
    );
    assert_eq!(refs["converts"], serde_json::json!([]));
    assert!(refs.get("pullRequests").is_none());
    let refs = json(
        get(
            &format!("{}/api/models/org/model/refs?include_prs=1", hub.url()),
            None,
        )
        .await,
    )
    .await;
    assert_eq!(
        refs["pullRequests"],
        serde_json::json!([{"name": "1", "ref": "refs/pr/1", "targetCommit": first}])
    );
}

#[tokio::test]
async fn whoami_knows_tokens() {
    let hub = start().await;
    let me = json(get(&format!("{}/api/whoami-v2", hub.url()), Some(ALICE)).await).await;
    assert_eq!(me["name"], "alice");
    assert_eq!(me["type"], "user");
    assert!(me["auth"]["accessToken"]["role"].is_string());
    let anon = get(&format!("{}/api/whoami-v2", hub.url()), None).await;
    assert_eq!(anon.status().as_u16(), 401);
}

#[tokio::test]
async fn added_commits_move_the_branch() {
    let hub = start().await;
    let url = hub.url();
    let before = hub.commit_sha(RepoType::Model, "org/model", 1);
    let sha = hub.add_commit(
        RepoType::Model,
        "org/model",
        "main",
        vec![("config.json".into(), FileSpec::regular("{\"version\": 3}"))],
        vec!["README.md".into()],
    );
    assert_eq!(sha.len(), 40);
    assert_ne!(sha, before);
    assert_eq!(hub.commit_sha(RepoType::Model, "org/model", 2), sha);
    let info = json(get(&format!("{url}/api/models/org/model"), None).await).await;
    assert_eq!(info["sha"], sha);
    let body = get(&format!("{url}/org/model/resolve/main/config.json"), None)
        .await
        .text()
        .await
        .expect("body");
    assert_eq!(body, "{\"version\": 3}");
    let gone = get(&format!("{url}/org/model/resolve/main/README.md"), None).await;
    assert_eq!(gone.status().as_u16(), 404);
    let old = get(&format!("{url}/org/model/resolve/{before}/README.md"), None).await;
    assert_eq!(old.status().as_u16(), 200);
    // A new branch starts from main.
    let feature = hub.add_commit(
        RepoType::Model,
        "org/model",
        "feature",
        vec![("new.txt".into(), FileSpec::regular("n"))],
        vec![],
    );
    let info = json(
        get(
            &format!("{url}/api/models/org/model/revision/feature"),
            None,
        )
        .await,
    )
    .await;
    assert_eq!(info["sha"], feature);
    assert_eq!(info["siblings"].as_array().map(Vec::len), Some(6));
}

#[tokio::test]
async fn repos_without_commits_get_an_empty_one_and_bad_specs_fail() {
    let hub = FakeHub::builder()
        .repo(RepoSpec::model("empty"))
        .start()
        .await
        .expect("hub");
    let info = json(get(&format!("{}/api/models/empty", hub.url()), None).await).await;
    assert_eq!(info["siblings"], serde_json::json!([]));
    let bad = FakeHub::builder()
        .repo(RepoSpec::model("x").commit(CommitSpec::new()).tag("v", 5))
        .start()
        .await;
    assert!(bad.is_err());
    let twice = FakeHub::builder()
        .repo(RepoSpec::model("x"))
        .repo(RepoSpec::model("x"))
        .start()
        .await;
    assert!(twice.is_err());
}
