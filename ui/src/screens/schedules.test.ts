// The schedules list, the bandwidth rules and the status line that says which limit holds.
import { afterEach, describe, expect, it, vi } from "vitest";
import type { App } from "../app";
import { FakeRust, isShown, q, schedule, startApp, teardown, text, type } from "../test/harness";

let app: App | null = null;
afterEach(() => {
  teardown(app);
  app = null;
});

describe("schedules screen", () => {
  it("lists schedules with when, next runs and the last result or error, and their actions call Rust", async () => {
    const rust = new FakeRust({
      schedules_list: () => [
        schedule({ id: 3, last_result: "fetched 2 files (4.1 GB)", last_run_ms: Date.now() - 120_000 }),
        schedule({ id: 4, paused: true, name: "Weekly data", last_error: "401 Unauthorized" }),
      ],
      schedule_set_paused: () => schedule(),
      schedule_run_now: () => schedule(),
      schedule_remove: () => null,
    });
    app = await startApp(rust);
    q<HTMLButtonElement>('button[data-nav="schedules"]').click();
    await vi.waitFor(() => q('.schedule[data-schedule-id="3"]'));

    expect(text('.schedule[data-schedule-id="3"] .schedule-when')).toBe("every night at 02:00");
    expect(text('.schedule[data-schedule-id="3"] .schedule-last')).toBe("Last run 2 min ago: fetched 2 files (4.1 GB)");
    expect(text('.schedule[data-schedule-id="4"] .schedule-last')).toBe("Last run failed: 401 Unauthorized");
    expect(text('.schedule[data-schedule-id="4"] .schedule-label')).toBe("Weekly data");

    q<HTMLButtonElement>('.schedule[data-schedule-id="3"] [data-action="pause"]').click();
    q<HTMLButtonElement>('.schedule[data-schedule-id="4"] [data-action="resume"]').click();
    q<HTMLButtonElement>('.schedule[data-schedule-id="3"] [data-action="run-now"]').click();
    await vi.waitFor(() => expect(rust.callsOf("schedule_run_now")).toEqual([{ id: 3 }]));
    expect(rust.callsOf("schedule_set_paused")).toEqual([
      { id: 3, paused: true },
      { id: 4, paused: false },
    ]);

    await vi.waitFor(() => q('.schedule[data-schedule-id="4"] [data-action="delete"]'));
    q<HTMLButtonElement>('.schedule[data-schedule-id="4"] [data-action="delete"]').click();
    expect(isShown(q("#confirm-dialog"))).toBe(true);
    q<HTMLButtonElement>("#confirm-ok").click();
    await vi.waitFor(() => expect(rust.callsOf("schedule_remove")).toEqual([{ id: 4 }]));
  });

  it("bandwidth rules: the active one is marked, add sends window and rate, remove sends the id", async () => {
    const rust = new FakeRust({
      limits_list: () => [
        { id: 1, window: "Mon-Fri 08:00-19:00", rate: "5MB/s", active: true },
        { id: 2, window: "daily 22:00-06:00", rate: "unlimited", active: false },
      ],
      limit_add: () => ({ id: 3, window: "Sat,Sun 00:00-24:00", rate: "unlimited", active: false }),
      limit_remove: () => null,
    });
    app = await startApp(rust);
    q<HTMLButtonElement>('button[data-nav="schedules"]').click();
    await vi.waitFor(() => q('.limit[data-limit-id="1"]'));
    expect(q('.limit[data-limit-id="1"]').classList.contains("active")).toBe(true);
    expect(text('.limit[data-limit-id="1"]')).toContain("active now");
    expect(text("#bandwidth-now")).toBe("In force now: 5MB/s (rule 1: Mon–Fri 08:00–19:00)");

    type(q<HTMLInputElement>("#limit-window"), "Sat,Sun 00:00-24:00");
    type(q<HTMLInputElement>("#limit-rate"), "unlimited");
    q<HTMLButtonElement>("#limit-add").click();
    await vi.waitFor(() => expect(rust.callsOf("limit_add")).toEqual([{ rule: "Sat,Sun 00:00-24:00 unlimited" }]));

    q<HTMLButtonElement>('.limit[data-limit-id="2"] button[data-action="remove"]').click();
    await vi.waitFor(() => expect(rust.callsOf("limit_remove")).toEqual([{ id: 2 }]));
  });
});

describe("status bar and log", () => {
  it("the status bar names the runner, active downloads, the next run and the bandwidth", async () => {
    const rust = new FakeRust();
    app = await startApp(rust);
    await vi.waitFor(() => expect(text("#status-service")).toBe("Service: this app"));
    expect(text("#status-downloads")).toBe("1 download active");
    expect(text("#status-next-run")).toBe("Next run: org/model@main in 3 hours");
    expect(text("#status-bandwidth")).toBe("Bandwidth: 5MB/s (rule 1: Mon–Fri 08:00–19:00)");
  });

  it("the log lists entries newest first", async () => {
    const rust = new FakeRust({
      log_recent: () => [
        { at_ms: 1_000, level: "info", message: "older" },
        { at_ms: 5_000, level: "error", message: "newest" },
      ],
    });
    app = await startApp(rust);
    q<HTMLButtonElement>('button[data-nav="log"]').click();
    await vi.waitFor(() => expect(document.querySelectorAll("#log-list li")).toHaveLength(2));
    const messages = [...document.querySelectorAll("#log-list li .log-message")].map((e) => e.textContent);
    expect(messages).toEqual(["newest", "older"]);
    expect(isShown(q('section[data-screen="log"]'))).toBe(true);
    expect(q('section[data-screen="library"]').hidden).toBe(true);
  });
});
