// Schedules (what runs when, and what happened last time) and, below them, the bandwidth rules by time
// of day with the limit in force right now. The editor itself lives in sheet/schedule-editor.ts.
import { api, errorMessage } from "../api";
import type { AppStatus, LimitView, ScheduleInput, ScheduleView } from "../generated/types";
import { ConfirmDialog } from "../lib/confirm";
import { append, button, h, replace } from "../lib/dom";
import { relativeTime } from "../lib/format";
import { toast } from "../lib/toast";
import { ScheduleEditor } from "../sheet/schedule-editor";
import { screenSection, type Screen } from "./screen";

export class SchedulesScreen implements Screen {
  readonly name = "schedules" as const;
  readonly label = "Schedules";
  readonly element: HTMLElement;
  readonly editor: ScheduleEditor;
  private readonly list: HTMLElement;
  private readonly limits: HTMLElement;
  private readonly limitWindow: HTMLInputElement;
  private readonly limitRate: HTMLInputElement;
  private readonly limitError: HTMLElement;
  private readonly bandwidthNow: HTMLElement;
  private readonly confirm: ConfirmDialog;
  private visible = false;

  constructor(confirm: ConfirmDialog, editor?: ScheduleEditor) {
    this.confirm = confirm;
    this.editor =
      editor ??
      new ScheduleEditor((saved) => {
        toast(`Schedule saved: ${saved.name ?? saved.label}, ${saved.when}.`);
        void this.refresh();
      });
    const { section, header } = screenSection("schedules", "Schedules");
    this.element = section;
    append(
      header,
      h("div", { class: "tools" }, button("New schedule", { id: "schedule-new", class: "primary" }, () => this.editor.openNew())),
    );
    this.list = h("div", { class: "schedule-list" });

    this.bandwidthNow = h("p", { id: "bandwidth-now", class: "bandwidth-now" });
    this.limits = h("ul", { class: "limit-list", "aria-label": "Bandwidth rules" });
    this.limitWindow = h("input", {
      id: "limit-window",
      type: "text",
      placeholder: "Mon-Fri 08:00-19:00",
      "aria-label": "Window",
      autocomplete: "off",
      spellcheck: "false",
    });
    this.limitRate = h("input", {
      id: "limit-rate",
      type: "text",
      placeholder: "5M or unlimited",
      "aria-label": "Rate",
      autocomplete: "off",
      spellcheck: "false",
    });
    this.limitError = h("p", { id: "limit-error", class: "error", role: "alert", hidden: true });
    const limitForm = h(
      "form",
      { class: "limit-form" },
      this.limitWindow,
      this.limitRate,
      button("Add rule", { id: "limit-add", type: "submit" }),
    );
    limitForm.addEventListener("submit", (ev) => {
      ev.preventDefault();
      void this.addLimit();
    });

    append(
      section,
      h(
        "div",
        { class: "screen-body" },
        this.list,
        h(
          "section",
          { class: "subsection", "aria-labelledby": "limits-title" },
          h("h2", { id: "limits-title" }, "Bandwidth by time of day"),
          this.bandwidthNow,
          this.limits,
          limitForm,
          h(
            "p",
            { class: "hint" },
            "A window and a rate, e.g. Mon-Fri 08:00-19:00 with 5M, or daily 22:00-06:00 with unlimited. Where several hold, the lowest wins; outside every rule the bandwidth limit of Settings applies.",
          ),
          this.limitError,
        ),
      ),
    );
  }

  shown(): void {
    this.visible = true;
    void this.refresh();
  }

  hidden(): void {
    this.visible = false;
  }

  get isVisible(): boolean {
    return this.visible;
  }

  /** Opens the editor for a new schedule, prefilled (the plan sheet's Schedule…). */
  newSchedule(prefill: Partial<ScheduleInput>): void {
    this.editor.openNew(prefill);
  }

  setStatus(status: AppStatus): void {
    this.bandwidthNow.textContent = `In force now: ${status.bandwidth}`;
  }

  async refresh(): Promise<void> {
    const [schedules, limits] = await Promise.allSettled([api.schedulesList(), api.limitsList()]);
    if (schedules.status === "fulfilled") this.renderSchedules(schedules.value);
    else replace(this.list, h("p", { class: "error" }, errorMessage(schedules.reason)));
    if (limits.status === "fulfilled") this.renderLimits(limits.value);
    else replace(this.limits, h("li", { class: "error" }, errorMessage(limits.reason)));
  }

  renderSchedules(schedules: ScheduleView[]): void {
    if (!schedules.length) {
      replace(
        this.list,
        h(
          "div",
          { class: "empty-state" },
          h("h2", {}, "No schedules yet"),
          h(
            "p",
            {},
            "A schedule fetches a repository at set times — every night, on weekdays, once — and can keep it in sync with the Hub. Choose Schedule… when adding a repository, or New schedule.",
          ),
        ),
      );
      return;
    }
    replace(this.list, ...schedules.map((s) => this.renderSchedule(s)));
  }

  private renderSchedule(s: ScheduleView): HTMLElement {
    const last = s.last_error
      ? h("p", { class: "schedule-last error" }, `Last run failed${s.last_run_ms ? ` ${relativeTime(s.last_run_ms)}` : ""}: ${s.last_error}`)
      : s.last_result
        ? h("p", { class: "schedule-last muted" }, `Last run${s.last_run_ms ? ` ${relativeTime(s.last_run_ms)}` : ""}: ${s.last_result}`)
        : h("p", { class: "schedule-last muted" }, "Not run yet.");
    return h(
      "article",
      { class: `schedule${s.paused ? " paused" : ""}`, "data-schedule-id": s.id },
      h(
        "div",
        { class: "schedule-head" },
        h("h3", { class: "schedule-label" }, s.name ?? s.label),
        s.name ? h("span", { class: "muted" }, s.label) : null,
        s.paused ? h("span", { class: "badge" }, "paused") : null,
        h("span", { class: "spacer" }),
        h(
          "span",
          { class: "row-actions" },
          s.paused
            ? button("Resume", { "data-action": "resume" }, () => void this.setPaused(s, false))
            : button("Pause", { "data-action": "pause" }, () => void this.setPaused(s, true)),
          button("Run now", { "data-action": "run-now" }, () => void this.runNow(s)),
          button("Edit", { "data-action": "edit" }, () => this.editor.openEdit(s)),
          button("Delete", { "data-action": "delete", class: "danger-quiet" }, () => void this.remove(s)),
        ),
      ),
      h("p", { class: "schedule-when" }, s.when),
      h(
        "p",
        { class: "schedule-policy muted" },
        [s.policy, s.windows].filter((t) => t && t.trim()).join(" · "),
      ),
      s.upcoming.length && !s.paused
        ? h(
            "ul",
            { class: "schedule-next", "aria-label": "Next runs" },
            ...s.upcoming.slice(0, 3).map((u) => h("li", { title: u.local }, u.words, h("span", { class: "muted" }, ` · ${u.local}`))),
          )
        : null,
      last,
    );
  }

  renderLimits(limits: LimitView[]): void {
    if (!limits.length) {
      replace(this.limits, h("li", { class: "muted empty" }, "No rules: the bandwidth limit of Settings applies at all times."));
      return;
    }
    replace(
      this.limits,
      ...limits.map((l) =>
        h(
          "li",
          { class: `limit${l.active ? " active" : ""}`, "data-limit-id": l.id },
          h("span", { class: "limit-window" }, l.window),
          h("span", { class: "limit-rate" }, l.rate),
          l.active ? h("span", { class: "badge badge-accent" }, "active now") : null,
          h("span", { class: "spacer" }),
          button("Remove", { "data-action": "remove", class: "quiet", "aria-label": `Remove the rule ${l.window} ${l.rate}` }, () =>
            void this.removeLimit(l),
          ),
        ),
      ),
    );
  }

  private async setPaused(s: ScheduleView, paused: boolean): Promise<void> {
    try {
      await api.scheduleSetPaused(s.id, paused);
    } catch (err) {
      toast(errorMessage(err), "error");
    }
    await this.refresh();
  }

  private async runNow(s: ScheduleView): Promise<void> {
    try {
      await api.scheduleRunNow(s.id);
      toast(`Running ${s.name ?? s.label} now.`);
    } catch (err) {
      toast(errorMessage(err), "error");
    }
    await this.refresh();
  }

  private async remove(s: ScheduleView): Promise<void> {
    const ok = await this.confirm.ask({
      title: "Delete this schedule?",
      text: `${s.name ?? s.label} (${s.when}) will no longer run. Files it downloaded stay in the library.`,
      ok: "Delete",
    });
    if (!ok) return;
    try {
      await api.scheduleRemove(s.id);
      toast("Schedule deleted.");
    } catch (err) {
      toast(errorMessage(err), "error");
    }
    await this.refresh();
  }

  private async addLimit(): Promise<void> {
    const window = this.limitWindow.value.trim();
    const rate = this.limitRate.value.trim();
    if (!window || !rate) {
      this.showLimitError("Give a window (Mon-Fri 08:00-19:00) and a rate (5M or unlimited).");
      return;
    }
    try {
      await api.limitAdd(`${window} ${rate}`);
      this.limitWindow.value = "";
      this.limitRate.value = "";
      this.showLimitError(null);
    } catch (err) {
      this.showLimitError(errorMessage(err));
      return;
    }
    await this.refresh();
  }

  private async removeLimit(l: LimitView): Promise<void> {
    try {
      await api.limitRemove(l.id);
    } catch (err) {
      toast(errorMessage(err), "error");
    }
    await this.refresh();
  }

  private showLimitError(message: string | null): void {
    this.limitError.textContent = message ?? "";
    this.limitError.hidden = !message;
  }
}
