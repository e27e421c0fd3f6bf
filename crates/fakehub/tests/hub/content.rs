//! Generated content: deterministic, random access, hashed correctly, and served as generated.

use fakehub::{CommitSpec, Content, FakeHub, FileSpec, RepoSpec, generate};
use reqwest::header::RANGE;
use sha2::{Digest, Sha256};

use crate::common::*;

#[test]
fn generated_content_matches_its_published_definition() {
    // SplitMix64 seeded with 0 starts with 0xE220A8397B1DCDAF (little-endian here).
    assert_eq!(
        hex::encode(generate(0, 0, 16)),
        "afcd1d7b39a820e2f465b9a16a9e786e"
    );
    // Computed by an independent implementation of the module docs' definition.
    let f = FileSpec::lfs_generated(100_003, 1);
    assert_eq!(
        f.sha256_hex(),
        "3d0545a3fbbdaea847c63b8436a5e78d5d114368e2e0c128adcf208ba0270fa7"
    );
    let r = FileSpec::regular_generated(100_003, 1);
    assert_eq!(r.git_sha1_hex(), "df1f6d2ba508bc3d1830cdbae4e4dac092c2920f");
    assert_eq!(r.etag(), r.git_sha1_hex());
    assert_eq!(f.etag(), f.sha256_hex());
}

#[test]
fn generated_content_is_deterministic_and_seeded() {
    let a = FileSpec::lfs_generated(5000, 9).bytes();
    assert_eq!(a, FileSpec::lfs_generated(5000, 9).bytes());
    assert_ne!(a, FileSpec::lfs_generated(5000, 10).bytes());
    assert_eq!(a.len(), 5000);
    assert_eq!(
        hex::encode(Sha256::digest(&a)),
        FileSpec::lfs_generated(5000, 9).sha256_hex()
    );
    assert_eq!(
        FileSpec::lfs_generated(5000, 9).read_at(1234, 100),
        a[1234..1334]
    );
}

#[test]
fn huge_generated_files_cost_nothing_until_read() {
    let size = 4u64 << 30;
    let f = FileSpec::lfs_generated(size, 5);
    assert_eq!(f.size(), size);
    assert!(!f.hashes_ready());
    let tail = f.read_at(size - 6, 100);
    assert_eq!(tail, generate(5, size - 6, 6));
    assert_eq!(f.content(), &Content::Generated { size, seed: 5 });
}

#[tokio::test]
async fn served_generated_bytes_match_the_spec() {
    let spec = FileSpec::regular_generated(200_000, 11);
    let hub = FakeHub::builder()
        .repo(RepoSpec::model("g").commit(CommitSpec::new().file("data.bin", spec.clone())))
        .start()
        .await
        .expect("hub");
    let url = format!("{}/g/resolve/main/data.bin", hub.url());
    let body = get(&url, None).await.bytes().await.expect("body");
    assert_eq!(body.as_ref(), spec.bytes().as_slice());
    let part = client()
        .get(&url)
        .header(RANGE, "bytes=65530-65545")
        .send()
        .await
        .expect("request");
    assert_eq!(
        part.bytes().await.expect("body").as_ref(),
        generate(11, 65_530, 16).as_slice()
    );
}

#[test]
fn file_specs_round_trip_through_json() {
    let f = FileSpec::lfs_generated(10, 2);
    let back: FileSpec =
        serde_json::from_str(&serde_json::to_string(&f).expect("ser")).expect("de");
    assert_eq!(back, f);
    assert!(back.is_lfs());
    assert_eq!(back.sha256_hex(), f.sha256_hex());
}
