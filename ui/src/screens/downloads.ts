// The queue: every job Rust knows about, merged with the live progress batches of the jobs running
// in this process. Rows are kept by job id and updated in place, so ten updates a second neither
// flicker nor collapse a file list the user opened.
import { api, errorMessage, type SteerAction } from "../api";
import type { FileProgressView, JobProgressView, JobView, ProgressBatch } from "../generated/types";
import { append, button, h, replace } from "../lib/dom";
import { humanBytes, humanDuration, humanSpeed, plural, relativeTime, repoLabel } from "../lib/format";
import { Poller } from "../lib/poll";
import { toast } from "../lib/toast";
import { screenSection, type Screen } from "./screen";

const ACTIVE = new Set(["queued", "running", "waiting", "paused", "interrupted"]);
const FINISHED = new Set(["done", "failed", "cancelled"]);
/** Speed and ETA older than this describe a download that has stalled: show them as unknown. */
const STALE_MS = 3000;

/** Which buttons a job in a state offers. */
export function actionsFor(state: string): Array<SteerAction | "retry"> {
  switch (state) {
    case "queued":
    case "running":
    case "waiting":
      return ["pause", "cancel"];
    case "paused":
    case "interrupted":
      return ["resume", "cancel"];
    case "failed":
    case "cancelled":
      return ["retry"];
    default:
      return [];
  }
}

const ACTION_LABEL: Record<SteerAction | "retry", string> = {
  pause: "Pause",
  resume: "Resume",
  cancel: "Cancel",
  retry: "Retry",
};

interface LiveProgress {
  view: JobProgressView;
  at: number;
}

/** One row of the queue; owns its elements and updates them in place. */
class JobRow {
  readonly element: HTMLElement;
  private readonly title: HTMLElement;
  private readonly state: HTMLElement;
  private readonly actions: HTMLElement;
  private readonly bar: HTMLProgressElement;
  private readonly bytes: HTMLElement;
  private readonly speed: HTMLElement;
  private readonly eta: HTMLElement;
  private readonly meta: HTMLElement;
  private readonly error: HTMLElement;
  private readonly toggle: HTMLButtonElement;
  private readonly files: HTMLElement;
  private readonly fileRows = new Map<string, { row: HTMLElement; bar: HTMLProgressElement; bytes: HTMLElement }>();
  private actionKey = "";

  constructor(id: number, onAction: (id: number, action: SteerAction | "retry") => void) {
    this.title = h("span", { class: "job-title" });
    this.state = h("span", { class: "job-state state" });
    this.actions = h("span", { class: "row-actions job-actions" });
    this.actions.addEventListener("click", (ev) => {
      const target = (ev.target as HTMLElement).closest<HTMLButtonElement>("button[data-action]");
      if (target) onAction(id, target.dataset.action as SteerAction | "retry");
    });
    this.bar = h("progress", { class: "job-bar", max: 1, value: 0 });
    this.bytes = h("span", { class: "job-bytes" });
    this.speed = h("span", { class: "job-speed", title: "Speed" });
    this.eta = h("span", { class: "job-eta", title: "Time left" });
    this.meta = h("span", { class: "job-meta muted" });
    this.error = h("p", { class: "job-error error", hidden: true });
    this.files = h("div", { class: "job-files", id: `job-files-${id}`, hidden: true });
    this.toggle = button("Files", {
      class: "job-toggle quiet",
      "data-action": "files",
      "aria-expanded": "false",
      "aria-controls": `job-files-${id}`,
    });
    this.toggle.addEventListener("click", () => {
      const open = this.files.hidden;
      this.files.hidden = !open;
      this.toggle.setAttribute("aria-expanded", String(open));
    });
    this.element = h(
      "article",
      { class: "job", "data-job-id": id },
      h("div", { class: "job-head" }, this.title, this.state, h("span", { class: "spacer" }), this.actions),
      this.bar,
      h(
        "div",
        { class: "job-numbers" },
        this.bytes,
        this.speed,
        this.eta,
        h("span", { class: "spacer" }),
        this.meta,
        this.toggle,
      ),
      this.error,
      this.files,
    );
  }

  update(job: JobView, live: LiveProgress | undefined, now: number): void {
    this.element.dataset.state = job.state;
    this.title.textContent = `${repoLabel(job.repo_type, job.repo_id)}`;
    this.title.title = job.location;
    append(this.title, h("code", { class: "job-rev" }, job.revision));
    this.state.textContent = job.state;
    this.state.className = `job-state state state-${job.state}`;

    // Live numbers win over the queue's while the job is not finished: they are at most 100 ms old.
    const progress = live && !FINISHED.has(job.state) ? live.view : undefined;
    const done = progress ? progress.bytes_done : job.bytes_done;
    const total = progress ? progress.bytes_total : job.bytes_total;
    this.bar.max = total > 0 ? total : 1;
    this.bar.value = total > 0 ? Math.min(done, total) : job.state === "done" ? 1 : 0;
    this.bar.setAttribute("aria-label", `${repoLabel(job.repo_type, job.repo_id)} progress`);
    this.bytes.textContent = total > 0 ? `${humanBytes(done)} of ${humanBytes(total)}` : humanBytes(done);

    const fresh = progress && job.state === "running" && now - (live?.at ?? 0) < STALE_MS;
    this.speed.textContent = fresh ? humanSpeed(progress.speed) : "";
    this.eta.textContent = fresh && progress.eta_secs !== null ? humanDuration(progress.eta_secs) : "";
    this.speed.hidden = !this.speed.textContent;
    this.eta.hidden = !this.eta.textContent;

    const filesText = progress ? `${progress.files_done}/${progress.files_total} files · ` : "";
    this.meta.textContent = `${filesText}${job.requested_by === "schedule" ? "scheduled · " : ""}${relativeTime(job.updated_ms, now)}`;

    // A failed job says why; a waiting one says what it waits for (its schedule's window).
    const why = job.error ?? (job.state === "waiting" ? job.waiting : null);
    this.error.hidden = !why;
    this.error.textContent = why ?? "";

    const actions = actionsFor(job.state);
    const key = actions.join(",");
    if (key !== this.actionKey) {
      this.actionKey = key;
      replace(
        this.actions,
        ...actions.map((a) =>
          button(ACTION_LABEL[a], { "data-action": a, class: a === "retry" ? "primary" : a === "cancel" ? "danger-quiet" : "" }),
        ),
      );
    }

    this.updateFiles(progress?.files ?? []);
    this.toggle.hidden = !progress || progress.files.length === 0;
  }

  private updateFiles(files: FileProgressView[]): void {
    const seen = new Set<string>();
    for (const file of files) {
      seen.add(file.path);
      let row = this.fileRows.get(file.path);
      if (!row) {
        const bar = h("progress", { class: "job-file-bar", max: 1, value: 0 });
        const bytes = h("span", { class: "job-file-bytes muted" });
        const el = h("div", { class: "job-file" }, h("span", { class: "job-file-path path" }, file.path), bar, bytes);
        row = { row: el, bar, bytes };
        this.fileRows.set(file.path, row);
        this.files.appendChild(el);
      }
      row.bar.max = file.size > 0 ? file.size : 1;
      row.bar.value = file.size > 0 ? Math.min(file.bytes_done, file.size) : 1;
      row.bytes.textContent = `${humanBytes(file.bytes_done)} of ${humanBytes(file.size)}`;
      row.row.classList.toggle("complete", file.size > 0 && file.bytes_done >= file.size);
    }
    for (const [path, row] of this.fileRows) {
      if (!seen.has(path)) {
        row.row.remove();
        this.fileRows.delete(path);
      }
    }
  }
}

export class DownloadsScreen implements Screen {
  readonly name = "downloads" as const;
  readonly label = "Downloads";
  readonly element: HTMLElement;
  private readonly activeList: HTMLElement;
  private readonly finishedList: HTMLElement;
  private readonly activeGroup: HTMLElement;
  private readonly finishedGroup: HTMLElement;
  private readonly empty: HTMLElement;
  private readonly summary: HTMLElement;
  private readonly rows = new Map<number, JobRow>();
  private readonly live = new Map<number, LiveProgress>();
  private jobs: JobView[] = [];
  private readonly poller = new Poller(() => this.refresh(), 2000);
  private readonly now: () => number;

  constructor(now: () => number = Date.now) {
    this.now = now;
    const { section, header } = screenSection("downloads", "Downloads");
    this.element = section;
    this.summary = h("p", { class: "muted screen-summary" });
    append(
      header,
      this.summary,
      h(
        "div",
        { class: "tools" },
        button("Pause all", { id: "pause-all" }, () => void this.steer(null, "pause")),
        button("Resume all", { id: "resume-all" }, () => void this.steer(null, "resume")),
      ),
    );
    this.activeList = h("div", { class: "job-list" });
    this.finishedList = h("div", { class: "job-list" });
    this.activeGroup = h("div", { class: "job-group" }, h("h2", {}, "In progress"), this.activeList);
    this.finishedGroup = h("div", { class: "job-group" }, h("h2", {}, "Finished"), this.finishedList);
    this.empty = h(
      "div",
      { class: "empty-state" },
      h("h2", {}, "Nothing in the queue"),
      h("p", {}, "Add a repository with the field at the top, or drop a Hub link on this window."),
    );
    append(section, h("div", { class: "screen-body" }, this.empty, this.activeGroup, this.finishedGroup));
  }

  shown(): void {
    this.poller.start();
  }

  hidden(): void {
    this.poller.stop();
  }

  /** Rust said the queue changed. */
  changed(): void {
    if (this.poller.active) void this.refresh();
  }

  async refresh(): Promise<void> {
    try {
      this.render(await api.jobsList());
    } catch (err) {
      toast(errorMessage(err), "error");
    }
  }

  /** Merges a live batch; rows for jobs the list has not shown yet appear with the next refresh. */
  applyBatch(batch: ProgressBatch): void {
    const at = this.now();
    let unknown = false;
    for (const progress of batch.jobs) {
      this.live.set(progress.job_id, { view: progress, at });
      const job = this.jobs.find((j) => j.id === progress.job_id);
      const row = this.rows.get(progress.job_id);
      if (job && row) row.update(job, this.live.get(job.id), at);
      else unknown = true;
    }
    if (unknown && this.poller.active) void this.refresh();
  }

  render(jobs: JobView[]): void {
    this.jobs = jobs;
    const now = this.now();
    const ids = new Set(jobs.map((j) => j.id));
    for (const [id, row] of this.rows) {
      if (!ids.has(id)) {
        row.element.remove();
        this.rows.delete(id);
      }
    }
    for (const id of this.live.keys()) {
      const job = jobs.find((j) => j.id === id);
      if (!job || FINISHED.has(job.state)) this.live.delete(id);
    }

    const active = jobs.filter((j) => ACTIVE.has(j.state));
    // Finished jobs newest first; active ones keep Rust's order, which is the order they will run in.
    const finished = jobs.filter((j) => !ACTIVE.has(j.state)).sort((a, b) => b.updated_ms - a.updated_ms);
    for (const [list, group] of [
      [this.activeList, active],
      [this.finishedList, finished],
    ] as const) {
      for (const job of group) {
        let row = this.rows.get(job.id);
        if (!row) {
          row = new JobRow(job.id, (id, action) => void this.act(id, action));
          this.rows.set(job.id, row);
        }
        row.update(job, this.live.get(job.id), now);
        list.appendChild(row.element); // moves it into place; keeps its open file list
      }
    }
    this.activeGroup.hidden = active.length === 0;
    this.finishedGroup.hidden = finished.length === 0;
    this.empty.hidden = jobs.length > 0;

    const count = (state: string) => jobs.filter((j) => j.state === state).length;
    const parts = [
      count("running") && `${count("running")} running`,
      count("queued") && `${count("queued")} queued`,
      count("waiting") && `${count("waiting")} waiting for their window`,
      count("paused") && `${count("paused")} paused`,
      count("failed") && `${count("failed")} failed`,
    ].filter(Boolean);
    this.summary.textContent = parts.join(" · ");
  }

  private async act(id: number, action: SteerAction | "retry"): Promise<void> {
    if (action === "retry") {
      try {
        const newId = await api.jobRetry(id);
        toast(`Retrying as job ${newId}.`);
      } catch (err) {
        toast(errorMessage(err), "error");
      }
      await this.refresh();
      return;
    }
    await this.steer(id, action);
  }

  private async steer(id: number | null, action: SteerAction): Promise<void> {
    try {
      const changed = await api.jobSteer(id, action);
      if (id === null) {
        const verb = action === "pause" ? "Paused" : action === "resume" ? "Resumed" : "Cancelled";
        toast(changed ? `${verb} ${plural(changed, "download")}.` : "No download to change.");
      }
    } catch (err) {
      toast(errorMessage(err), "error");
    }
    await this.refresh();
  }
}
