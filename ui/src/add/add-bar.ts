// The field at the top of the window where a repository reference is typed or pasted. Every way of
// adding (field, drop, paste, a haul:// link, the tray's "Add…") goes through `open`, which asks Rust
// for the plan and shows the sheet; nothing downloads before the user says so.
import { api, errorMessage } from "../api";
import type { PlanView } from "../generated/types";
import { button, h } from "../lib/dom";

export class AddBar {
  readonly element: HTMLFormElement;
  readonly input: HTMLInputElement;
  private readonly go: HTMLButtonElement;
  private readonly error: HTMLElement;
  private readonly showPlan: (plan: PlanView) => void;
  private request = 0;

  constructor(showPlan: (plan: PlanView) => void) {
    this.showPlan = showPlan;
    this.input = h("input", {
      id: "add-input",
      type: "text",
      placeholder: "Add a repository: org/name, a Hub link, hf://… — or drop / paste one anywhere",
      "aria-label": "Repository to add",
      autocomplete: "off",
      spellcheck: "false",
    });
    this.go = button("Add", { id: "add-go", class: "primary", type: "submit" });
    this.error = h("p", { id: "add-error", class: "error", role: "alert", hidden: true });
    this.element = h("form", { class: "add-bar", role: "search" }, this.input, this.go, this.error);
    this.element.addEventListener("submit", (ev) => {
      ev.preventDefault();
      void this.open(this.input.value);
    });
    this.input.addEventListener("input", () => this.setError(null));
  }

  /** Plans `reference` and opens the sheet, or says in the field why it cannot be added. */
  async open(reference: string, quietWhenEmpty = false): Promise<void> {
    const text = reference.trim();
    this.input.value = text;
    if (!text && !quietWhenEmpty) {
      this.setError("Type a repository, for example openai-community/gpt2, or paste its Hub link.");
      this.input.focus();
      return;
    }
    if (!text) {
      // The tray's "Add…" carries nothing: it only brings the field forward.
      this.setError(null);
      this.input.focus();
      return;
    }
    const request = ++this.request;
    this.setError(null);
    this.setBusy(true);
    try {
      const plan = await api.planDownload(text);
      if (request !== this.request) return; // a newer reference replaced this one
      this.showPlan(plan);
    } catch (err) {
      if (request !== this.request) return;
      this.setError(errorMessage(err));
    } finally {
      if (request === this.request) this.setBusy(false);
    }
  }

  clear(): void {
    this.input.value = "";
    this.setError(null);
  }

  private setBusy(busy: boolean): void {
    this.go.disabled = busy;
    this.go.textContent = busy ? "Checking…" : "Add";
    this.element.setAttribute("aria-busy", String(busy));
  }

  private setError(message: string | null): void {
    this.error.textContent = message ?? "";
    this.error.hidden = !message;
    this.input.setAttribute("aria-invalid", String(!!message));
  }
}
