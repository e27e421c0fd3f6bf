//! fakehub: a loopback imitation of the Hugging Face Hub for Haul's tests, demos and benchmarks.
//!
//! Two listeners on 127.0.0.1: the Hub (JSON API, `/resolve`, admin endpoints under `/_fakehub/`) and a
//! "CDN" that serves LFS files at signed, expiring URLs the Hub redirects to. Repos are described in code
//! ([`RepoSpec`], [`CommitSpec`], [`FileSpec`]) or in a JSON [`Manifest`]; file contents may be generated
//! deterministically so multi-gigabyte files cost no memory or disk. [`FaultState`] switches break things on
//! purpose: bandwidth, latency, dropped or stalled bodies, 5xx, 429, ignored Range, corrupted bytes,
//! expired CDN URLs, and mirror-like behaviour (no redirects, no Content-Length, slow HEAD).
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! use fakehub::{CommitSpec, FakeHub, FileSpec, RepoSpec};
//! let hub = FakeHub::builder()
//!     .repo(RepoSpec::model("org/tiny").commit(
//!         CommitSpec::new()
//!             .file("config.json", FileSpec::regular("{}"))
//!             .file("model.safetensors", FileSpec::lfs_generated(10 << 20, 7)),
//!     ))
//!     .start()
//!     .await?;
//! // HF_ENDPOINT=hub.url()
//! # Ok(()) }
//! ```
//!
//! Its fidelity is checked by letting the real Python client, `huggingface_hub`, download from it
//! (`tests/interop/test_fakehub_fidelity.py`). The binary, the manifest format, the fault switches and the
//! admin endpoints are described in the crate's README.

mod admin;
mod api;
mod body;
mod cdn;
mod content;
mod errors;
mod faults;
mod listing;
mod manifest;
mod record;
mod repo;
mod resolve;
mod server;

pub use content::{Content, FileSpec, generate, git_blob_sha1};
pub use faults::{
    CorruptFault, Countdown, FaultState, Faults, QuotaFault, RateLimitFault, StatusFault,
};
pub use manifest::{DEMO_MANIFEST, Manifest, ManifestCommit, ManifestFile, ManifestRepo};
pub use record::{Listener, SeenRequest};
pub use repo::{CommitSpec, Gate, RepoSpec, RepoType};
pub use server::{FakeHub, HubBuilder, RunningHub};
