// The queue: rows from jobs_list merged with live progress batches, and the buttons' calls to Rust.
import type { Channel } from "@tauri-apps/api/core";
import { emit } from "@tauri-apps/api/event";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { App } from "../app";
import type { ProgressBatch } from "../generated/types";
import { FakeRust, isShown, job, q, startApp, teardown, text } from "../test/harness";

let app: App | null = null;
afterEach(() => {
  teardown(app);
  app = null;
});

function row(id: number): HTMLElement {
  return q(`.job[data-job-id="${id}"]`);
}

function inRow<T extends Element = HTMLElement>(id: number, selector: string): T {
  const el = row(id).querySelector<T>(selector);
  if (!el) throw new Error(`no ${selector} in job ${id}`);
  return el;
}

async function openQueue(rust: FakeRust): Promise<void> {
  q<HTMLButtonElement>('button[data-nav="downloads"]').click();
  await vi.waitFor(() => expect(rust.callsOf("jobs_list").length).toBeGreaterThan(0));
  await vi.waitFor(() => expect(document.querySelectorAll(".job").length).toBeGreaterThan(0));
}

const batch: ProgressBatch = {
  jobs: [
    {
      job_id: 7,
      bytes_done: 2_500_000_000,
      bytes_total: 5_000_000_000,
      files_done: 1,
      files_total: 3,
      speed: 12_300_000,
      eta_secs: 130,
      files: [
        { path: "config.json", bytes_done: 700, size: 700 },
        { path: "model-00001.safetensors", bytes_done: 2_000_000_000, size: 4_000_000_000 },
      ],
    },
  ],
};

describe("download queue", () => {
  it("renders each job with its state, bytes and the buttons its state allows", async () => {
    const rust = new FakeRust({
      jobs_list: () => [
        job({ id: 7, state: "running", bytes_done: 500_000_000, bytes_total: 2_000_000_000 }),
        job({ id: 8, state: "paused", repo_type: "dataset", repo_id: "org/data" }),
        job({ id: 9, state: "done", bytes_done: 1000, bytes_total: 1000 }),
      ],
    });
    app = await startApp(rust);
    await openQueue(rust);

    expect(text('.job[data-job-id="7"] .job-state')).toBe("running");
    expect(inRow<HTMLProgressElement>(7, "progress.job-bar").value).toBe(500_000_000);
    expect(inRow<HTMLProgressElement>(7, "progress.job-bar").max).toBe(2_000_000_000);
    expect(text('.job[data-job-id="7"] .job-bytes')).toBe("500 MB of 2 GB");
    const actions = (id: number) =>
      [...row(id).querySelectorAll<HTMLButtonElement>(".job-actions button")].map((b) => b.dataset.action);
    expect(actions(7)).toEqual(["pause", "cancel"]);
    expect(actions(8)).toEqual(["resume", "cancel"]);
    expect(actions(9)).toEqual([]);
    expect(text('.job[data-job-id="8"] .job-title')).toContain("datasets/org/data");
    // Finished jobs sit apart from the active ones.
    expect(row(9).closest(".job-group")?.querySelector("h2")?.textContent).toBe("Finished");
  });

  it("a progress batch updates the bar, bytes, speed, ETA and per-file bars", async () => {
    const rust = new FakeRust({ jobs_list: () => [job({ id: 7, state: "running" })] });
    app = await startApp(rust);
    await openQueue(rust);
    expect(text('.job[data-job-id="7"] .job-speed')).toBe("");

    // Deliver the batch the way Rust does: through the channel handed to watch_progress.
    const [{ onBatch }] = rust.callsOf("watch_progress") as Array<{ onBatch: Channel<ProgressBatch> }>;
    onBatch.onmessage(batch);

    const bar = inRow<HTMLProgressElement>(7, "progress.job-bar");
    expect(bar.value).toBe(2_500_000_000);
    expect(bar.max).toBe(5_000_000_000);
    expect(text('.job[data-job-id="7"] .job-bytes')).toBe("2.5 GB of 5 GB");
    expect(text('.job[data-job-id="7"] .job-speed')).toBe("12.3 MB/s");
    expect(text('.job[data-job-id="7"] .job-eta')).toBe("2 min 10 s");

    const files = row(7).querySelectorAll(".job-file");
    expect(files).toHaveLength(2);
    expect(files[1].textContent).toContain("model-00001.safetensors");
    expect(files[1].querySelector<HTMLProgressElement>("progress")!.value).toBe(2_000_000_000);
    // The file list opens on demand and stays open across refreshes.
    const toggle = inRow<HTMLButtonElement>(7, 'button[data-action="files"]');
    expect(isShown(files[0])).toBe(false);
    toggle.click();
    expect(isShown(files[0])).toBe(true);
    await app.downloads.refresh();
    expect(isShown(row(7).querySelector(".job-file")!)).toBe(true);
  });

  it("a failed job shows its reason and Retry calls job_retry with its id", async () => {
    const rust = new FakeRust({
      jobs_list: () => [job({ id: 12, state: "failed", error: "401 Unauthorized: this repository is gated" })],
      job_retry: () => 13,
    });
    app = await startApp(rust);
    await openQueue(rust);

    expect(text('.job[data-job-id="12"] .job-state')).toBe("failed");
    expect(isShown(inRow(12, ".job-error"))).toBe(true);
    expect(text('.job[data-job-id="12"] .job-error')).toBe("401 Unauthorized: this repository is gated");
    inRow<HTMLButtonElement>(12, 'button[data-action="retry"]').click();
    await vi.waitFor(() => expect(rust.callsOf("job_retry")).toEqual([{ id: 12 }]));
    await vi.waitFor(() => expect(text("#toast")).toBe("Retrying as job 13."));
  });

  it("a job held outside its schedule's window says what it waits for", async () => {
    const rust = new FakeRust({
      jobs_list: () => [job({ id: 21, state: "waiting", waiting: "outside window Mon–Fri 01:00–06:00" })],
    });
    app = await startApp(rust);
    await openQueue(rust);
    expect(text('.job[data-job-id="21"] .job-state')).toBe("waiting");
    expect(text('.job[data-job-id="21"] .job-error')).toBe("outside window Mon–Fri 01:00–06:00");
  });

  it("Pause, Resume, Cancel steer one job; Pause all and Resume all steer every job", async () => {
    const rust = new FakeRust({
      jobs_list: () => [job({ id: 7, state: "running" }), job({ id: 8, state: "paused" })],
      job_steer: () => 1,
    });
    app = await startApp(rust);
    await openQueue(rust);

    inRow<HTMLButtonElement>(7, 'button[data-action="pause"]').click();
    inRow<HTMLButtonElement>(8, 'button[data-action="resume"]').click();
    inRow<HTMLButtonElement>(8, 'button[data-action="cancel"]').click();
    q<HTMLButtonElement>("#pause-all").click();
    q<HTMLButtonElement>("#resume-all").click();
    await vi.waitFor(() => expect(rust.callsOf("job_steer")).toHaveLength(5));
    expect(rust.callsOf("job_steer")).toEqual([
      { id: 7, action: "pause" },
      { id: 8, action: "resume" },
      { id: 8, action: "cancel" },
      { id: null, action: "pause" },
      { id: null, action: "resume" },
    ]);
  });

  it("refreshes when Rust emits jobs-changed", async () => {
    let jobs = [job({ id: 7 })];
    const rust = new FakeRust({ jobs_list: () => jobs });
    app = await startApp(rust);
    await openQueue(rust);
    jobs = [job({ id: 7 }), job({ id: 8, state: "queued" })];
    await emit("jobs-changed", null);
    await vi.waitFor(() => expect(document.querySelectorAll(".job")).toHaveLength(2));
    expect(text('.job[data-job-id="8"] .job-state')).toBe("queued");
  });

  it("refreshes every 2 s while shown, and stops when hidden", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    try {
      const rust = new FakeRust({ jobs_list: () => [job()] });
      app = await startApp(rust);
      await openQueue(rust);
      const before = rust.callsOf("jobs_list").length;
      await vi.advanceTimersByTimeAsync(4100);
      expect(rust.callsOf("jobs_list").length).toBe(before + 2);

      q<HTMLButtonElement>('button[data-nav="log"]').click();
      const hiddenAt = rust.callsOf("jobs_list").length;
      await vi.advanceTimersByTimeAsync(6000);
      expect(rust.callsOf("jobs_list").length).toBe(hiddenAt);
    } finally {
      vi.useRealTimers();
    }
  });

  it("shows an empty state when nothing is queued", async () => {
    const rust = new FakeRust();
    app = await startApp(rust);
    q<HTMLButtonElement>('button[data-nav="downloads"]').click();
    await vi.waitFor(() => expect(rust.callsOf("jobs_list").length).toBeGreaterThan(0));
    await vi.waitFor(() => expect(document.querySelector('[data-screen="downloads"] .empty-state')).not.toBeNull());
    expect(isShown(q('[data-screen="downloads"] .empty-state'))).toBe(true);
  });
});
