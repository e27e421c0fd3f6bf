// Drops, pastes and haul:// links all end in plan_download and the sheet — and only when meant to.
import { emit } from "@tauri-apps/api/event";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { App } from "../app";
import { FakeRust, ggufPlan, isShown, q, startApp, teardown } from "../test/harness";
import { referenceFromData } from "./drop";

let app: App | null = null;
afterEach(() => {
  teardown(app);
  app = null;
});

function data(types: Record<string, string>): Pick<DataTransfer, "getData"> {
  return { getData: (t: string) => types[t] ?? "" };
}

/** jsdom has no DataTransfer: an event carrying a stand-in is enough for the page's handlers. */
function fire(target: EventTarget, type: string, field: "dataTransfer" | "clipboardData", types: Record<string, string>): Event {
  const ev = new Event(type, { bubbles: true, cancelable: true });
  Object.defineProperty(ev, field, { value: data(types) });
  target.dispatchEvent(ev);
  return ev;
}

describe("reading a drop or a paste", () => {
  it("takes the first URI of a uri-list, skipping # comment lines", () => {
    const dt = data({
      "text/uri-list": "# dragged from the browser\r\nhttps://huggingface.co/org/model\r\nhttps://huggingface.co/org/other\r\n",
      "text/plain": "ignored",
    });
    expect(referenceFromData(dt)).toBe("https://huggingface.co/org/model");
  });

  it("falls back to the first non-blank line of text/plain", () => {
    expect(referenceFromData(data({ "text/plain": "\n  org/model  \nsecond" }))).toBe("org/model");
    expect(referenceFromData(data({ "text/uri-list": "# only a comment\n", "text/plain": "hf://org/m" }))).toBe("hf://org/m");
  });

  it("finds nothing in empty data", () => {
    expect(referenceFromData(data({}))).toBeNull();
    expect(referenceFromData(null)).toBeNull();
  });
});

describe("adding without the field", () => {
  it("a drop of a uri-list with a comment line plans the first URL and opens the sheet", async () => {
    const rust = new FakeRust({ plan_download: () => ggufPlan });
    app = await startApp(rust);
    const over = fire(document.body, "dragover", "dataTransfer", {});
    expect(over.defaultPrevented).toBe(true);
    const drop = fire(document.body, "drop", "dataTransfer", {
      "text/uri-list": "# comment\nhttps://huggingface.co/TheOrg/Model-GGUF\n",
    });
    expect(drop.defaultPrevented).toBe(true);
    await vi.waitFor(() => expect(isShown(q("#plan-sheet"))).toBe(true));
    expect(rust.callsOf("plan_download")).toEqual([{ input: "https://huggingface.co/TheOrg/Model-GGUF" }]);
    // The field shows what arrived, so an error message has its context.
    expect(q<HTMLInputElement>("#add-input").value).toBe("https://huggingface.co/TheOrg/Model-GGUF");
  });

  it("Ctrl/Cmd+V outside text fields plans the pasted reference", async () => {
    const rust = new FakeRust({ plan_download: () => ggufPlan });
    app = await startApp(rust);
    const paste = fire(q('section[data-screen="library"]'), "paste", "clipboardData", { "text/plain": "TheOrg/Model-GGUF" });
    expect(paste.defaultPrevented).toBe(true);
    await vi.waitFor(() => expect(isShown(q("#plan-sheet"))).toBe(true));
    expect(rust.callsOf("plan_download")).toEqual([{ input: "TheOrg/Model-GGUF" }]);
  });

  it("a paste into a text field is ordinary typing and opens nothing", async () => {
    const rust = new FakeRust({ plan_download: () => ggufPlan });
    app = await startApp(rust);
    q<HTMLButtonElement>('button[data-nav="settings"]').click();
    const field = q<HTMLInputElement>('#settings-form input[name="endpoint"]');
    field.focus();
    const paste = fire(field, "paste", "clipboardData", { "text/plain": "org/model" });
    expect(paste.defaultPrevented).toBe(false);
    await new Promise((r) => setTimeout(r, 20));
    expect(rust.callsOf("plan_download")).toHaveLength(0);
    expect(isShown(q("#plan-sheet"))).toBe(false);
  });

  it("a drop while a dialog is open does nothing", async () => {
    const rust = new FakeRust({ plan_download: () => ggufPlan });
    app = await startApp(rust);
    q<HTMLButtonElement>('button[data-nav="schedules"]').click();
    q<HTMLButtonElement>("#schedule-new").click();
    fire(document.body, "drop", "dataTransfer", { "text/plain": "org/model" });
    await new Promise((r) => setTimeout(r, 20));
    expect(rust.callsOf("plan_download")).toHaveLength(0);
  });

  it("an open-add event (haul:// link, tray Add…) opens the sheet and downloads nothing by itself", async () => {
    const rust = new FakeRust({ plan_download: () => ggufPlan, start_download: () => 1 });
    app = await startApp(rust);
    await emit("open-add", "haul://add/TheOrg/Model-GGUF");
    await vi.waitFor(() => expect(isShown(q("#plan-sheet"))).toBe(true));
    expect(rust.callsOf("plan_download")).toEqual([{ input: "haul://add/TheOrg/Model-GGUF" }]);
    expect(rust.callsOf("start_download")).toHaveLength(0);
  });

  it("Ctrl+V with the focus on a button routes the paste through the off-screen catcher", async () => {
    const rust = new FakeRust({ plan_download: () => ggufPlan });
    app = await startApp(rust);
    const nav = q<HTMLButtonElement>('button[data-nav="library"]');
    nav.focus();
    nav.dispatchEvent(new KeyboardEvent("keydown", { key: "v", ctrlKey: true, bubbles: true }));
    const catcher = q<HTMLTextAreaElement>(".paste-catcher");
    expect(document.activeElement).toBe(catcher);
    fire(catcher, "paste", "clipboardData", { "text/plain": "TheOrg/Model-GGUF" });
    await vi.waitFor(() => expect(isShown(q("#plan-sheet"))).toBe(true));
    expect(rust.callsOf("plan_download")).toEqual([{ input: "TheOrg/Model-GGUF" }]);
  });

  it("a link the app was launched with opens the sheet, and nothing downloads", async () => {
    const rust = new FakeRust({
      plan_download: () => ggufPlan,
      start_download: () => 1,
      pending_links: () => ["hf://TheOrg/Model-GGUF"],
    });
    app = await startApp(rust);
    await vi.waitFor(() => expect(isShown(q("#plan-sheet"))).toBe(true));
    expect(rust.callsOf("plan_download")).toEqual([{ input: "hf://TheOrg/Model-GGUF" }]);
    expect(rust.callsOf("start_download")).toHaveLength(0);
  });

  it("an empty open-add (the tray's Add…) focuses the field without an error", async () => {
    const rust = new FakeRust();
    app = await startApp(rust);
    await emit("open-add", "");
    await vi.waitFor(() => expect(document.activeElement).toBe(q("#add-input")));
    expect(isShown(q("#add-error"))).toBe(false);
    expect(rust.callsOf("plan_download")).toHaveLength(0);
  });

  it("Escape closes the sheet", async () => {
    const rust = new FakeRust({ plan_download: () => ggufPlan });
    app = await startApp(rust);
    await app.addBar.open("TheOrg/Model-GGUF");
    expect(isShown(q("#plan-sheet"))).toBe(true);
    q("#plan-filter").dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true }));
    expect(isShown(q("#plan-sheet"))).toBe(false);
  });
});
