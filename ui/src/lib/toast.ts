// Short messages that confirm an action or report a failure without blocking: one line at the bottom
// of the window, read out by screen readers, gone after a few seconds.
import { h } from "./dom";

let element: HTMLElement | null = null;
let timer: ReturnType<typeof setTimeout> | undefined;

export function createToast(): HTMLElement {
  element = h("div", { id: "toast", role: "status", "aria-live": "polite", hidden: true });
  return element;
}

export function toast(message: string, kind: "info" | "error" = "info"): void {
  const el = element ?? document.getElementById("toast");
  if (!el) return;
  el.textContent = message;
  el.dataset.kind = kind;
  el.hidden = false;
  clearTimeout(timer);
  // Errors stay longer: they are the ones people need to read.
  timer = setTimeout(() => (el.hidden = true), kind === "error" ? 8000 : 4000);
}
