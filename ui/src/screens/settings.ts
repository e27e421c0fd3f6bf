// Settings as a form over SettingsView (each input named like its field) and the account: who the
// token belongs to and where it is kept. A token typed here goes to Rust once and is never shown again.
import { api, errorMessage } from "../api";
import type { AccountView, SettingsView } from "../generated/types";
import { $, append, button, h } from "../lib/dom";
import { toast } from "../lib/toast";
import { screenSection, type Screen } from "./screen";

type Field = {
  name: keyof SettingsView;
  label: string;
  hint?: string;
  kind: "text" | "number" | "check";
  placeholder?: string;
};

const FIELDS: Field[] = [
  { name: "cache_dir", label: "Cache folder", kind: "text", hint: "Where repositories go: the Hugging Face cache other tools read." },
  { name: "endpoint", label: "Hub endpoint", kind: "text", placeholder: "https://huggingface.co", hint: "A mirror works too." },
  { name: "max_concurrent_files", label: "Files at once", kind: "number" },
  { name: "connections_per_file", label: "Connections per file", kind: "number", hint: "Large files are split." },
  { name: "bandwidth_limit", label: "Bandwidth limit", kind: "text", placeholder: "20M or unlimited", hint: "Outside the time-of-day rules." },
];

const NOTIFY: Field[] = [
  { name: "notify_finished", label: "A download finished", kind: "check" },
  { name: "notify_failed", label: "A download failed", kind: "check" },
  { name: "notify_update_available", label: "An update is available", kind: "check" },
  { name: "notify_schedule_error", label: "A schedule could not run", kind: "check" },
];

const DESKTOP: Field[] = [
  { name: "start_at_login", label: "Start Haul when I log in", kind: "check" },
  { name: "close_to_tray", label: "Closing the window keeps Haul running in the tray", kind: "check" },
];

export class SettingsScreen implements Screen {
  readonly name = "settings" as const;
  readonly label = "Settings";
  readonly element: HTMLElement;
  private readonly form: HTMLFormElement;
  private readonly error: HTMLElement;
  private readonly saveButton: HTMLButtonElement;
  private current: SettingsView | null = null;
  private readonly account = {
    user: h("p", { id: "account-user", class: "account-user" }),
    source: h("p", { id: "account-source", class: "muted" }),
    note: h("p", { id: "account-note", class: "hint", hidden: true }),
    token: h("input", {
      id: "token-input",
      type: "password",
      name: "token",
      autocomplete: "off",
      spellcheck: "false",
      placeholder: "hf_…",
      "aria-label": "Access token",
    }),
    save: button("Log in", { id: "token-save", class: "primary", type: "submit" }),
    logout: button("Log out", { id: "logout" }),
    error: h("p", { id: "account-error", class: "error", role: "alert", hidden: true }),
  };

  constructor() {
    const { section } = screenSection("settings", "Settings");
    this.element = section;

    const control = (f: Field): HTMLElement => {
      if (f.kind === "check") {
        return h("label", { class: "check" }, h("input", { type: "checkbox", name: f.name, id: `set-${f.name}` }), h("span", {}, f.label));
      }
      const input = h("input", {
        type: f.kind,
        name: f.name,
        id: `set-${f.name}`,
        placeholder: f.placeholder,
        autocomplete: "off",
        spellcheck: "false",
        min: f.kind === "number" ? 1 : undefined,
        step: f.kind === "number" ? 1 : undefined,
        required: f.kind === "number" ? true : undefined,
      });
      return h("label", { class: "field" }, h("span", { class: "field-label" }, f.label), input, f.hint ? h("span", { class: "hint" }, f.hint) : null);
    };

    this.error = h("p", { id: "settings-error", class: "error", role: "alert", hidden: true });
    this.saveButton = button("Save", { id: "settings-save", class: "primary", type: "submit" });
    this.form = h(
      "form",
      { id: "settings-form", novalidate: true },
      h(
        "fieldset",
        {},
        h("legend", {}, "Downloads"),
        ...FIELDS.slice(0, 2).map(control),
        // The three numbers side by side: short values, and the form stays within one screen.
        h("div", { class: "settings-row" }, ...FIELDS.slice(2).map(control)),
      ),
      h("fieldset", {}, h("legend", {}, "Notify me when"), ...NOTIFY.map(control)),
      h("fieldset", {}, h("legend", {}, "Desktop"), ...DESKTOP.map(control)),
      h("div", { class: "actions" }, this.saveButton, this.error),
    );
    this.form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      void this.save();
    });

    const a = this.account;
    const tokenForm = h(
      "form",
      { class: "token-form", autocomplete: "off" },
      h("label", { class: "field" }, h("span", { class: "field-label" }, "Access token"), a.token),
      h("div", { class: "actions" }, a.save, a.logout),
    );
    tokenForm.addEventListener("submit", (ev) => {
      ev.preventDefault();
      void this.login();
    });
    a.logout.addEventListener("click", () => void this.logout());

    append(
      section,
      h(
        "div",
        { class: "screen-body settings-body" },
        this.form,
        h(
          "section",
          { class: "subsection account", "aria-labelledby": "account-title" },
          h("h2", { id: "account-title" }, "Account"),
          a.user,
          a.source,
          tokenForm,
          a.note,
          a.error,
          h("p", { class: "hint" }, "Create a read token at huggingface.co/settings/tokens. It is sent only to the Hub endpoint."),
        ),
      ),
    );
  }

  shown(): void {
    void this.refresh();
  }

  hidden(): void {}

  async refresh(): Promise<void> {
    const [settings, account] = await Promise.allSettled([api.settingsGet(), api.accountStatus()]);
    if (settings.status === "fulfilled") {
      this.fill(settings.value);
      this.setError(null);
    } else this.setError(errorMessage(settings.reason));
    if (account.status === "fulfilled") this.renderAccount(account.value);
    else this.setAccountError(errorMessage(account.reason));
  }

  fill(settings: SettingsView): void {
    this.current = settings;
    for (const [name, value] of Object.entries(settings)) {
      const input = this.form.elements.namedItem(name);
      if (!(input instanceof HTMLInputElement)) continue;
      if (input.type === "checkbox") input.checked = Boolean(value);
      else input.value = String(value);
    }
  }

  /** The form as a SettingsView, or the reason it is not one. */
  read(): SettingsView | string {
    if (!this.current) return "The settings have not loaded yet.";
    const out: Record<string, unknown> = { ...this.current };
    for (const f of [...FIELDS, ...NOTIFY, ...DESKTOP]) {
      const input = $<HTMLInputElement>(this.form, `[name="${f.name}"]`);
      if (f.kind === "check") out[f.name] = input.checked;
      else if (f.kind === "number") {
        const n = Number(input.value);
        if (!Number.isInteger(n) || n < 1) return `${f.label} must be a whole number, 1 or more.`;
        out[f.name] = n;
      } else out[f.name] = input.value.trim();
    }
    return out as SettingsView;
  }

  private async save(): Promise<void> {
    const settings = this.read();
    if (typeof settings === "string") {
      this.setError(settings);
      return;
    }
    this.saveButton.disabled = true;
    try {
      this.fill(await api.settingsSave(settings));
      this.setError(null);
      toast("Settings saved.");
    } catch (err) {
      this.setError(errorMessage(err));
    } finally {
      this.saveButton.disabled = false;
    }
  }

  renderAccount(view: AccountView): void {
    const a = this.account;
    a.user.textContent = view.user ? `Logged in as ${view.user}` : "Not logged in — public repositories only";
    a.source.textContent = view.source ? `Token from ${view.source}` : "";
    a.source.hidden = !view.source;
    const notes = [
      view.keyring_available ? null : "No OS keyring answers here: logging in writes the token to the Hugging Face token file.",
      view.note,
    ].filter((n): n is string => !!n);
    a.note.textContent = notes.join(" ");
    a.note.hidden = notes.length === 0;
    a.logout.disabled = !view.source;
    a.save.textContent = view.user ? "Replace token" : "Log in";
    this.setAccountError(null);
  }

  private async login(): Promise<void> {
    const a = this.account;
    const token = a.token.value.trim();
    // The field empties at once, whatever happens next: the token never lingers on screen.
    a.token.value = "";
    if (!token) {
      this.setAccountError("Paste an access token first.");
      return;
    }
    a.save.disabled = true;
    try {
      const view = await api.accountLogin(token);
      this.renderAccount(view);
      toast(view.user ? `Logged in as ${view.user}.` : "Token saved.");
    } catch (err) {
      this.setAccountError(errorMessage(err));
    } finally {
      a.save.disabled = false;
    }
  }

  private async logout(): Promise<void> {
    try {
      this.renderAccount(await api.accountLogout());
      toast("Logged out.");
    } catch (err) {
      this.setAccountError(errorMessage(err));
    }
  }

  private setError(message: string | null): void {
    this.error.textContent = message ?? "";
    this.error.hidden = !message;
  }

  private setAccountError(message: string | null): void {
    this.account.error.textContent = message ?? "";
    this.account.error.hidden = !message;
  }
}
