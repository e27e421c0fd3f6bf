//! Haul's core: download Hugging Face Hub repositories into the standard HF cache (or a plain
//! folder), every byte verified against the Hub's hashes. The faces (CLI, desktop app, daemon) call
//! [`Haul`]; nothing here knows about terminals or windows.

pub mod auth;
pub mod cache;
pub mod config;
pub mod doctor;
mod error;
pub mod events;
mod facade;
pub mod hub;
pub mod library;
pub mod logging;
pub mod notify;
pub mod paths;
pub mod plan;
pub mod process;
pub mod registry;
pub mod repo_ref;
pub mod schedule;
pub mod service;
pub mod settings;
pub mod transfer;
pub mod units;
pub mod verify;

pub use auth::{Token, TokenSource, resolve_token};
pub use config::Config;
pub use error::{Error, ErrorKind};
pub use events::{Event, ProgressSnapshot};
pub use facade::{DownloadReport, Haul, LimitFollower, QueuedRequest};
pub use notify::{Notification, NotificationKind, Notifier};
pub use plan::{Destination, DownloadRequest, Plan, PlannedFile};
pub use repo_ref::{RepoRef, RepoType};
pub use transfer::TransferOptions;
