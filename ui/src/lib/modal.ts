// Modal dialogs built from plain elements: an overlay carrying the dialog's id (visible = open), a
// panel inside. Escape and the backdrop cancel, Tab stays inside, focus returns where it was.
import { h } from "./dom";

const FOCUSABLE =
  'button:not([disabled]), [href], input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

export class Modal {
  readonly overlay: HTMLDivElement;
  readonly panel: HTMLDivElement;
  private returnFocus: Element | null = null;
  /** Called when the user dismisses the dialog (Escape, backdrop), not when code closes it. */
  onDismiss: () => void = () => this.close();

  constructor(id: string, labelledBy: string, extraClass = "") {
    this.panel = h("div", {
      class: `modal-panel ${extraClass}`.trim(),
      role: "dialog",
      "aria-modal": "true",
      "aria-labelledby": labelledBy,
    });
    this.overlay = h("div", { id, class: "modal", hidden: true }, this.panel);
    this.overlay.addEventListener("mousedown", (ev) => {
      if (ev.target === this.overlay) this.onDismiss();
    });
    this.overlay.addEventListener("keydown", (ev) => this.onKey(ev));
  }

  get isOpen(): boolean {
    return !this.overlay.hidden;
  }

  open(focus?: HTMLElement | null): void {
    if (!this.isOpen) this.returnFocus = document.activeElement;
    this.overlay.hidden = false;
    const target = focus ?? this.panel.querySelector<HTMLElement>(FOCUSABLE);
    target?.focus();
  }

  close(): void {
    if (!this.isOpen) return;
    this.overlay.hidden = true;
    if (this.returnFocus instanceof HTMLElement && this.returnFocus.isConnected) this.returnFocus.focus();
    this.returnFocus = null;
  }

  private onKey(ev: KeyboardEvent): void {
    if (ev.key === "Escape") {
      ev.preventDefault();
      ev.stopPropagation();
      this.onDismiss();
      return;
    }
    if (ev.key !== "Tab") return;
    const items = Array.from(this.panel.querySelectorAll<HTMLElement>(FOCUSABLE)).filter(
      (el) => !el.closest("[hidden]"),
    );
    if (!items.length) return;
    const first = items[0];
    const last = items[items.length - 1];
    if (ev.shiftKey && document.activeElement === first) {
      ev.preventDefault();
      last.focus();
    } else if (!ev.shiftKey && document.activeElement === last) {
      ev.preventDefault();
      first.focus();
    }
  }
}

/** True while any dialog is open: global paste and drop then leave the page alone. */
export function anyModalOpen(doc: Document = document): boolean {
  return doc.querySelector(".modal:not([hidden])") !== null;
}
