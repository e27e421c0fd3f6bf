// Generated from src-tauri/src/dto.rs by `cargo test -p haul-desktop` (ts-rs); do not edit.

export type CommandError = { kind: string, message: string, };

export type RepoKey = { repo_type: string, repo_id: string, revision: string | null, };

export type ServiceView = { runner: string, detail: string, };

export type UpcomingView = { at_ms: number, local: string, words: string, };

export type AppStatus = { version: string, endpoint: string, cache_dir: string, offline: boolean, service: ServiceView, active_downloads: number, next_run: NextRunView | null, bandwidth: string, };

export type NextRunView = { label: string, upcoming: UpcomingView, };

export type ModelView = { repo_type: string, repo_id: string, revision: string, commit: string, location: string, location_kind: string, size_bytes: number, state: string, updated_ms: number, update_available: string | null, };

export type RemovalView = { bytes_freed: number, files: number, revisions: Array<string>, paths: Array<string>, };

export type VerifyView = { files_checked: number, ok: boolean, corrupt: Array<string>, missing: Array<string>, extra: Array<string>, };

export type PlanView = { reference: string, repo_type: string, repo_id: string, revision: string, commit: string, gated: boolean, private: boolean, destination: string, free_space: number | null, files: Array<PlanFileView>, };

export type PlanFileView = { path: string, size: number, present: boolean, };

export type DownloadInput = { reference: string, revision: string, files: Array<string>, };

export type JobView = { id: number, repo_type: string, repo_id: string, revision: string, state: string, bytes_done: number, bytes_total: number, error: string | null, requested_by: string, priority: number, location: string, updated_ms: number, };

export type ProgressBatch = { jobs: Array<JobProgressView>, };

export type JobProgressView = { job_id: number, bytes_done: number, bytes_total: number, files_done: number, files_total: number, speed: number, eta_secs: number | null, files: Array<FileProgressView>, };

export type FileProgressView = { path: string, bytes_done: number, size: number, };

export type ScheduleView = { id: number, name: string | null, label: string, when: string, policy: string, windows: string, paused: boolean, upcoming: Array<UpcomingView>, last_result: string | null, last_error: string | null, last_run_ms: number | null, input: ScheduleInput, };

export type ScheduleInput = { name: string | null, reference: string, revision: string, trigger: TriggerInput, sync: boolean, keep: number | null, windows: Array<string>, include: Array<string>, exclude: Array<string>, catch_up: boolean, };

export type TriggerInput = { kind: string, text: string, };

export type TriggerPreview = { words: string, valid: boolean, upcoming: Array<UpcomingView>, };

export type LimitView = { id: number, window: string, rate: string, active: boolean, };

export type SettingsView = { cache_dir: string, endpoint: string, max_concurrent_files: number, connections_per_file: number, bandwidth_limit: string, notify_finished: boolean, notify_failed: boolean, notify_update_available: boolean, notify_schedule_error: boolean, start_at_login: boolean, close_to_tray: boolean, };

export type AccountView = { source: string | null, user: string | null, keyring_available: boolean, note: string | null, };

export type LogEntry = { at_ms: number, level: string, message: string, };
