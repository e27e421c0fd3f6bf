// The one confirmation dialog for destructive actions (remove a repository, delete a schedule). It
// states what will happen in words before anything happens; Cancel is the default.
import { $, append, button, h, replace, type Child } from "./dom";
import { Modal } from "./modal";

export interface ConfirmOptions {
  title: string;
  text: string;
  details?: Child[];
  ok: string;
}

export class ConfirmDialog {
  readonly modal = new Modal("confirm-dialog", "confirm-title", "modal-small");
  private resolve: ((ok: boolean) => void) | null = null;

  constructor() {
    const panel = this.modal.panel;
    append(
      panel,
      h("h2", { id: "confirm-title" }),
      h("p", { id: "confirm-text" }),
      h("div", { class: "confirm-details" }),
      h(
        "div",
        { class: "actions" },
        button("Cancel", { id: "confirm-cancel" }, () => this.finish(false)),
        button("OK", { id: "confirm-ok", class: "danger" }, () => this.finish(true)),
      ),
    );
    this.modal.onDismiss = () => this.finish(false);
  }

  ask(options: ConfirmOptions): Promise<boolean> {
    this.finish(false);
    const panel = this.modal.panel;
    $(panel, "#confirm-title").textContent = options.title;
    $(panel, "#confirm-text").textContent = options.text;
    replace($(panel, ".confirm-details"), ...(options.details ?? []));
    $(panel, "#confirm-ok").textContent = options.ok;
    this.modal.open($<HTMLButtonElement>(panel, "#confirm-cancel"));
    return new Promise((resolve) => (this.resolve = resolve));
  }

  private finish(ok: boolean): void {
    const resolve = this.resolve;
    this.resolve = null;
    this.modal.close();
    resolve?.(ok);
  }
}
