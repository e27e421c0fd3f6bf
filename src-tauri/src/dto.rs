//! The types that cross the IPC boundary, one shape per screen. The TypeScript side gets them from
//! ui/src/generated/types.ts, which `cargo test` regenerates from these with ts-rs (and fails when the
//! committed file is stale). Times are Unix milliseconds; sizes are bytes.

use serde::{Deserialize, Serialize};

use ts_rs::TS;

/// What went wrong in a command, as the page shows it.
#[derive(Clone, Debug, Serialize, TS)]
pub struct CommandError {
    /// `input`, `not_found`, `auth`, `network`, `integrity`, `disk`, `offline`, `database`,
    /// `cancelled`, `busy` or `internal`.
    pub kind: String,
    pub message: String,
}

/// Names one repository of the library.
#[derive(Clone, Debug, Serialize, Deserialize, TS)]
pub struct RepoKey {
    /// `model`, `dataset` or `space`.
    pub repo_type: String,
    pub repo_id: String,
    /// `None`: every revision.
    pub revision: Option<String>,
}

/// Who runs schedules and queued downloads on this machine.
#[derive(Clone, Debug, Serialize, TS)]
pub struct ServiceView {
    /// `app` (this window's process), `daemon` (another process holds the service lock) or `none`.
    pub runner: String,
    pub detail: String,
}

#[derive(Clone, Debug, Serialize, TS)]
pub struct UpcomingView {
    pub at_ms: f64,
    /// `2026-12-01 02:00 +01:00`.
    pub local: String,
    /// `in 3 hours`.
    pub words: String,
}

/// The header line of the window and the tray's menu text.
#[derive(Clone, Debug, Serialize, TS)]
pub struct AppStatus {
    pub version: String,
    pub endpoint: String,
    pub cache_dir: String,
    pub offline: bool,
    pub service: ServiceView,
    pub active_downloads: u32,
    /// The next scheduled run of any schedule, with the schedule's label.
    pub next_run: Option<NextRunView>,
    /// `5MB/s (rule 1: Mon–Fri 08:00–19:00)`, `unlimited (the bandwidth_limit setting)`.
    pub bandwidth: String,
}

#[derive(Clone, Debug, Serialize, TS)]
pub struct NextRunView {
    pub label: String,
    pub upcoming: UpcomingView,
}

/// A row of the library.
#[derive(Clone, Debug, Serialize, TS)]
pub struct ModelView {
    pub repo_type: String,
    pub repo_id: String,
    pub revision: String,
    pub commit: String,
    pub location: String,
    /// `cache` or `local_dir`.
    pub location_kind: String,
    pub size_bytes: f64,
    /// `complete`, `partial` or `missing`.
    pub state: String,
    pub updated_ms: f64,
    /// The newer commit on the branch, when a check found one.
    pub update_available: Option<String>,
}

#[derive(Clone, Debug, Serialize, TS)]
pub struct RemovalView {
    pub bytes_freed: f64,
    pub files: u32,
    /// The revisions that go (`main`, `refs/pr/1`, commits).
    pub revisions: Vec<String>,
    pub paths: Vec<String>,
}

#[derive(Clone, Debug, Serialize, TS)]
pub struct VerifyView {
    pub files_checked: u32,
    pub ok: bool,
    pub corrupt: Vec<String>,
    pub missing: Vec<String>,
    pub extra: Vec<String>,
}

/// The sheet shown before anything downloads.
#[derive(Clone, Debug, Serialize, TS)]
pub struct PlanView {
    /// What to send back to start it: `org/name`, `datasets/org/name`.
    pub reference: String,
    pub repo_type: String,
    pub repo_id: String,
    pub revision: String,
    pub commit: String,
    pub gated: bool,
    pub private: bool,
    pub destination: String,
    pub free_space: Option<f64>,
    pub files: Vec<PlanFileView>,
}

#[derive(Clone, Debug, Serialize, TS)]
pub struct PlanFileView {
    pub path: String,
    pub size: f64,
    /// Already complete on disk: costs nothing.
    pub present: bool,
}

/// "Download now" from the sheet: the files the user kept.
#[derive(Clone, Debug, Deserialize, TS)]
pub struct DownloadInput {
    pub reference: String,
    pub revision: String,
    /// Exact paths; empty means every file.
    pub files: Vec<String>,
}

/// A row of the queue.
#[derive(Clone, Debug, Serialize, TS)]
pub struct JobView {
    pub id: f64,
    pub repo_type: String,
    pub repo_id: String,
    pub revision: String,
    /// `queued`, `running`, `waiting`, `paused`, `done`, `failed`, `cancelled`, `interrupted`.
    pub state: String,
    pub bytes_done: f64,
    pub bytes_total: f64,
    pub error: Option<String>,
    /// Why a `waiting` job waits: `outside window Mon–Fri 01:00–06:00`.
    pub waiting: Option<String>,
    /// `cli`, `app`, `schedule`.
    pub requested_by: String,
    pub priority: f64,
    pub location: String,
    pub updated_ms: f64,
}

/// Live progress of the downloads running in this process, a few times a second while the window
/// shows and something moves.
#[derive(Clone, Debug, Serialize, TS)]
pub struct ProgressBatch {
    pub jobs: Vec<JobProgressView>,
}

#[derive(Clone, Debug, Serialize, TS)]
pub struct JobProgressView {
    pub job_id: f64,
    pub bytes_done: f64,
    pub bytes_total: f64,
    pub files_done: f64,
    pub files_total: f64,
    /// Bytes per second, smoothed.
    pub speed: f64,
    pub eta_secs: Option<f64>,
    pub files: Vec<FileProgressView>,
}

#[derive(Clone, Debug, Serialize, TS)]
pub struct FileProgressView {
    pub path: String,
    pub bytes_done: f64,
    pub size: f64,
}

/// A schedule as the list shows it.
#[derive(Clone, Debug, Serialize, TS)]
pub struct ScheduleView {
    pub id: f64,
    pub name: Option<String>,
    /// `org/name@main`.
    pub label: String,
    /// `every night at 02:00`.
    pub when: String,
    pub policy: String,
    pub windows: String,
    pub paused: bool,
    pub upcoming: Vec<UpcomingView>,
    pub last_result: Option<String>,
    pub last_error: Option<String>,
    pub last_run_ms: Option<f64>,
    /// The schedule as the editor fills its fields.
    pub input: ScheduleInput,
}

/// The schedule editor's fields; the same words the CLI takes.
#[derive(Clone, Debug, Serialize, Deserialize, TS)]
pub struct ScheduleInput {
    pub name: Option<String>,
    /// `org/name`, `datasets/org/name` or a URL of the endpoint.
    pub reference: String,
    pub revision: String,
    pub trigger: TriggerInput,
    pub sync: bool,
    /// With `sync`: how many revisions to keep (`None`: all).
    pub keep: Option<u32>,
    /// `Mon-Fri 01:00-06:00`, one per allowed window.
    pub windows: Vec<String>,
    pub include: Vec<String>,
    pub exclude: Vec<String>,
    pub catch_up: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize, TS)]
pub struct TriggerInput {
    /// `cron`, `at` or `every`.
    pub kind: String,
    /// `0 2 * * *`, `2026-12-01 02:00`, `6h`.
    pub text: String,
}

#[derive(Clone, Debug, Serialize, TS)]
pub struct TriggerPreview {
    /// The trigger in words, or why it is not valid.
    pub words: String,
    pub valid: bool,
    pub upcoming: Vec<UpcomingView>,
}

#[derive(Clone, Debug, Serialize, TS)]
pub struct LimitView {
    pub id: f64,
    /// `Mon-Fri 08:00-19:00`.
    pub window: String,
    /// `5MB/s` or `unlimited`.
    pub rate: String,
    /// In force now.
    pub active: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize, TS)]
pub struct SettingsView {
    pub cache_dir: String,
    pub endpoint: String,
    pub max_concurrent_files: u32,
    pub connections_per_file: u32,
    /// `20M`, `unlimited`.
    pub bandwidth_limit: String,
    pub notify_finished: bool,
    pub notify_failed: bool,
    pub notify_update_available: bool,
    pub notify_schedule_error: bool,
    pub start_at_login: bool,
    pub close_to_tray: bool,
}

#[derive(Clone, Debug, Serialize, TS)]
pub struct AccountView {
    /// `keyring`, `token file`, `HF_TOKEN`, or `None` (anonymous).
    pub source: Option<String>,
    pub user: Option<String>,
    /// The OS keyring answers; where it does not, login writes the HF token file instead.
    pub keyring_available: bool,
    pub note: Option<String>,
}

/// A line of the log view.
#[derive(Clone, Debug, Serialize, TS)]
pub struct LogEntry {
    pub at_ms: f64,
    /// `info`, `warn`, `error`.
    pub level: String,
    pub message: String,
}

#[cfg(test)]
mod bindings {
    //! Fails when the committed ui/src/generated/types.ts differs from what these types generate;
    //! with `HAUL_UPDATE_BINDINGS` set, rewrites it first.

    use super::*;

    fn generated() -> String {
        let decls = [
            CommandError::decl(),
            RepoKey::decl(),
            ServiceView::decl(),
            UpcomingView::decl(),
            AppStatus::decl(),
            NextRunView::decl(),
            ModelView::decl(),
            RemovalView::decl(),
            VerifyView::decl(),
            PlanView::decl(),
            PlanFileView::decl(),
            DownloadInput::decl(),
            JobView::decl(),
            ProgressBatch::decl(),
            JobProgressView::decl(),
            FileProgressView::decl(),
            ScheduleView::decl(),
            ScheduleInput::decl(),
            TriggerInput::decl(),
            TriggerPreview::decl(),
            LimitView::decl(),
            SettingsView::decl(),
            AccountView::decl(),
            LogEntry::decl(),
        ];
        let mut out = String::from(
            "// Generated from src-tauri/src/dto.rs by `cargo test -p haul-desktop` (ts-rs); do not edit.\n\n",
        );
        for decl in decls {
            out.push_str("export ");
            out.push_str(&decl);
            out.push_str("\n\n");
        }
        out.truncate(out.trim_end().len());
        out.push('\n');
        out
    }

    #[test]
    fn the_typescript_types_are_current() {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("ui/src/generated/types.ts");
        let want = generated();
        if std::env::var_os("HAUL_UPDATE_BINDINGS").is_some() {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &want).unwrap();
        }
        let have = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            have == want,
            "ui/src/generated/types.ts is stale: run `HAUL_UPDATE_BINDINGS=1 cargo test -p haul-desktop bindings` and commit it"
        );
    }
}
