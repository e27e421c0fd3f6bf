//! One module per subcommand: parse arguments into a core request, call the facade, render.

pub mod auth;
pub mod completion;
pub mod completion_repos;
pub mod config;
pub mod daemon;
pub mod doctor;
pub mod download;
pub mod jobs;
pub mod library;
pub mod logs;
pub mod schedules;
pub mod updates;
