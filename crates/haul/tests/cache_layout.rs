//! Downloads land in the HF cache exactly as the Python client lays it out, or in a local dir with
//! its bookkeeping; revisions, filters, paging and re-runs behave as a user expects.

mod common;

use common::{Setup, assert_cached, leftovers, local, plan_and_download};
use fakehub::{CommitSpec, FakeHub, FileSpec, Listener, RepoSpec, RepoType};

fn files() -> Vec<(&'static str, FileSpec)> {
    vec![
        ("config.json", FileSpec::regular("{\"a\": 1}\n")),
        ("model.safetensors", FileSpec::lfs_generated(700_000, 11)),
        (
            "tokenizer/nested/vocab.txt",
            FileSpec::regular("hello\nworld\n"),
        ),
        (
            "notes/a file [1].txt",
            FileSpec::regular_generated(5_000, 3),
        ),
        (
            "weights [v2]/part 1.bin",
            FileSpec::lfs_generated(90_000, 4),
        ),
    ]
}

fn repo(id: &str) -> RepoSpec {
    let mut commit = CommitSpec::new();
    for (path, spec) in files() {
        commit = commit.file(path, spec);
    }
    RepoSpec::model(id).commit(commit)
}

#[tokio::test]
async fn whole_repo_lands_in_the_hf_cache_layout() {
    let s = Setup::new(FakeHub::builder().repo(repo("org/m"))).await;
    let haul = s.haul();
    let (plan, report) = plan_and_download(&haul, &s.request(&haul, "org/m"))
        .await
        .unwrap();
    let commit = s.hub.commit_sha(RepoType::Model, "org/m", 0);
    assert_eq!(plan.commit, commit);
    assert_eq!(report.files_fetched, 5);
    let cache = s.cache();
    for (path, spec) in files() {
        assert_cached(&cache, "models--org--m", &commit, path, &spec);
    }
    assert_eq!(
        std::fs::read_to_string(cache.join("models--org--m/refs/main")).unwrap(),
        commit
    );
    assert!(
        std::fs::read_to_string(cache.join("CACHEDIR.TAG"))
            .unwrap()
            .starts_with("Signature: 8a477f597d28d172789f06886806bc55")
    );
    let lock = cache
        .join(".locks/models--org--m")
        .join(format!("{}.lock", files()[1].1.etag()));
    assert!(
        lock.exists(),
        "the blob was written under its .locks/ flock"
    );
    assert!(leftovers(&cache).is_empty());
    assert_eq!(
        report.path,
        cache.join("models--org--m/snapshots").join(&commit)
    );
}

#[tokio::test]
async fn second_run_fetches_nothing_and_a_new_commit_only_what_changed() {
    let s = Setup::new(FakeHub::builder().repo(repo("org/m"))).await;
    let haul = s.haul();
    let request = s.request(&haul, "org/m");
    plan_and_download(&haul, &request).await.unwrap();

    s.hub.clear_requests();
    let (plan, report) = plan_and_download(&haul, &request).await.unwrap();
    assert!(plan.is_complete());
    assert_eq!((report.files_fetched, report.bytes_fetched), (0, 0));
    let fetches = s
        .hub
        .requests()
        .into_iter()
        .filter(|r| r.path.contains("/resolve/") || r.listener == Listener::Cdn)
        .count();
    assert_eq!(fetches, 0, "a second run must not download anything");

    let changed = FileSpec::regular("{\"a\": 2}\n");
    let new_commit = s.hub.add_commit(
        RepoType::Model,
        "org/m",
        "main",
        vec![("config.json".into(), changed.clone())],
        vec![],
    );
    s.hub.clear_requests();
    let (plan, report) = plan_and_download(&haul, &request).await.unwrap();
    assert_eq!(plan.commit, new_commit);
    assert_eq!(report.files_fetched, 1, "only the changed file is fetched");
    let resolves: Vec<_> = s
        .hub
        .requests()
        .into_iter()
        .filter(|r| r.path.contains("/resolve/"))
        .collect();
    assert_eq!(resolves.len(), 1, "{resolves:?}");
    assert!(resolves[0].path.ends_with("/config.json"));
    let cache = s.cache();
    assert_cached(
        &cache,
        "models--org--m",
        &new_commit,
        "config.json",
        &changed,
    );
    assert_cached(
        &cache,
        "models--org--m",
        &new_commit,
        "model.safetensors",
        &files()[1].1,
    );
    assert_eq!(
        std::fs::read_to_string(cache.join("models--org--m/refs/main")).unwrap(),
        new_commit
    );
}

#[tokio::test]
async fn revisions_tags_and_pull_requests_get_their_refs() {
    let first = CommitSpec::new().file("a.txt", FileSpec::regular("one"));
    let second = CommitSpec::new().file("a.txt", FileSpec::regular("two"));
    let spec = RepoSpec::dataset("org/d")
        .commit(first)
        .commit(second)
        .tag("v1", 0)
        .pr(3, 0)
        .branch("dev", 0);
    let s = Setup::new(FakeHub::builder().repo(spec)).await;
    let haul = s.haul();
    let old = s.hub.commit_sha(RepoType::Dataset, "org/d", 0);
    let cache = s.cache();
    for (reference, ref_file) in [
        ("datasets/org/d@v1", "v1"),
        ("datasets/org/d@refs/pr/3", "refs/pr/3"),
        ("datasets/org/d@dev", "dev"),
    ] {
        let (plan, _) = plan_and_download(&haul, &s.request(&haul, reference))
            .await
            .unwrap();
        assert_eq!(plan.commit, old, "{reference}");
        assert_eq!(
            std::fs::read_to_string(cache.join("datasets--org--d/refs").join(ref_file)).unwrap(),
            old
        );
    }
    assert_cached(
        &cache,
        "datasets--org--d",
        &old,
        "a.txt",
        &FileSpec::regular("one"),
    );
    // A commit named directly needs no ref.
    let (plan, _) = plan_and_download(&haul, &s.request(&haul, &format!("datasets/org/d@{old}")))
        .await
        .unwrap();
    assert_eq!(plan.commit, old);
    assert!(!cache.join("datasets--org--d/refs").join(&old).exists());
    assert!(!cache.join("datasets--org--d/refs/main").exists());
}

#[tokio::test]
async fn tree_listing_pages_are_followed() {
    let mut commit = CommitSpec::new();
    for i in 0..23 {
        commit = commit.file(
            &format!("shard/{i:03}.txt"),
            FileSpec::regular(format!("shard {i}\n")),
        );
    }
    let s = Setup::new(
        FakeHub::builder()
            .page_size(5)
            .repo(RepoSpec::model("org/many").commit(commit)),
    )
    .await;
    let haul = s.haul();
    let (plan, report) = plan_and_download(&haul, &s.request(&haul, "org/many"))
        .await
        .unwrap();
    assert_eq!(plan.files.len(), 23);
    assert_eq!(report.files_fetched, 23);
    let pages = s
        .hub
        .requests()
        .iter()
        .filter(|r| r.path.contains("/tree/"))
        .count();
    assert!(
        pages >= 5,
        "23 entries at 5 a page take at least 5 pages, saw {pages}"
    );
}

#[tokio::test]
async fn filters_and_single_files() {
    let s = Setup::new(FakeHub::builder().repo(repo("org/m"))).await;
    let haul = s.haul();
    let mut request = s.request(&haul, "org/m");
    request.include = vec!["*.json".into(), "tokenizer/".into()];
    let plan = haul.plan(&request).await.unwrap();
    let paths: Vec<_> = plan.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(paths, ["config.json", "tokenizer/nested/vocab.txt"]);

    let mut request = s.request(&haul, "org/m");
    request.exclude = vec!["*.safetensors".into(), "*[[]*".into()];
    let plan = haul.plan(&request).await.unwrap();
    let paths: Vec<_> = plan.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(paths, ["config.json", "tokenizer/nested/vocab.txt"]);

    let url = format!(
        "{}/org/m/blob/main/notes/a%20file%20%5B1%5D.txt",
        s.hub.url()
    );
    let (plan, _) = plan_and_download(&haul, &s.request(&haul, &url))
        .await
        .unwrap();
    assert_eq!(plan.files.len(), 1);
    assert_cached(
        &s.cache(),
        "models--org--m",
        &plan.commit,
        "notes/a file [1].txt",
        &files()[3].1,
    );

    let url = format!("{}/org/m/tree/main/tokenizer", s.hub.url());
    let plan = haul.plan(&s.request(&haul, &url)).await.unwrap();
    assert_eq!(
        plan.files
            .iter()
            .map(|f| f.path.as_str())
            .collect::<Vec<_>>(),
        ["tokenizer/nested/vocab.txt"]
    );
}

#[tokio::test]
async fn local_dir_gets_real_files_and_python_metadata() {
    let s = Setup::new(FakeHub::builder().repo(repo("org/m"))).await;
    let haul = s.haul();
    let dir = s.home.path().join("out");
    let mut request = s.request(&haul, "org/m");
    local(&mut request, &dir);
    let (plan, report) = plan_and_download(&haul, &request).await.unwrap();
    assert_eq!(report.path, dir);
    for (path, spec) in files() {
        let file = dir.join(path);
        assert!(!file.is_symlink(), "{path} must be a real file");
        assert_eq!(std::fs::read(&file).unwrap(), spec.bytes(), "{path}");
        let meta = std::fs::read_to_string(
            dir.join(".cache/huggingface/download")
                .join(format!("{path}.metadata")),
        )
        .unwrap();
        let lines: Vec<_> = meta.lines().collect();
        assert_eq!(
            &lines[..2],
            [plan.commit.as_str(), spec.etag().as_str()],
            "{path}"
        );
        assert!(lines[2].parse::<f64>().is_ok());
    }
    assert_eq!(
        std::fs::read_to_string(dir.join(".cache/huggingface/.gitignore")).unwrap(),
        "*"
    );
    assert!(leftovers(&dir).is_empty());
    assert!(
        !s.cache().join("models--org--m").exists(),
        "local-dir mode leaves the cache alone"
    );
    let (_, again) = plan_and_download(&haul, &request).await.unwrap();
    assert_eq!(again.files_fetched, 0);
}

#[tokio::test]
async fn offline_answers_from_the_cache_without_a_request() {
    let s = Setup::new(FakeHub::builder().repo(repo("org/m"))).await;
    let haul = s.haul();
    plan_and_download(&haul, &s.request(&haul, "org/m"))
        .await
        .unwrap();
    s.hub.clear_requests();
    let mut config = s.config();
    config.offline = true;
    let offline = haul::Haul::new(config, None).unwrap();
    let (plan, report) = plan_and_download(&offline, &s.request(&offline, "org/m"))
        .await
        .unwrap();
    assert!(plan.offline);
    assert_eq!((plan.files.len(), report.files_fetched), (5, 0));
    let err = offline
        .plan(&s.request(&offline, "org/other"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), haul::ErrorKind::Offline);
    assert!(err.to_string().contains("HF_HUB_OFFLINE"), "{err}");
    assert!(
        s.hub.requests().is_empty(),
        "offline mode sent {:?}",
        s.hub.requests()
    );
}
