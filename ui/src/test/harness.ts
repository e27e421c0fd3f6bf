// Test harness: the whole window in jsdom with Rust replaced by a table of command handlers. Every
// call is recorded, so tests can assert exactly what the page sent.
import { clearMocks, mockIPC, mockWindows } from "@tauri-apps/api/mocks";
import { vi } from "vitest";
import { App } from "../app";
import type {
  AccountView,
  AppStatus,
  JobView,
  ModelView,
  PlanView,
  ScheduleView,
  SettingsView,
  TriggerPreview,
} from "../generated/types";

export type Handler = (args: Record<string, unknown>) => unknown;
export interface Call {
  cmd: string;
  args: Record<string, unknown>;
}

export const status: AppStatus = {
  version: "0.1.0",
  endpoint: "https://huggingface.co",
  cache_dir: "/cache",
  offline: false,
  service: { runner: "app", detail: "this window runs schedules" },
  active_downloads: 1,
  next_run: { label: "org/model@main", upcoming: { at_ms: 0, local: "2026-12-01 02:00 +01:00", words: "in 3 hours" } },
  bandwidth: "5MB/s (rule 1: Mon–Fri 08:00–19:00)",
};

export const settings: SettingsView = {
  cache_dir: "/cache/hub",
  endpoint: "https://huggingface.co",
  max_concurrent_files: 4,
  connections_per_file: 8,
  bandwidth_limit: "unlimited",
  notify_finished: true,
  notify_failed: true,
  notify_update_available: false,
  notify_schedule_error: true,
  start_at_login: false,
  close_to_tray: true,
};

export const anonymous: AccountView = { source: null, user: null, keyring_available: true, note: null };

export function model(over: Partial<ModelView> = {}): ModelView {
  return {
    repo_type: "model",
    repo_id: "org/model",
    revision: "main",
    commit: "0123456789abcdef0123456789abcdef01234567",
    location: "/cache/hub/models--org--model",
    location_kind: "cache",
    size_bytes: 1_234_000_000,
    state: "complete",
    updated_ms: Date.now() - 3 * 60_000,
    update_available: null,
    ...over,
  };
}

export function job(over: Partial<JobView> = {}): JobView {
  return {
    id: 7,
    repo_type: "model",
    repo_id: "org/model",
    revision: "main",
    state: "running",
    bytes_done: 100,
    bytes_total: 1000,
    error: null,
    waiting: null,
    requested_by: "app",
    priority: 0,
    location: "/cache/hub/models--org--model",
    updated_ms: Date.now(),
    ...over,
  };
}

export const ggufPlan: PlanView = {
  reference: "TheOrg/Model-GGUF",
  repo_type: "model",
  repo_id: "TheOrg/Model-GGUF",
  revision: "main",
  commit: "abcdef0123456789abcdef0123456789abcdef01",
  gated: true,
  private: false,
  destination: "/cache/hub/models--TheOrg--Model-GGUF",
  free_space: 10_000_000_000,
  files: [
    { path: "README.md", size: 5_000, present: true },
    { path: "model.Q2_K.gguf", size: 3_000_000_000, present: false },
    { path: "model.Q4_K_M.gguf", size: 4_100_000_000, present: false },
    { path: "model.Q8_0.gguf", size: 7_200_000_000, present: false },
  ],
};

export function schedule(over: Partial<ScheduleView> = {}): ScheduleView {
  return {
    id: 3,
    name: null,
    label: "org/model@main",
    when: "every night at 02:00",
    policy: "sync, keep 2",
    windows: "any time",
    paused: false,
    upcoming: [{ at_ms: 0, local: "2026-12-01 02:00 +01:00", words: "in 3 hours" }],
    last_result: null,
    last_error: null,
    last_run_ms: null,
    input: {
      name: null,
      reference: "org/model",
      revision: "main",
      trigger: { kind: "cron", text: "0 2 * * *" },
      sync: true,
      keep: 2,
      windows: [],
      include: [],
      exclude: [],
      catch_up: true,
    },
    ...over,
  };
}

export function preview(valid: boolean, words: string, runs = 3): TriggerPreview {
  return {
    valid,
    words,
    upcoming: valid
      ? Array.from({ length: runs }, (_, i) => ({ at_ms: i, local: `2026-12-0${i + 1} 02:00 +01:00`, words: `in ${i + 1} days` }))
      : [],
  };
}

/** Handlers every screen may call; a test overrides the ones it is about. */
export function defaultHandlers(): Record<string, Handler> {
  return {
    app_status: () => status,
    watch_progress: () => null,
    library_list: () => [],
    jobs_list: () => [],
    schedules_list: () => [],
    limits_list: () => [],
    schedule_preview: () => preview(true, "every night at 02:00"),
    settings_get: () => settings,
    account_status: () => anonymous,
    log_recent: () => [],
    pending_links: () => [],
  };
}

export class FakeRust {
  readonly calls: Call[] = [];
  handlers: Record<string, Handler>;

  constructor(overrides: Record<string, Handler> = {}) {
    this.handlers = { ...defaultHandlers(), ...overrides };
    mockWindows("main");
    mockIPC(
      (cmd, args) => {
        const payload = (args ?? {}) as Record<string, unknown>;
        this.calls.push({ cmd, args: payload });
        const handler = this.handlers[cmd];
        if (!handler) throw { kind: "internal", message: `no handler for ${cmd}` };
        return handler(payload);
      },
      { shouldMockEvents: true },
    );
  }

  on(cmd: string, handler: Handler): this {
    this.handlers[cmd] = handler;
    return this;
  }

  callsOf(cmd: string): Array<Record<string, unknown>> {
    return this.calls.filter((c) => c.cmd === cmd).map((c) => c.args);
  }
}

/** A whole window, started, on the library screen. */
export async function startApp(rust: FakeRust): Promise<App> {
  document.body.innerHTML = '<div id="app"></div>';
  const app = new App(document.getElementById("app")!);
  await app.start();
  await vi.waitFor(() => {
    if (!rust.callsOf("library_list").length) throw new Error("library not loaded");
  });
  return app;
}

export function teardown(app: App | null): void {
  app?.stop();
  clearMocks();
  document.body.innerHTML = "";
}

export function q<T extends Element = HTMLElement>(selector: string): T {
  const el = document.querySelector<T>(selector);
  if (!el) throw new Error(`no element ${selector}`);
  return el;
}

export function isShown(el: Element): boolean {
  for (let e: Element | null = el; e; e = e.parentElement) if ((e as HTMLElement).hidden) return false;
  return true;
}

export function type(input: HTMLInputElement, value: string): void {
  input.value = value;
  input.dispatchEvent(new Event("input", { bubbles: true }));
}

export function choose(select: HTMLSelectElement, value: string): void {
  select.value = value;
  select.dispatchEvent(new Event("change", { bubbles: true }));
}

export function text(selector: string): string {
  return (q(selector).textContent ?? "").trim();
}
