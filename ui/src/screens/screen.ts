// What every screen of the left navigation offers the shell: its section element and hooks for when
// it appears and disappears (refresh on open, poll only while visible).
import { h } from "../lib/dom";

export type ScreenName = "library" | "downloads" | "schedules" | "settings" | "log";

export interface Screen {
  readonly name: ScreenName;
  readonly label: string;
  /** `section[data-screen=name]`, hidden while another screen shows. */
  readonly element: HTMLElement;
  shown(): void;
  hidden(): void;
}

/** The section of a screen with its heading. */
export function screenSection(name: ScreenName, title: string): { section: HTMLElement; header: HTMLElement } {
  const header = h("header", { class: "screen-head" }, h("h1", { id: `${name}-title` }, title));
  const section = h("section", { "data-screen": name, "aria-labelledby": `${name}-title`, hidden: true }, header);
  return { section, header };
}
