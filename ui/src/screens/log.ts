// Recent events (downloads, schedules, errors), newest first, refreshed while the screen shows.
import { api, errorMessage } from "../api";
import type { LogEntry } from "../generated/types";
import { append, button, h, replace } from "../lib/dom";
import { absoluteTime, relativeTime } from "../lib/format";
import { Poller } from "../lib/poll";
import { screenSection, type Screen } from "./screen";

export class LogScreen implements Screen {
  readonly name = "log" as const;
  readonly label = "Log";
  readonly element: HTMLElement;
  private readonly list: HTMLOListElement;
  private readonly error: HTMLElement;
  private readonly poller = new Poller(() => this.refresh(), 2000);

  constructor() {
    const { section, header } = screenSection("log", "Log");
    this.element = section;
    append(header, h("div", { class: "tools" }, button("Refresh", { id: "log-refresh" }, () => void this.refresh())));
    this.list = h("ol", { id: "log-list", class: "log-list", "aria-live": "off" });
    this.error = h("p", { class: "error", hidden: true });
    append(section, h("div", { class: "screen-body" }, this.error, this.list));
  }

  shown(): void {
    this.poller.start();
  }

  hidden(): void {
    this.poller.stop();
  }

  async refresh(): Promise<void> {
    try {
      this.render(await api.logRecent());
      this.error.hidden = true;
    } catch (err) {
      this.error.textContent = errorMessage(err);
      this.error.hidden = false;
    }
  }

  render(entries: LogEntry[]): void {
    if (!entries.length) {
      replace(this.list, h("li", { class: "muted empty" }, "Nothing has happened yet."));
      return;
    }
    const sorted = [...entries].sort((a, b) => b.at_ms - a.at_ms);
    replace(
      this.list,
      ...sorted.map((e) =>
        h(
          "li",
          { class: `log-entry level-${e.level}` },
          h("time", { datetime: new Date(e.at_ms).toISOString(), title: relativeTime(e.at_ms) }, absoluteTime(e.at_ms)),
          h("span", { class: `level badge level-${e.level}` }, e.level),
          h("span", { class: "log-message" }, e.message),
        ),
      ),
    );
  }
}
