//! Everything that can go wrong talking to a Hub, each with what happened and what to do next.

use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum HubError {
    #[error(
        "repository {repo} was not found on {endpoint}. Check the name and the type (--repo-type dataset for datasets){hint}"
    )]
    RepoNotFound {
        repo: String,
        endpoint: String,
        hint: &'static str,
    },
    #[error("revision '{revision}' was not found in {repo}: check the branch, tag or commit name")]
    RevisionNotFound { repo: String, revision: String },
    #[error("file '{path}' was not found in {repo} at revision '{revision}'")]
    EntryNotFound {
        repo: String,
        revision: String,
        path: String,
    },
    #[error(
        "access to {repo} is gated: request access at {url}, then give Haul your token (`haul auth login`, HF_TOKEN or --token)"
    )]
    GatedNeedsToken { repo: String, url: String },
    #[error(
        "access to {repo} is gated and your token's account is not approved yet: ask for access at {url} and wait for approval"
    )]
    GatedNotApproved { repo: String, url: String },
    #[error(
        "the Hub refused the token (invalid credentials): check it (`haul auth status` says where it comes from), then replace it with `haul auth login` or remove it from --token, HF_TOKEN, the OS keyring (`haul auth logout`) or the token file"
    )]
    InvalidToken,
    #[error("the Hub is rate limiting requests and kept doing so after {attempts} attempts; try again in {}s", .retry_after.as_secs().max(1))]
    RateLimited {
        attempts: u32,
        retry_after: Duration,
    },
    #[error(
        "the Hub answered {status} for {url} after {attempts} attempts: it may be down; try again later"
    )]
    Server {
        status: u16,
        url: String,
        attempts: u32,
    },
    #[error(
        "cannot reach {url} after {attempts} attempts: {reason}. Check the network, HF_ENDPOINT and any proxy settings"
    )]
    Network {
        url: String,
        attempts: u32,
        reason: String,
    },
    #[error("{url} does not answer like a Hugging Face Hub ({reason}): check HF_ENDPOINT")]
    NotAHub { url: String, reason: String },
    #[error("the Hub answered {status} for {url}: {message}")]
    Unexpected {
        status: u16,
        url: String,
        message: String,
    },
    #[error("cannot set up the HTTP client: {0}")]
    Client(String),
}

impl HubError {
    /// Whether trying again later may succeed.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            HubError::RateLimited { .. } | HubError::Server { .. } | HubError::Network { .. }
        )
    }
}
