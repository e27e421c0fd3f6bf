// The schedule editor: presets, live validation through schedule_preview, and what Save sends.
import { afterEach, describe, expect, it, vi } from "vitest";
import type { App } from "../app";
import type { TriggerInput } from "../generated/types";
import { choose, FakeRust, isShown, preview, q, schedule, startApp, teardown, text, type } from "../test/harness";

let app: App | null = null;
afterEach(() => {
  teardown(app);
  app = null;
});

/** Rust's validation, reduced to what the tests need: a cron of five fields is valid. */
function fakePreview(args: Record<string, unknown>) {
  const t = args.trigger as TriggerInput;
  if (t.kind === "cron" && t.text.split(/\s+/).length !== 5) {
    return preview(false, `invalid cron expression '${t.text}': expected 5 fields`);
  }
  return preview(true, `${t.kind} ${t.text}`);
}

async function openEditor(rust: FakeRust): Promise<void> {
  q<HTMLButtonElement>('button[data-nav="schedules"]').click();
  q<HTMLButtonElement>("#schedule-new").click();
  expect(isShown(q("#schedule-editor"))).toBe(true);
  await vi.waitFor(() => expect(rust.callsOf("schedule_preview").length).toBeGreaterThan(0));
}

describe("schedule editor", () => {
  it("presets fill the trigger kind and text", async () => {
    const rust = new FakeRust({ schedule_preview: fakePreview });
    app = await startApp(rust);
    await openEditor(rust);
    const preset = q<HTMLSelectElement>("#sched-preset");
    const kind = q<HTMLSelectElement>("#sched-kind");
    const textField = q<HTMLInputElement>("#sched-text");

    expect([...preset.options].map((o) => o.textContent)).toEqual([
      "Every night at 02:00",
      "Every hour",
      "Weekdays at 07:30",
      "Once at…",
      "Custom cron",
    ]);
    choose(preset, "hourly");
    expect([kind.value, textField.value]).toEqual(["every", "1h"]);
    choose(preset, "weekdays");
    expect([kind.value, textField.value]).toEqual(["cron", "30 7 * * 1-5"]);
    choose(preset, "nightly");
    expect([kind.value, textField.value]).toEqual(["cron", "0 2 * * *"]);
    choose(preset, "once");
    expect(kind.value).toBe("at");
    expect(textField.value).toMatch(/^\d{4}-\d\d-\d\d 02:00$/);
    // Each preset is previewed at once, without waiting for typing to stop.
    await vi.waitFor(() =>
      expect(rust.callsOf("schedule_preview").slice(-1)[0]).toEqual({ trigger: { kind: "at", text: textField.value } }),
    );
  });

  it("typing a cron by hand switches the preset to Custom cron, and a known one back", async () => {
    const rust = new FakeRust({ schedule_preview: fakePreview });
    app = await startApp(rust);
    await openEditor(rust);
    type(q<HTMLInputElement>("#sched-text"), "15 3 * * *");
    expect(q<HTMLSelectElement>("#sched-preset").value).toBe("custom");
    type(q<HTMLInputElement>("#sched-text"), "30 7 * * 1-5");
    expect(q<HTMLSelectElement>("#sched-preset").value).toBe("weekdays");
  });

  it("an invalid cron shows the preview's error and disables Save; a valid one lists the next three runs", async () => {
    const rust = new FakeRust({ schedule_preview: fakePreview });
    app = await startApp(rust);
    await openEditor(rust);
    const save = q<HTMLButtonElement>("#sched-save");
    await vi.waitFor(() => expect(save.disabled).toBe(false));

    type(q<HTMLInputElement>("#sched-text"), "0 2 * *");
    await vi.waitFor(() => expect(isShown(q("#sched-error"))).toBe(true));
    expect(text("#sched-error")).toBe("invalid cron expression '0 2 * *': expected 5 fields");
    expect(save.disabled).toBe(true);
    expect(document.querySelectorAll("#sched-preview li")).toHaveLength(0);

    type(q<HTMLInputElement>("#sched-text"), "0 2 * * 6");
    await vi.waitFor(() => expect(save.disabled).toBe(false));
    expect(isShown(q("#sched-error"))).toBe(false);
    const runs = [...document.querySelectorAll("#sched-preview li")].map((li) => li.textContent);
    expect(runs).toEqual([
      "in 1 days 2026-12-01 02:00 +01:00",
      "in 2 days 2026-12-02 02:00 +01:00",
      "in 3 days 2026-12-03 02:00 +01:00",
    ]);
  });

  it("asks Rust once per pause in typing (debounced), not per keystroke", async () => {
    const rust = new FakeRust({ schedule_preview: fakePreview });
    app = await startApp(rust);
    await openEditor(rust);
    const before = rust.callsOf("schedule_preview").length;
    const field = q<HTMLInputElement>("#sched-text");
    for (const partial of ["0", "0 3", "0 3 *", "0 3 * *", "0 3 * * *"]) type(field, partial);
    await vi.waitFor(() => expect(rust.callsOf("schedule_preview").length).toBe(before + 1));
    expect(rust.callsOf("schedule_preview").slice(-1)[0]).toEqual({ trigger: { kind: "cron", text: "0 3 * * *" } });
  });

  it("Save sends every field as a ScheduleInput with id null for a new schedule", async () => {
    const rust = new FakeRust({ schedule_preview: fakePreview, schedule_save: () => schedule({ id: 5 }) });
    app = await startApp(rust);
    await openEditor(rust);

    type(q<HTMLInputElement>("#sched-name"), "Nightly Llama");
    type(q<HTMLInputElement>("#sched-reference"), "meta-llama/Llama-3.2-1B");
    type(q<HTMLInputElement>("#sched-revision"), "main");
    choose(q<HTMLSelectElement>("#sched-preset"), "weekdays");
    const sync = q<HTMLInputElement>("#sched-sync");
    sync.checked = true;
    sync.dispatchEvent(new Event("change"));
    expect(q<HTMLInputElement>("#sched-keep").disabled).toBe(false);
    type(q<HTMLInputElement>("#sched-keep"), "2");
    q<HTMLButtonElement>("#sched-window-add").click();
    q<HTMLButtonElement>("#sched-window-add").click();
    const windows = document.querySelectorAll<HTMLInputElement>("#sched-windows input");
    type(windows[0], "Mon-Fri 01:00-06:00");
    type(windows[1], "Sat,Sun 00:00-24:00");
    type(q<HTMLInputElement>("#sched-include"), "*.safetensors, *.json");
    type(q<HTMLInputElement>("#sched-exclude"), "*.bin");
    q<HTMLInputElement>("#sched-catch-up").checked = false;

    const save = q<HTMLButtonElement>("#sched-save");
    await vi.waitFor(() => expect(save.disabled).toBe(false));
    save.click();
    await vi.waitFor(() => expect(rust.callsOf("schedule_save")).toHaveLength(1));
    expect(rust.callsOf("schedule_save")[0]).toEqual({
      id: null,
      input: {
        name: "Nightly Llama",
        reference: "meta-llama/Llama-3.2-1B",
        revision: "main",
        trigger: { kind: "cron", text: "30 7 * * 1-5" },
        sync: true,
        keep: 2,
        windows: ["Mon-Fri 01:00-06:00", "Sat,Sun 00:00-24:00"],
        include: ["*.safetensors", "*.json"],
        exclude: ["*.bin"],
        catch_up: false,
      },
    });
    await vi.waitFor(() => expect(isShown(q("#schedule-editor"))).toBe(false));
  });

  it("Edit opens the schedule's own fields and saves under its id; a save error stays in the editor", async () => {
    const existing = schedule({
      id: 3,
      input: { ...schedule().input, windows: ["Mon-Fri 01:00-06:00"], trigger: { kind: "every", text: "6h" } },
    });
    const rust = new FakeRust({
      schedule_preview: fakePreview,
      schedules_list: () => [existing],
      schedule_save: () => {
        throw { kind: "input", message: "window 'Mon-Fry 01:00-06:00': unknown day" };
      },
    });
    app = await startApp(rust);
    q<HTMLButtonElement>('button[data-nav="schedules"]').click();
    await vi.waitFor(() => q('.schedule[data-schedule-id="3"]'));
    q<HTMLButtonElement>('.schedule[data-schedule-id="3"] button[data-action="edit"]').click();

    expect(q<HTMLInputElement>("#sched-reference").value).toBe("org/model");
    expect(q<HTMLSelectElement>("#sched-kind").value).toBe("every");
    expect(q<HTMLInputElement>("#sched-text").value).toBe("6h");
    expect(q<HTMLInputElement>("#sched-sync").checked).toBe(true);
    expect(q<HTMLInputElement>("#sched-keep").value).toBe("2");
    expect(q<HTMLInputElement>("#sched-windows input").value).toBe("Mon-Fri 01:00-06:00");

    const save = q<HTMLButtonElement>("#sched-save");
    await vi.waitFor(() => expect(save.disabled).toBe(false));
    save.click();
    await vi.waitFor(() => expect(text("#sched-error")).toBe("window 'Mon-Fry 01:00-06:00': unknown day"));
    expect(rust.callsOf("schedule_save")[0].id).toBe(3);
    expect(isShown(q("#schedule-editor"))).toBe(true);
  });
});
