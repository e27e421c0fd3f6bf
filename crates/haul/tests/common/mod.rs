//! Shared set-up for the core's integration tests: a fakehub, a temporary HF home, and a facade
//! configured against them with short retry pauses.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use fakehub::{FileSpec, RunningHub};
use haul::{Config, Destination, DownloadRequest, Haul, Plan, Token, TransferOptions};
use tempfile::TempDir;

pub struct Setup {
    pub hub: RunningHub,
    pub home: TempDir,
}

impl Setup {
    pub async fn new(builder: fakehub::HubBuilder) -> Setup {
        let hub = builder.start().await.expect("fakehub starts");
        Setup {
            hub,
            home: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn config(&self) -> Config {
        let home = self.home.path().to_path_buf();
        let endpoint = self.hub.url();
        let mut config = Config::from_vars(|name| match name {
            "HF_ENDPOINT" => Some(endpoint.clone()),
            "HF_HOME" => Some(home.join("hf").to_string_lossy().into_owned()),
            "HOME" => Some(home.to_string_lossy().into_owned()),
            _ => None,
        })
        .expect("config");
        config.retry_base_delay = Duration::from_millis(20);
        config.read_timeout = Duration::from_secs(2);
        config
    }

    pub fn cache(&self) -> PathBuf {
        self.config().hub_cache
    }

    pub fn haul(&self) -> Haul {
        Haul::new(self.config(), None).expect("facade")
    }

    pub fn haul_with_token(&self, token: &str) -> Haul {
        Haul::new(self.config(), Token::new(token)).expect("facade")
    }

    pub fn request(&self, haul: &Haul, reference: &str) -> DownloadRequest {
        DownloadRequest::new(
            haul.parse_ref(reference, haul::RepoType::Model)
                .expect("reference parses"),
        )
    }
}

pub fn options(haul: &Haul) -> TransferOptions {
    TransferOptions::from_config(haul.config())
}

pub async fn plan_and_download(
    haul: &Haul,
    request: &DownloadRequest,
) -> Result<(Plan, haul::DownloadReport), haul::Error> {
    let plan = haul.plan(request).await?;
    let report = haul.download(&plan, &options(haul)).await?;
    Ok((plan, report))
}

pub fn local(request: &mut DownloadRequest, dir: &Path) {
    request.destination = Destination::LocalDir(dir.to_path_buf());
}

/// Asserts the snapshot entry exists, is a relative symlink into blobs/<etag>, and holds exactly the spec's bytes.
pub fn assert_cached(cache: &Path, folder: &str, commit: &str, path: &str, spec: &FileSpec) {
    let link = cache.join(folder).join("snapshots").join(commit).join(path);
    let target = std::fs::read_link(&link)
        .unwrap_or_else(|e| panic!("{} is not a symlink: {e}", link.display()));
    assert!(
        target.is_relative(),
        "{} points at an absolute path",
        link.display()
    );
    assert!(
        target.ends_with(Path::new("blobs").join(spec.etag())),
        "{} -> {}",
        link.display(),
        target.display()
    );
    let blob = cache.join(folder).join("blobs").join(spec.etag());
    assert_eq!(
        std::fs::read(&blob).expect("blob exists"),
        spec.bytes(),
        "content of {path}"
    );
    assert_eq!(
        std::fs::canonicalize(&link).ok(),
        std::fs::canonicalize(&blob).ok()
    );
}

/// Every file below `dir` whose name ends in `.incomplete`.
pub fn leftovers(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() && !p.is_symlink() {
                stack.push(p);
            } else if p.to_string_lossy().ends_with(".incomplete") {
                found.push(p);
            }
        }
    }
    found
}

/// A tmpfs of `bytes` mounted on a fresh folder, unmounted when dropped. Needs root, as CI has.
pub struct SmallDisk {
    pub dir: TempDir,
}

impl SmallDisk {
    pub fn new(bytes: u64) -> SmallDisk {
        let dir = tempfile::tempdir().expect("temp dir");
        let status = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={bytes}"), "tmpfs"])
            .arg(dir.path())
            .status()
            .expect("run mount");
        assert!(
            status.success(),
            "mounting a small tmpfs failed: the disk-full tests need root"
        );
        SmallDisk { dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg("-l")
            .arg(self.dir.path())
            .status();
    }
}
