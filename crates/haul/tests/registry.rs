//! The registry as real SQLite files: an old-schema database migrates with its rows intact, and two
//! processes writing at the same time lose nothing.

use std::path::{Path, PathBuf};
use std::process::Command;

use haul::RepoType;
use haul::registry::{
    DownloadFinish, DownloadStart, FileRecord, ModelFilter, ModelUpsert, Registry, Requester,
};

/// The database as the first schema (migration 0001 only) left it, with a model, its files and history.
fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/registry-schema-1.db")
}

#[tokio::test]
async fn a_first_schema_database_migrates_with_its_rows() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("haul.db");
    std::fs::copy(fixture(), &db).expect("the fixture database exists");
    let registry = Registry::open(&db).await.unwrap();
    assert_eq!(registry.schema_version().await.unwrap(), 5);
    let models = registry.list_models(&ModelFilter::default()).await.unwrap();
    assert_eq!(models.len(), 1);
    let model = &models[0];
    assert_eq!(
        (
            model.repo_id.as_str(),
            model.state.as_str(),
            model.size_bytes
        ),
        ("org/old", "complete", 1234)
    );
    assert_eq!(
        model.last_used_at, None,
        "the column added by the upgrade starts empty"
    );
    let files = registry.files(model.id, None).await.unwrap();
    assert_eq!(
        files.iter().map(|f| f.path.as_str()).collect::<Vec<_>>(),
        ["config.json", "model.bin"]
    );
    let history = registry.history("model", "org/old", 10).await.unwrap();
    assert_eq!(
        (
            history.len(),
            history[0].result.as_str(),
            history[0].bytes_fetched
        ),
        (1, "ok", 1234)
    );
    // The upgraded database takes new rows like a fresh one.
    let start = DownloadStart {
        repo_type: RepoType::Model,
        repo_id: "org/old".into(),
        revision: "main".into(),
        location: model.location.clone(),
        requested_by: Requester::App,
    };
    registry.download_started(&start).await.unwrap();
    assert_eq!(registry.count_downloads().await.unwrap(), 2);
}

#[tokio::test]
async fn two_processes_writing_at_once_lose_no_rows() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("haul.db");
    Registry::open(&db).await.unwrap().close().await;
    let children: Vec<_> = (0..2)
        .map(|writer| {
            Command::new(std::env::current_exe().unwrap())
                .args([
                    "--exact",
                    "registry_writer_process",
                    "--ignored",
                    "--nocapture",
                ])
                .env("HAUL_TEST_REGISTRY", &db)
                .env("HAUL_TEST_WRITER", writer.to_string())
                .spawn()
                .expect("start a writer process")
        })
        .collect();
    for mut child in children {
        assert!(child.wait().unwrap().success(), "a writer process failed");
    }
    let registry = Registry::open(&db).await.unwrap();
    assert_eq!(registry.count_downloads().await.unwrap(), 2 * WRITES);
    let models = registry.list_models(&ModelFilter::default()).await.unwrap();
    assert_eq!(models.len(), 2);
    for model in models {
        assert_eq!(registry.files(model.id, None).await.unwrap().len(), FILES);
    }
    let integrity: String = registry_integrity(&db);
    assert_eq!(integrity, "ok");
}

const WRITES: i64 = 150;
const FILES: usize = 40;

fn registry_integrity(db: &Path) -> String {
    let out = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "registry_integrity_process",
            "--ignored",
            "--nocapture",
        ])
        .env("HAUL_TEST_REGISTRY", db)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .find_map(|l| l.strip_prefix("integrity="))
        .unwrap_or("no answer")
        .to_string()
}

/// Run by `two_processes_writing_at_once_lose_no_rows` in a child process; not a test by itself.
#[tokio::test]
#[ignore = "a child process of two_processes_writing_at_once_lose_no_rows"]
async fn registry_writer_process() {
    let db = PathBuf::from(std::env::var("HAUL_TEST_REGISTRY").unwrap());
    let writer = std::env::var("HAUL_TEST_WRITER").unwrap();
    let registry = Registry::open(&db).await.unwrap();
    for i in 0..WRITES {
        let start = DownloadStart {
            repo_type: RepoType::Model,
            repo_id: format!("org/m{writer}"),
            revision: "main".into(),
            location: format!("/cache/{writer}"),
            requested_by: Requester::Cli,
        };
        let id = registry.download_started(&start).await.unwrap();
        let finish = DownloadFinish {
            commit_sha: Some(format!("{i:040}")),
            files_fetched: 1,
            bytes_fetched: i,
            duration_ms: 1,
            error: None,
        };
        registry.download_finished(id, &finish).await.unwrap();
        if i % 10 == 0 {
            let files = (0..FILES)
                .map(|f| FileRecord {
                    commit_sha: "c".repeat(40),
                    path: format!("f{f}"),
                    size_bytes: 1,
                    etag: "e".repeat(40),
                    algorithm: "git-sha1".into(),
                })
                .collect();
            let upsert = ModelUpsert {
                repo_type: "model".into(),
                repo_id: format!("org/m{writer}"),
                location: format!("/cache/{writer}"),
                location_kind: "cache".into(),
                revision: "main".into(),
                commit_sha: "c".repeat(40),
                size_bytes: i,
                state: "complete".into(),
                files: Some(files),
            };
            registry.upsert_model(&upsert).await.unwrap();
        }
    }
    registry.close().await;
}

#[tokio::test]
#[ignore = "a child process of two_processes_writing_at_once_lose_no_rows"]
async fn registry_integrity_process() {
    let db = PathBuf::from(std::env::var("HAUL_TEST_REGISTRY").unwrap());
    let registry = Registry::open(&db).await.unwrap();
    println!("integrity={}", registry.integrity_check().await.unwrap());
}

/// Writes tests/fixtures/registry-schema-1.db: the first schema (migration 0001 alone) with a few rows.
/// Run once when the fixture has to be made again: `cargo test -p haul --test registry -- --ignored make_schema_1_fixture`.
#[tokio::test]
#[ignore = "regenerates a committed fixture"]
async fn make_schema_1_fixture() {
    use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
    let migrations = tempfile::tempdir().unwrap();
    let first = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations/0001_initial.sql");
    std::fs::copy(&first, migrations.path().join("0001_initial.sql")).unwrap();
    let out = fixture();
    let _ = std::fs::remove_file(&out);
    let options = SqliteConnectOptions::new()
        .filename(&out)
        .create_if_missing(true);
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await
        .unwrap();
    sqlx::migrate::Migrator::new(migrations.path())
        .await
        .unwrap()
        .run(&pool)
        .await
        .unwrap();
    let commit = "1".repeat(40);
    sqlx::query(
        "INSERT INTO models (repo_type, repo_id, location, location_kind, revision, commit_sha, size_bytes, state, added_at, updated_at)
         VALUES ('model', 'org/old', '/home/user/.cache/huggingface/hub', 'cache', 'main', ?, 1234, 'complete', 1700000000000, 1700000000000)",
    )
    .bind(&commit)
    .execute(&pool)
    .await
    .unwrap();
    for (path, size, etag, algorithm) in [
        ("config.json", 34, "2".repeat(40), "git-sha1"),
        ("model.bin", 1200, "3".repeat(64), "sha256"),
    ] {
        sqlx::query("INSERT INTO files (model_id, commit_sha, path, size_bytes, etag, algorithm) VALUES (1, ?, ?, ?, ?, ?)")
            .bind(&commit)
            .bind(path)
            .bind(size)
            .bind(etag)
            .bind(algorithm)
            .execute(&pool)
            .await
            .unwrap();
    }
    sqlx::query(
        "INSERT INTO downloads (repo_type, repo_id, revision, commit_sha, location, requested_by, requested_at, finished_at,
                                files_fetched, bytes_fetched, duration_ms, result)
         VALUES ('model', 'org/old', 'main', ?, '/home/user/.cache/huggingface/hub', 'cli', 1700000000000, 1700000001000, 2, 1234, 1000, 'ok')",
    )
    .bind(&commit)
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query("VACUUM").execute(&pool).await.unwrap();
    pool.close().await;
}

#[tokio::test]
async fn processes_opening_a_new_database_at_once_migrate_it_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("haul.db");
    let children: Vec<_> = (0..6)
        .map(|_| {
            Command::new(std::env::current_exe().unwrap())
                .args([
                    "--exact",
                    "registry_opener_process",
                    "--ignored",
                    "--nocapture",
                ])
                .env("HAUL_TEST_REGISTRY", &db)
                .spawn()
                .expect("start an opener process")
        })
        .collect();
    for mut child in children {
        assert!(
            child.wait().unwrap().success(),
            "an opener failed: concurrent migrations collided"
        );
    }
    assert_eq!(
        Registry::open(&db)
            .await
            .unwrap()
            .schema_version()
            .await
            .unwrap(),
        haul::registry::MIGRATOR
            .iter()
            .map(|m| m.version)
            .max()
            .unwrap()
    );
}

#[tokio::test]
#[ignore = "a child process of processes_opening_a_new_database_at_once_migrate_it_once"]
async fn registry_opener_process() {
    let db = PathBuf::from(std::env::var("HAUL_TEST_REGISTRY").unwrap());
    Registry::open(&db).await.unwrap();
}
