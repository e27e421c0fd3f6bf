//! The commands the page may invoke, one file per screen. Each is a thin call into the core facade;
//! no download, hash, schedule or Hub request happens in the webview.

pub mod downloads;
pub mod library;
pub mod schedules;
pub mod settings;
pub mod status;
