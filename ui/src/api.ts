// The page's only door to Rust: one typed wrapper per command, the progress channel and the events.
// Every other module calls these instead of `invoke`, so command names and argument shapes live here.
import { Channel, invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import type {
  AccountView,
  AppStatus,
  CommandError,
  DownloadInput,
  JobView,
  LimitView,
  LogEntry,
  ModelView,
  PlanView,
  ProgressBatch,
  RemovalView,
  RepoKey,
  ScheduleInput,
  ScheduleView,
  SettingsView,
  TriggerInput,
  TriggerPreview,
  VerifyView,
} from "./generated/types";

export type SteerAction = "pause" | "resume" | "cancel";

/** The text to show for a rejected command: Rust sends `CommandError`, anything else is a bug. */
export function errorMessage(err: unknown): string {
  if (err && typeof err === "object" && "message" in err) {
    const message = (err as Partial<CommandError>).message;
    if (typeof message === "string" && message) return message;
  }
  if (typeof err === "string" && err) return err;
  if (err instanceof Error) return err.message;
  return "Something went wrong.";
}

export const api = {
  appStatus: () => invoke<AppStatus>("app_status"),

  libraryList: () => invoke<ModelView[]>("library_list"),
  libraryCheckUpdates: () => invoke<ModelView[]>("library_check_updates"),
  libraryScan: () => invoke<number>("library_scan"),
  libraryVerify: (repo: RepoKey) => invoke<VerifyView>("library_verify", { repo }),
  libraryPlanRemove: (repo: RepoKey) => invoke<RemovalView>("library_plan_remove", { repo }),
  libraryRemove: (repo: RepoKey) => invoke<RemovalView>("library_remove", { repo }),
  libraryUpdate: (repo: RepoKey) => invoke<number>("library_update", { repo }),
  libraryOpenFolder: (repo: RepoKey) => invoke<null>("library_open_folder", { repo }),

  planDownload: (input: string) => invoke<PlanView>("plan_download", { input }),
  startDownload: (input: DownloadInput) => invoke<number>("start_download", { input }),

  jobsList: () => invoke<JobView[]>("jobs_list"),
  /** `id` null steers every job. Resolves to how many jobs changed. */
  jobSteer: (id: number | null, action: SteerAction) => invoke<number>("job_steer", { id, action }),
  jobRetry: (id: number) => invoke<number>("job_retry", { id }),

  schedulesList: () => invoke<ScheduleView[]>("schedules_list"),
  schedulePreview: (trigger: TriggerInput) => invoke<TriggerPreview>("schedule_preview", { trigger }),
  scheduleSave: (id: number | null, input: ScheduleInput) => invoke<ScheduleView>("schedule_save", { id, input }),
  scheduleSetPaused: (id: number, paused: boolean) =>
    invoke<ScheduleView>("schedule_set_paused", { id, paused }),
  scheduleRemove: (id: number) => invoke<null>("schedule_remove", { id }),
  scheduleRunNow: (id: number) => invoke<ScheduleView>("schedule_run_now", { id }),

  limitsList: () => invoke<LimitView[]>("limits_list"),
  limitAdd: (rule: string) => invoke<LimitView>("limit_add", { rule }),
  limitRemove: (id: number) => invoke<null>("limit_remove", { id }),

  settingsGet: () => invoke<SettingsView>("settings_get"),
  settingsSave: (settings: SettingsView) => invoke<SettingsView>("settings_save", { settings }),

  accountStatus: () => invoke<AccountView>("account_status"),
  accountLogin: (token: string) => invoke<AccountView>("account_login", { token }),
  accountLogout: () => invoke<AccountView>("account_logout"),

  logRecent: () => invoke<LogEntry[]>("log_recent"),

  /** `hf://` / `haul://` links the app was launched with, handed over once. */
  pendingLinks: () => invoke<string[]>("pending_links"),
};

export type Api = typeof api;

/** Starts the live progress feed; Rust sends batches only while something moves and the window shows. */
export async function watchProgress(onBatch: (batch: ProgressBatch) => void): Promise<void> {
  const channel = new Channel<ProgressBatch>();
  channel.onmessage = onBatch;
  await invoke<null>("watch_progress", { onBatch: channel });
}

/** The events Rust emits, by name, with their payloads. */
export interface AppEvents {
  "open-add": string;
  "jobs-changed": null;
  "library-changed": null;
  "status-changed": null;
}

export function onEvent<K extends keyof AppEvents>(
  name: K,
  handler: (payload: AppEvents[K]) => void,
): Promise<UnlistenFn> {
  return listen<AppEvents[K]>(name, (event) => handler(event.payload));
}
