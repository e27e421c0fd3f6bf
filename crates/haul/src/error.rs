//! The facade's error: every module's error in one enum, each classified into a kind that faces map
//! to exit codes (CLI) or to a serialisable error (app, `--json`).

use serde::Serialize;

use crate::auth::AuthError;
use crate::cache::CacheError;
use crate::config::ConfigError;
use crate::hub::HubError;
use crate::library::LibraryError;
use crate::plan::PlanError;
use crate::registry::RegistryError;
use crate::repo_ref::RepoRefError;
use crate::schedule::ScheduleError;
use crate::transfer::TransferError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    RepoRef(#[from] RepoRefError),
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error(transparent)]
    Hub(#[from] HubError),
    #[error(transparent)]
    Cache(#[from] CacheError),
    #[error(transparent)]
    Plan(#[from] PlanError),
    #[error(transparent)]
    Transfer(#[from] TransferError),
    #[error(transparent)]
    Registry(#[from] RegistryError),
    #[error(transparent)]
    Library(#[from] LibraryError),
    #[error(transparent)]
    Service(#[from] crate::service::ServiceError),
    #[error(transparent)]
    Schedule(#[from] ScheduleError),
    #[error("{failed} of {total} files could not be downloaded; the first: {first}")]
    FilesFailed {
        failed: usize,
        total: usize,
        first: Box<TransferError>,
        /// Every failure, by path.
        failures: Vec<(String, String)>,
    },
}

/// The families of failure a user or a script tells apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// Something the user typed or configured is malformed.
    Input,
    /// Repo, revision or file does not exist (or is private and invisible).
    NotFound,
    /// Gated, unapproved, or a bad token.
    Auth,
    /// The network or the server failed, even after retries.
    Network,
    /// A file's content did not match its hash, or the server sent something unsafe.
    Integrity,
    /// The disk is full, too small, or not writable.
    Disk,
    /// Offline, and what was asked for is not cached.
    Offline,
    /// Haul's own database cannot be opened or used.
    Database,
    /// The user cancelled the download (`haul cancel`, the app).
    Cancelled,
    /// Another Haul service already runs for this data dir.
    Busy,
}

impl ErrorKind {
    /// The CLI's exit code for this kind (documented in `haul --help`).
    pub fn exit_code(self) -> u8 {
        match self {
            ErrorKind::Input => 2,
            ErrorKind::NotFound => 3,
            ErrorKind::Auth => 4,
            ErrorKind::Network => 5,
            ErrorKind::Integrity => 6,
            ErrorKind::Disk => 7,
            ErrorKind::Offline => 8,
            ErrorKind::Database => 9,
            ErrorKind::Cancelled => 10,
            ErrorKind::Busy => 11,
        }
    }
}

fn hub_kind(e: &HubError) -> ErrorKind {
    match e {
        HubError::RepoNotFound { .. }
        | HubError::RevisionNotFound { .. }
        | HubError::EntryNotFound { .. } => ErrorKind::NotFound,
        HubError::GatedNeedsToken { .. }
        | HubError::GatedNotApproved { .. }
        | HubError::InvalidToken => ErrorKind::Auth,
        HubError::RateLimited { .. }
        | HubError::Server { .. }
        | HubError::Network { .. }
        | HubError::NotAHub { .. }
        | HubError::Unexpected { .. }
        | HubError::Client(_) => ErrorKind::Network,
    }
}

fn transfer_kind(e: &TransferError) -> ErrorKind {
    match e {
        TransferError::Hub(h) => hub_kind(h),
        TransferError::Cache(_) => ErrorKind::Disk,
        TransferError::HashMismatch { .. } => ErrorKind::Integrity,
        TransferError::Exhausted { .. } => ErrorKind::Network,
        TransferError::Cancelled => ErrorKind::Cancelled,
    }
}

impl Error {
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Config(ConfigError::Settings(s)) if s.is_io() => ErrorKind::Disk,
            Error::RepoRef(_) | Error::Config(_) => ErrorKind::Input,
            Error::Hub(h) => hub_kind(h),
            Error::Auth(a) if a.is_input() => ErrorKind::Input,
            Error::Auth(a) if a.is_disk() => ErrorKind::Disk,
            Error::Auth(_) => ErrorKind::Auth,
            Error::Cache(CacheError::UnsafePath(_)) => ErrorKind::Integrity,
            Error::Cache(_) => ErrorKind::Disk,
            Error::Plan(PlanError::BadPattern { .. } | PlanError::NothingToQueue { .. }) => {
                ErrorKind::Input
            }
            Error::Plan(PlanError::UnsafeEntry(_)) => ErrorKind::Integrity,
            Error::Plan(PlanError::NoSuchFile { .. }) => ErrorKind::NotFound,
            Error::Plan(PlanError::OfflineNotCached { .. }) => ErrorKind::Offline,
            Error::Transfer(t) => transfer_kind(t),
            Error::FilesFailed { first, .. } => transfer_kind(first),
            Error::Registry(_) => ErrorKind::Database,
            Error::Library(
                LibraryError::NotInLibrary { .. }
                | LibraryError::NoSuchRevision { .. }
                | LibraryError::NoJob(_),
            ) => ErrorKind::NotFound,
            Error::Library(LibraryError::Offline { .. }) => ErrorKind::Offline,
            Error::Library(LibraryError::Damaged { .. }) => ErrorKind::Integrity,
            Error::Library(LibraryError::Confirm) => ErrorKind::Input,
            Error::Schedule(s) if s.is_not_found() => ErrorKind::NotFound,
            Error::Schedule(ScheduleError::Running { .. }) => ErrorKind::Busy,
            Error::Schedule(_) => ErrorKind::Input,
            Error::Service(crate::service::ServiceError::AlreadyRunning { .. }) => ErrorKind::Busy,
            Error::Service(_) => ErrorKind::Disk,
        }
    }
}
