// Puts the window together — add bar, navigation, screens, dialogs, status bar — and connects it to
// Rust: events, the progress channel, the status. Rendering lives in the screens; this file only wires.
import { api, errorMessage, onEvent, watchProgress } from "./api";
import { AddBar } from "./add/add-bar";
import { wireDropAndPaste } from "./add/drop";
import type { AppStatus } from "./generated/types";
import { ConfirmDialog } from "./lib/confirm";
import { button, h } from "./lib/dom";
import { repoLabel } from "./lib/format";
import { Poller } from "./lib/poll";
import { createToast, toast } from "./lib/toast";
import { DownloadsScreen } from "./screens/downloads";
import { LibraryScreen } from "./screens/library";
import { LogScreen } from "./screens/log";
import type { Screen, ScreenName } from "./screens/screen";
import { SchedulesScreen } from "./screens/schedules";
import { SettingsScreen } from "./screens/settings";
import { PlanSheet } from "./sheet/plan-sheet";
import { StatusBar } from "./statusbar";

export class App {
  readonly confirm = new ConfirmDialog();
  readonly library: LibraryScreen;
  readonly downloads = new DownloadsScreen();
  readonly schedules: SchedulesScreen;
  readonly settings = new SettingsScreen();
  readonly log = new LogScreen();
  readonly sheet: PlanSheet;
  readonly addBar: AddBar;
  readonly statusBar = new StatusBar();
  private readonly screens: Screen[];
  private readonly navButtons = new Map<ScreenName, HTMLButtonElement>();
  private readonly downloadsBadge = h("span", { class: "nav-count", hidden: true });
  private current: Screen | null = null;
  private readonly cleanups: Array<() => void> = [];
  /** Rust announces status changes; the timer only keeps relative words ("in 3 min") current. */
  private readonly statusPoller = new Poller(() => this.refreshStatus(), 30_000);

  constructor(root: HTMLElement) {
    this.library = new LibraryScreen(this.confirm);
    this.schedules = new SchedulesScreen(this.confirm);
    this.sheet = new PlanSheet({
      started: (jobId, plan) => {
        this.addBar.clear();
        toast(`Queued ${repoLabel(plan.repo_type, plan.repo_id)} (job ${jobId}).`);
        this.go("downloads");
      },
      schedule: (prefill) => {
        this.addBar.clear();
        this.go("schedules");
        this.schedules.newSchedule(prefill);
      },
    });
    this.addBar = new AddBar((plan) => this.sheet.show(plan));
    this.screens = [this.library, this.downloads, this.schedules, this.settings, this.log];

    const nav = h("nav", { class: "sidebar", "aria-label": "Screens" });
    const list = h("ul", {});
    for (const screen of this.screens) {
      const b = button(screen.label, { "data-nav": screen.name }, () => this.go(screen.name));
      if (screen.name === "downloads") b.appendChild(this.downloadsBadge);
      this.navButtons.set(screen.name, b);
      list.appendChild(h("li", {}, b));
    }
    nav.appendChild(list);
    nav.addEventListener("keydown", (ev) => this.navKeys(ev));

    const brand = h("div", { class: "brand", "aria-hidden": "true" }, h("span", { class: "brand-mark" }), "Haul");
    root.replaceChildren(
      h(
        "div",
        { class: "shell" },
        h("header", { class: "topbar" }, brand, this.addBar.element),
        nav,
        h("main", { class: "content", id: "content" }, ...this.screens.map((s) => s.element)),
        this.statusBar.element,
      ),
      // Later is on top: a link that arrives while the editor is open shows its sheet above it.
      this.schedules.editor.modal.overlay,
      this.sheet.modal.overlay,
      this.confirm.modal.overlay,
      h("div", { class: "drop-hint", "aria-hidden": "true" }, h("p", {}, "Drop to add this repository")),
      createToast(),
    );
  }

  /** Shows one screen; the others stop their timers. */
  go(name: ScreenName): void {
    const next = this.screens.find((s) => s.name === name);
    if (!next || next === this.current) return;
    this.current?.hidden();
    for (const s of this.screens) s.element.hidden = s !== next;
    for (const [n, b] of this.navButtons) {
      if (n === name) b.setAttribute("aria-current", "page");
      else b.removeAttribute("aria-current");
    }
    this.current = next;
    next.shown();
  }

  get currentScreen(): ScreenName | null {
    return this.current?.name ?? null;
  }

  /** Up/Down move between the navigation's buttons, as in a list. */
  private navKeys(ev: KeyboardEvent): void {
    if (ev.key !== "ArrowDown" && ev.key !== "ArrowUp") return;
    const buttons = [...this.navButtons.values()];
    const i = buttons.indexOf(document.activeElement as HTMLButtonElement);
    if (i === -1) return;
    ev.preventDefault();
    const next = buttons[(i + (ev.key === "ArrowDown" ? 1 : buttons.length - 1)) % buttons.length];
    next.focus();
  }

  renderStatus(status: AppStatus): void {
    this.statusBar.render(status);
    this.schedules.setStatus(status);
    this.downloadsBadge.textContent = String(status.active_downloads);
    this.downloadsBadge.hidden = status.active_downloads === 0;
  }

  async refreshStatus(): Promise<void> {
    try {
      this.renderStatus(await api.appStatus());
    } catch (err) {
      this.statusBar.renderError(errorMessage(err));
    }
  }

  /** Connects to Rust: events, live progress, the first status. */
  async start(): Promise<void> {
    this.go("library");
    this.cleanups.push(wireDropAndPaste(document, (reference) => void this.addBar.open(reference)));
    const listeners = await Promise.allSettled([
      onEvent("open-add", (reference) => {
        // Links and the tray only ever open the sheet: nothing downloads without the user's word.
        void this.addBar.open(typeof reference === "string" ? reference : "", true);
      }),
      onEvent("jobs-changed", () => {
        this.downloads.changed();
        void this.refreshStatus();
      }),
      onEvent("library-changed", () => this.library.changed()),
      onEvent("status-changed", () => void this.refreshStatus()),
    ]);
    for (const l of listeners) if (l.status === "fulfilled") this.cleanups.push(l.value);
    try {
      await watchProgress((batch) => this.downloads.applyBatch(batch));
    } catch (err) {
      toast(`Live progress is unavailable: ${errorMessage(err)}`, "error");
    }
    this.statusPoller.start();
    try {
      // A link the app was launched with opens the sheet, as one from a second launch does.
      const [first] = await api.pendingLinks();
      if (first) void this.addBar.open(first, true);
    } catch (err) {
      toast(`Could not read the launch link: ${errorMessage(err)}`, "error");
    }
  }

  stop(): void {
    this.statusPoller.stop();
    this.current?.hidden();
    for (const c of this.cleanups.splice(0)) c();
  }
}
