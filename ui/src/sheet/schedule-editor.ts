// The schedule editor: what to fetch, when (a preset or a trigger typed by hand, validated by Rust as
// the user types and previewed as the next three runs), and the policy (sync, windows, patterns).
// Save stays disabled while Rust says the trigger is not valid.
import { api, errorMessage } from "../api";
import type { ScheduleInput, ScheduleView, TriggerInput, TriggerPreview } from "../generated/types";
import { $, append, button, h, replace } from "../lib/dom";
import { absoluteTime } from "../lib/format";
import { splitPatterns } from "../lib/glob";
import { Modal } from "../lib/modal";
import { debounce } from "../lib/poll";

export interface Preset {
  id: string;
  label: string;
  /** The trigger it stands for; `null`: the user types it. */
  trigger: (now: Date) => TriggerInput | null;
}


/** Tomorrow at 02:00, local: a sensible first value for a one-off run. */
function tomorrowAtTwo(now: Date): string {
  const d = new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1, 2, 0);
  return absoluteTime(d.getTime());
}

export const PRESETS: Preset[] = [
  { id: "nightly", label: "Every night at 02:00", trigger: () => ({ kind: "cron", text: "0 2 * * *" }) },
  { id: "hourly", label: "Every hour", trigger: () => ({ kind: "every", text: "1h" }) },
  { id: "weekdays", label: "Weekdays at 07:30", trigger: () => ({ kind: "cron", text: "30 7 * * 1-5" }) },
  { id: "once", label: "Once at…", trigger: (now) => ({ kind: "at", text: tomorrowAtTwo(now) }) },
  { id: "custom", label: "Custom cron", trigger: () => null },
];

/** The preset a trigger corresponds to, so editing a schedule shows the words it was made with. */
export function presetFor(trigger: TriggerInput): string {
  const fixed = PRESETS.find((p) => {
    if (p.id === "once" || p.id === "custom") return false;
    const t = p.trigger(new Date());
    return t !== null && t.kind === trigger.kind && t.text.trim() === trigger.text.trim();
  });
  if (fixed) return fixed.id;
  return trigger.kind === "at" ? "once" : "custom";
}

const KIND_HINT: Record<string, string> = {
  cron: "minute hour day month weekday — e.g. 0 2 * * * (02:00 every day)",
  at: "a local date and time — e.g. 2026-12-01 02:00",
  every: "an interval — e.g. 30m, 6h, 1d",
};

export function emptyInput(): ScheduleInput {
  return {
    name: null,
    reference: "",
    revision: "main",
    trigger: { kind: "cron", text: "0 2 * * *" },
    sync: false,
    keep: null,
    windows: [],
    include: [],
    exclude: [],
    catch_up: true,
  };
}

export class ScheduleEditor {
  readonly modal = new Modal("schedule-editor", "sched-title", "sheet");
  private id: number | null = null;
  private previewSeq = 0;
  private valid = false;
  private saving = false;
  private readonly onSaved: (view: ScheduleView) => void;
  private readonly now: () => Date;
  private readonly debouncedPreview: ReturnType<typeof debounce<[]>>;

  private readonly f = {
    title: h("h2", { id: "sched-title" }, "New schedule"),
    name: h("input", { id: "sched-name", type: "text", placeholder: "optional", autocomplete: "off" }),
    reference: h("input", {
      id: "sched-reference",
      type: "text",
      placeholder: "org/name or a Hub link",
      autocomplete: "off",
      spellcheck: "false",
      required: true,
    }),
    revision: h("input", { id: "sched-revision", type: "text", placeholder: "main", autocomplete: "off", spellcheck: "false" }),
    preset: h("select", { id: "sched-preset" }),
    kind: h(
      "select",
      { id: "sched-kind", "aria-label": "Trigger kind" },
      h("option", { value: "cron" }, "cron"),
      h("option", { value: "at" }, "at"),
      h("option", { value: "every" }, "every"),
    ),
    text: h("input", { id: "sched-text", type: "text", autocomplete: "off", spellcheck: "false", "aria-describedby": "sched-hint sched-words" }),
    hint: h("p", { id: "sched-hint", class: "hint" }),
    words: h("p", { id: "sched-words", class: "sched-words", "aria-live": "polite" }),
    preview: h("ul", { id: "sched-preview", class: "sched-preview", "aria-label": "Next runs" }),
    error: h("p", { id: "sched-error", class: "error", role: "alert", hidden: true }),
    sync: h("input", { id: "sched-sync", type: "checkbox" }),
    keep: h("input", { id: "sched-keep", type: "number", min: 1, step: 1, placeholder: "all", inputmode: "numeric" }),
    windows: h("div", { id: "sched-windows", class: "sched-windows" }),
    windowAdd: button("Add window", { id: "sched-window-add", class: "quiet" }),
    include: h("input", { id: "sched-include", type: "text", placeholder: "*.gguf, *Q4_K_M*", autocomplete: "off", spellcheck: "false" }),
    exclude: h("input", { id: "sched-exclude", type: "text", placeholder: "*.bin", autocomplete: "off", spellcheck: "false" }),
    catchUp: h("input", { id: "sched-catch-up", type: "checkbox" }),
    save: button("Save", { id: "sched-save", class: "primary", type: "submit" }),
    cancel: button("Cancel", { id: "sched-cancel" }),
  };

  constructor(onSaved: (view: ScheduleView) => void, now: () => Date = () => new Date()) {
    this.onSaved = onSaved;
    this.now = now;
    this.debouncedPreview = debounce(() => void this.preview(), 250);
    const f = this.f;
    for (const p of PRESETS) f.preset.appendChild(h("option", { value: p.id }, p.label));

    const field = (label: string, control: HTMLElement, extra?: HTMLElement | null) =>
      h("label", { class: "field" }, h("span", { class: "field-label" }, label), control, extra ?? null);
    const check = (control: HTMLInputElement, label: string, hint?: string) =>
      h("label", { class: "check" }, control, h("span", {}, label, hint ? h("span", { class: "hint" }, ` — ${hint}`) : null));

    const form = h(
      "form",
      { class: "sched-form", novalidate: true },
      f.title,
      h(
        "div",
        { class: "grid-2" },
        field("Repository", f.reference),
        field("Revision", f.revision),
      ),
      field("Name", f.name),
      h(
        "fieldset",
        {},
        h("legend", {}, "When"),
        field("Preset", f.preset),
        h("div", { class: "trigger-row" }, f.kind, f.text),
        f.hint,
        f.words,
        f.preview,
      ),
      h(
        "fieldset",
        {},
        h("legend", {}, "How"),
        h(
          "div",
          { class: "sync-row" },
          check(f.sync, "Sync when it changes", "fetch the new commit when the branch moves"),
          h("label", { class: "inline" }, "keep ", f.keep, " revisions"),
        ),
        h("div", { class: "field" }, h("span", { class: "field-label" }, "Allowed windows"), f.windows, f.windowAdd,
          h("p", { class: "hint" }, "Runs start only inside these, e.g. Mon-Fri 01:00-06:00. None: any time."),
        ),
        h("div", { class: "grid-2" }, field("Include (comma-separated)", f.include), field("Exclude (comma-separated)", f.exclude)),
        check(f.catchUp, "Catch up", "run once at start-up when a run was missed while the computer was off"),
      ),
      f.error,
      h("div", { class: "actions" }, f.cancel, h("span", { class: "spacer" }), f.save),
    );
    append(this.modal.panel, form);

    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      void this.save();
    });
    f.cancel.addEventListener("click", () => this.modal.close());
    f.preset.addEventListener("change", () => this.applyPreset(f.preset.value));
    f.kind.addEventListener("change", () => this.triggerEdited());
    f.text.addEventListener("input", () => this.triggerEdited());
    f.sync.addEventListener("change", () => this.syncKeep());
    f.windowAdd.addEventListener("click", () => this.addWindow("", true));
  }

  /** A new schedule, optionally prefilled (from the plan sheet: reference, revision, patterns). */
  openNew(prefill: Partial<ScheduleInput> = {}): void {
    this.id = null;
    this.fill({ ...emptyInput(), ...prefill });
    this.f.title.textContent = "New schedule";
    this.modal.open(this.f.reference.value ? this.f.preset : this.f.reference);
  }

  openEdit(view: ScheduleView): void {
    this.id = view.id;
    this.fill(view.input);
    this.f.title.textContent = `Edit ${view.name ?? view.label}`;
    this.modal.open(this.f.preset);
  }

  /** What Save sends, read from the fields. */
  read(): ScheduleInput {
    const f = this.f;
    const keep = f.keep.value.trim() === "" ? null : Math.max(1, Math.floor(Number(f.keep.value)));
    return {
      name: f.name.value.trim() || null,
      reference: f.reference.value.trim(),
      revision: f.revision.value.trim() || "main",
      trigger: this.trigger(),
      sync: f.sync.checked,
      keep: f.sync.checked && keep !== null && Number.isFinite(keep) ? keep : null,
      windows: Array.from(f.windows.querySelectorAll<HTMLInputElement>("input.sched-window"))
        .map((i) => i.value.trim())
        .filter(Boolean),
      include: splitPatterns(f.include.value),
      exclude: splitPatterns(f.exclude.value),
      catch_up: f.catchUp.checked,
    };
  }

  private trigger(): TriggerInput {
    return { kind: this.f.kind.value, text: this.f.text.value.trim() };
  }

  private fill(input: ScheduleInput): void {
    const f = this.f;
    f.name.value = input.name ?? "";
    f.reference.value = input.reference;
    f.revision.value = input.revision || "main";
    f.kind.value = input.trigger.kind;
    f.text.value = input.trigger.text;
    f.preset.value = presetFor(input.trigger);
    f.sync.checked = input.sync;
    f.keep.value = input.keep === null ? "" : String(input.keep);
    replace(f.windows);
    for (const w of input.windows) this.addWindow(w, false);
    f.include.value = input.include.join(", ");
    f.exclude.value = input.exclude.join(", ");
    f.catchUp.checked = input.catch_up;
    this.setError(null);
    this.saving = false;
    this.syncKeep();
    this.updateHint();
    this.debouncedPreview.cancel();
    void this.preview();
  }

  private applyPreset(id: string): void {
    const preset = PRESETS.find((p) => p.id === id);
    if (!preset) return;
    const trigger = preset.trigger(this.now());
    if (trigger) {
      this.f.kind.value = trigger.kind;
      this.f.text.value = trigger.text;
    } else if (this.f.kind.value !== "cron") {
      // Custom cron: start from an empty cron expression rather than an interval.
      this.f.kind.value = "cron";
      this.f.text.value = "";
    }
    this.updateHint();
    if (id === "once" || id === "custom") {
      this.f.text.focus();
      this.f.text.select();
    }
    this.debouncedPreview.cancel();
    void this.preview();
  }

  private triggerEdited(): void {
    this.f.preset.value = presetFor(this.trigger());
    this.updateHint();
    this.pending();
    this.debouncedPreview();
  }

  private updateHint(): void {
    this.f.hint.textContent = KIND_HINT[this.f.kind.value] ?? "";
  }

  private syncKeep(): void {
    this.f.keep.disabled = !this.f.sync.checked;
  }

  private addWindow(value: string, focus: boolean): void {
    const input = h("input", {
      type: "text",
      class: "sched-window",
      value,
      placeholder: "Mon-Fri 01:00-06:00",
      "aria-label": "Allowed window",
      autocomplete: "off",
      spellcheck: "false",
    });
    const row = h("div", { class: "sched-window-row" }, input);
    row.appendChild(button("Remove", { class: "quiet", "data-action": "remove-window", "aria-label": "Remove this window" }, () => row.remove()));
    this.f.windows.appendChild(row);
    if (focus) input.focus();
  }

  /** Until Rust has judged the trigger as it now reads, Save waits. */
  private pending(): void {
    this.valid = false;
    this.f.save.disabled = true;
  }

  /** Asks Rust what the trigger means; only the newest answer counts. */
  async preview(): Promise<void> {
    const seq = ++this.previewSeq;
    this.pending();
    const trigger = this.trigger();
    if (!trigger.text) {
      this.showPreview({ words: "Type when it should run.", valid: false, upcoming: [] }, true);
      return;
    }
    let result: TriggerPreview;
    try {
      result = await api.schedulePreview(trigger);
    } catch (err) {
      result = { words: errorMessage(err), valid: false, upcoming: [] };
    }
    if (seq !== this.previewSeq) return;
    this.showPreview(result, false);
  }

  private showPreview(p: TriggerPreview, quiet: boolean): void {
    const f = this.f;
    this.valid = p.valid;
    f.text.setAttribute("aria-invalid", String(!p.valid && !quiet));
    f.words.textContent = p.valid ? p.words : "";
    replace(
      f.preview,
      ...p.upcoming.slice(0, 3).map((u) => h("li", {}, h("span", { class: "when-words" }, u.words), " ", h("span", { class: "muted" }, u.local))),
    );
    if (p.valid) this.setError(null);
    else if (quiet) this.setError(null);
    else this.setError(p.words);
    f.save.disabled = !p.valid || this.saving;
  }

  private setError(message: string | null): void {
    this.f.error.textContent = message ?? "";
    this.f.error.hidden = !message;
  }

  private async save(): Promise<void> {
    if (!this.valid || this.saving) return;
    const input = this.read();
    if (!input.reference) {
      this.setError("Name the repository to fetch, for example openai-community/gpt2.");
      this.f.reference.focus();
      return;
    }
    this.saving = true;
    this.f.save.disabled = true;
    try {
      const saved = await api.scheduleSave(this.id, input);
      this.modal.close();
      this.onSaved(saved);
    } catch (err) {
      this.setError(errorMessage(err));
    } finally {
      this.saving = false;
      this.f.save.disabled = !this.valid;
    }
  }

  /** For tests and the shell: the element of a field by its id. */
  field<T extends HTMLElement = HTMLElement>(selector: string): T {
    return $<T>(this.modal.panel, selector);
  }
}
