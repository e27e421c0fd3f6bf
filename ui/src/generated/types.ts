// Generated from src-tauri/src/dto.rs by `cargo test -p haul-desktop` (ts-rs); do not edit.

export type CommandError = { 
/**
 * `input`, `not_found`, `auth`, `network`, `integrity`, `disk`, `offline`, `database`,
 * `cancelled`, `busy` or `internal`.
 */
kind: string, message: string, };

export type RepoKey = { 
/**
 * `model`, `dataset` or `space`.
 */
repo_type: string, repo_id: string, 
/**
 * `None`: every revision.
 */
revision: string | null, };

export type ServiceView = { 
/**
 * `app` (this window's process), `daemon` (another process holds the service lock) or `none`.
 */
runner: string, detail: string, };

export type UpcomingView = { at_ms: number, 
/**
 * `2026-12-01 02:00 +01:00`.
 */
local: string, 
/**
 * `in 3 hours`.
 */
words: string, };

export type AppStatus = { version: string, endpoint: string, cache_dir: string, offline: boolean, service: ServiceView, active_downloads: number, 
/**
 * The next scheduled run of any schedule, with the schedule's label.
 */
next_run: NextRunView | null, 
/**
 * `5MB/s (rule 1: Mon–Fri 08:00–19:00)`, `unlimited (the bandwidth_limit setting)`.
 */
bandwidth: string, };

export type NextRunView = { label: string, upcoming: UpcomingView, };

export type ModelView = { repo_type: string, repo_id: string, revision: string, commit: string, location: string, 
/**
 * `cache` or `local_dir`.
 */
location_kind: string, size_bytes: number, 
/**
 * `complete`, `partial` or `missing`.
 */
state: string, updated_ms: number, 
/**
 * The newer commit on the branch, when a check found one.
 */
update_available: string | null, };

export type RemovalView = { bytes_freed: number, files: number, 
/**
 * The revisions that go (`main`, `refs/pr/1`, commits).
 */
revisions: Array<string>, paths: Array<string>, };

export type VerifyView = { files_checked: number, ok: boolean, corrupt: Array<string>, missing: Array<string>, extra: Array<string>, };

export type PlanView = { 
/**
 * What to send back to start it: `org/name`, `datasets/org/name`.
 */
reference: string, repo_type: string, repo_id: string, revision: string, commit: string, gated: boolean, private: boolean, destination: string, free_space: number | null, files: Array<PlanFileView>, };

export type PlanFileView = { path: string, size: number, 
/**
 * Already complete on disk: costs nothing.
 */
present: boolean, };

export type DownloadInput = { reference: string, revision: string, 
/**
 * Exact paths; empty means every file.
 */
files: Array<string>, };

export type JobView = { id: number, repo_type: string, repo_id: string, revision: string, 
/**
 * `queued`, `running`, `waiting`, `paused`, `done`, `failed`, `cancelled`, `interrupted`.
 */
state: string, bytes_done: number, bytes_total: number, error: string | null, 
/**
 * Why a `waiting` job waits: `outside window Mon–Fri 01:00–06:00`.
 */
waiting: string | null, 
/**
 * `cli`, `app`, `schedule`.
 */
requested_by: string, priority: number, location: string, updated_ms: number, };

export type ProgressBatch = { jobs: Array<JobProgressView>, };

export type JobProgressView = { job_id: number, bytes_done: number, bytes_total: number, files_done: number, files_total: number, 
/**
 * Bytes per second, smoothed.
 */
speed: number, eta_secs: number | null, files: Array<FileProgressView>, };

export type FileProgressView = { path: string, bytes_done: number, size: number, };

export type ScheduleView = { id: number, name: string | null, 
/**
 * `org/name@main`.
 */
label: string, 
/**
 * `every night at 02:00`.
 */
when: string, policy: string, windows: string, paused: boolean, upcoming: Array<UpcomingView>, last_result: string | null, last_error: string | null, last_run_ms: number | null, 
/**
 * The schedule as the editor fills its fields.
 */
input: ScheduleInput, };

export type ScheduleInput = { name: string | null, 
/**
 * `org/name`, `datasets/org/name` or a URL of the endpoint.
 */
reference: string, revision: string, trigger: TriggerInput, sync: boolean, 
/**
 * With `sync`: how many revisions to keep (`None`: all).
 */
keep: number | null, 
/**
 * `Mon-Fri 01:00-06:00`, one per allowed window.
 */
windows: Array<string>, include: Array<string>, exclude: Array<string>, catch_up: boolean, };

export type TriggerInput = { 
/**
 * `cron`, `at` or `every`.
 */
kind: string, 
/**
 * `0 2 * * *`, `2026-12-01 02:00`, `6h`.
 */
text: string, };

export type TriggerPreview = { 
/**
 * The trigger in words, or why it is not valid.
 */
words: string, valid: boolean, upcoming: Array<UpcomingView>, };

export type LimitView = { id: number, 
/**
 * `Mon-Fri 08:00-19:00`.
 */
window: string, 
/**
 * `5MB/s` or `unlimited`.
 */
rate: string, 
/**
 * In force now.
 */
active: boolean, };

export type SettingsView = { cache_dir: string, endpoint: string, max_concurrent_files: number, connections_per_file: number, 
/**
 * `20M`, `unlimited`.
 */
bandwidth_limit: string, notify_finished: boolean, notify_failed: boolean, notify_update_available: boolean, notify_schedule_error: boolean, start_at_login: boolean, close_to_tray: boolean, };

export type AccountView = { 
/**
 * `keyring`, `token file`, `HF_TOKEN`, or `None` (anonymous).
 */
source: string | null, user: string | null, 
/**
 * The OS keyring answers; where it does not, login writes the HF token file instead.
 */
keyring_available: boolean, note: string | null, };

export type LogEntry = { at_ms: number, 
/**
 * `info`, `warn`, `error`.
 */
level: string, message: string, };
