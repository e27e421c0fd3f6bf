// The sheet between "I want this repository" and any byte moving: what the repository is, where it
// goes, which files, how much that is against the free space, then Download now or Schedule….
import { api, errorMessage } from "../api";
import type { PlanView, ScheduleInput } from "../generated/types";
import { $, append, button, h, replace } from "../lib/dom";
import { humanBytes, plural, repoLabel, shortCommit } from "../lib/format";
import { Modal } from "../lib/modal";
import { Selection } from "./selection";

export interface PlanSheetHooks {
  /** A download was queued from the sheet. */
  started(jobId: number, plan: PlanView): void;
  /** The user wants this selection on a schedule instead. */
  schedule(prefill: Partial<ScheduleInput>): void;
}

export class PlanSheet {
  readonly modal = new Modal("plan-sheet", "plan-title", "sheet");
  private plan: PlanView | null = null;
  private selection: Selection = new Selection([]);
  private readonly hooks: PlanSheetHooks;
  private readonly list: HTMLUListElement;
  private readonly filter: HTMLInputElement;
  private readonly total: HTMLElement;
  private readonly warning: HTMLElement;
  private readonly error: HTMLElement;
  private readonly downloadButton: HTMLButtonElement;
  private readonly scheduleButton: HTMLButtonElement;
  private busy = false;

  constructor(hooks: PlanSheetHooks) {
    this.hooks = hooks;
    this.modal.onDismiss = () => this.close();
    this.list = h("ul", { class: "plan-files", "aria-label": "Files" });
    this.filter = h("input", {
      id: "plan-filter",
      type: "search",
      placeholder: "Filter: *.gguf  *Q4_K_M*  !*.bin",
      "aria-label": "Filter files by pattern",
      autocomplete: "off",
      spellcheck: "false",
    });
    this.total = h("span", { id: "plan-total" });
    this.warning = h("p", { id: "plan-warning", class: "warning", hidden: true });
    this.error = h("p", { id: "plan-error", class: "error", role: "alert", hidden: true });
    this.downloadButton = button("Download now", { id: "plan-download", class: "primary" }, () => void this.download());
    this.scheduleButton = button("Schedule…", { id: "plan-schedule" }, () => this.toSchedule());

    this.filter.addEventListener("input", () => {
      this.selection.setFilter(this.filter.value);
      this.syncChecks();
    });
    this.list.addEventListener("change", (ev) => {
      const box = ev.target as HTMLInputElement;
      const path = box.dataset.path;
      if (path === undefined) return;
      this.selection.set(path, box.checked);
      this.syncChecks();
    });

    append(
      this.modal.panel,
      h(
        "header",
        { class: "sheet-head" },
        h("h2", { id: "plan-title" }),
        h("div", { class: "badges", id: "plan-badges" }),
        h("p", { class: "muted", id: "plan-revision" }),
      ),
      h(
        "dl",
        { class: "facts" },
        h("dt", {}, "Destination"),
        h("dd", { id: "plan-destination", class: "path" }),
        h("dt", {}, "Free space"),
        h("dd", { id: "plan-free" }),
      ),
      h(
        "div",
        { class: "filter-row" },
        this.filter,
        button("All", { id: "plan-all", title: "Select every file" }, () => {
          this.selection.selectAll();
          this.syncChecks();
        }),
        button("None", { id: "plan-none", title: "Select no file" }, () => {
          this.selection.selectNone();
          this.syncChecks();
        }),
      ),
      this.list,
      h("div", { class: "sheet-summary" }, this.total),
      this.warning,
      this.error,
      h(
        "div",
        { class: "actions" },
        button("Cancel", { id: "plan-cancel" }, () => this.close()),
        h("span", { class: "spacer" }),
        this.scheduleButton,
        this.downloadButton,
      ),
    );
  }

  get current(): PlanView | null {
    return this.plan;
  }

  show(plan: PlanView): void {
    this.plan = plan;
    this.selection = new Selection(plan.files);
    this.filter.value = "";
    this.error.hidden = true;
    this.busy = false;
    const panel = this.modal.panel;

    $(panel, "#plan-title").textContent = repoLabel(plan.repo_type, plan.repo_id);
    replace(
      $(panel, "#plan-badges"),
      plan.repo_type !== "model" ? h("span", { class: "badge" }, plan.repo_type) : null,
      plan.gated ? h("span", { class: "badge badge-warn", title: "You must accept the terms on the Hub" }, "gated") : null,
      plan.private ? h("span", { class: "badge badge-warn" }, "private") : null,
    );
    replace(
      $(panel, "#plan-revision"),
      "Revision ",
      h("code", {}, plan.revision),
      " · commit ",
      h("code", { title: plan.commit }, shortCommit(plan.commit)),
    );
    $(panel, "#plan-destination").textContent = plan.destination;
    $(panel, "#plan-free").textContent = plan.free_space === null ? "unknown" : humanBytes(plan.free_space);

    replace(
      this.list,
      ...plan.files.map((file) =>
        h(
          "li",
          { class: `plan-file${file.present ? " present" : ""}` },
          h(
            "label",
            {},
            h("input", { type: "checkbox", "data-path": file.path, checked: true }),
            h("span", { class: "plan-path" }, file.path),
            file.present ? h("span", { class: "tag", title: "Already complete on disk" }, "on disk") : null,
            h("span", { class: "plan-size" }, humanBytes(file.size)),
          ),
        ),
      ),
    );
    if (!plan.files.length) replace(this.list, h("li", { class: "empty" }, "This revision has no files."));
    this.syncChecks();
    this.modal.open(this.filter);
  }

  close(): void {
    this.modal.close();
    this.plan = null;
  }

  /** Brings the checkboxes, the total and the buttons in line with the selection. */
  private syncChecks(): void {
    const filtering = this.selection.filtering;
    for (const box of this.list.querySelectorAll<HTMLInputElement>("input[data-path]")) {
      const path = box.dataset.path ?? "";
      box.checked = this.selection.isChecked(path);
      box.closest("li")?.classList.toggle("unmatched", filtering && !this.selection.matchesFilter(path));
    }
    const plan = this.plan;
    const files = plan?.files.length ?? 0;
    const fetch = this.selection.bytesToFetch();
    const onDisk = this.selection.bytesSelected() - fetch;
    this.total.textContent =
      `${this.selection.count} of ${plural(files, "file")} selected · ${humanBytes(fetch)} to download` +
      (onDisk > 0 ? ` (${humanBytes(onDisk)} already on disk)` : "");

    const free = plan?.free_space ?? null;
    const tooBig = free !== null && fetch > free;
    this.warning.hidden = !tooBig;
    this.warning.textContent = tooBig
      ? `This needs ${humanBytes(fetch)} but only ${humanBytes(free)} is free at the destination.`
      : "";
    this.total.classList.toggle("over", tooBig);

    const nothing = this.selection.count === 0;
    this.downloadButton.disabled = nothing || this.busy;
    this.scheduleButton.disabled = nothing || this.busy;
  }

  private async download(): Promise<void> {
    const plan = this.plan;
    if (!plan || this.busy) return;
    this.busy = true;
    this.error.hidden = true;
    this.syncChecks();
    try {
      const jobId = await api.startDownload({
        reference: plan.reference,
        revision: plan.revision,
        files: this.selection.keptPaths(),
      });
      this.close();
      this.hooks.started(jobId, plan);
    } catch (err) {
      this.error.textContent = errorMessage(err);
      this.error.hidden = false;
    } finally {
      this.busy = false;
      if (this.plan) this.syncChecks();
    }
  }

  private toSchedule(): void {
    const plan = this.plan;
    if (!plan) return;
    const { include, exclude } = this.selection.patterns();
    this.close();
    this.hooks.schedule({ reference: plan.reference, revision: plan.revision, include, exclude });
  }
}
