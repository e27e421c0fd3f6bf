// The line at the bottom of the window: who runs schedules, what is downloading, the next scheduled
// run and the bandwidth in force — the answers to "is Haul doing anything, and will it?".
import type { AppStatus } from "./generated/types";
import { h } from "./lib/dom";
import { plural } from "./lib/format";

const RUNNER: Record<string, string> = {
  app: "this app",
  daemon: "the haul daemon",
  none: "none",
};

export class StatusBar {
  readonly element: HTMLElement;
  private readonly service = h("span", { id: "status-service" });
  private readonly downloads = h("span", { id: "status-downloads" });
  private readonly nextRun = h("span", { id: "status-next-run" });
  private readonly bandwidth = h("span", { id: "status-bandwidth" });
  private readonly offline = h("span", { id: "status-offline", class: "badge badge-warn", hidden: true }, "offline");

  constructor() {
    this.element = h(
      "footer",
      { class: "statusbar", role: "contentinfo", "aria-label": "Status" },
      this.offline,
      this.service,
      this.downloads,
      this.nextRun,
      this.bandwidth,
    );
  }

  render(s: AppStatus): void {
    this.service.textContent = `Service: ${RUNNER[s.service.runner] ?? s.service.runner}`;
    this.service.title = s.service.runner === "none" ? `${s.service.detail} — schedules do not run` : s.service.detail;
    this.service.dataset.runner = s.service.runner;
    this.downloads.textContent = s.active_downloads
      ? `${plural(s.active_downloads, "download")} active`
      : "No active downloads";
    this.nextRun.textContent = s.next_run
      ? `Next run: ${s.next_run.label} ${s.next_run.upcoming.words}`
      : "No scheduled run";
    this.nextRun.title = s.next_run ? s.next_run.upcoming.local : "";
    this.bandwidth.textContent = `Bandwidth: ${s.bandwidth}`;
    this.offline.hidden = !s.offline;
    this.offline.title = s.offline ? "HF_HUB_OFFLINE is set: only what is in the cache can be used" : "";
  }

  renderError(message: string): void {
    this.service.textContent = `Status unavailable: ${message}`;
  }
}
