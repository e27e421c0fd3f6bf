// The add sheet: what the user sees of a plan and what "Download now" / "Schedule…" send to Rust.
import { afterEach, describe, expect, it, vi } from "vitest";
import type { App } from "../app";
import { FakeRust, ggufPlan, isShown, q, startApp, teardown, text, type } from "../test/harness";

let app: App | null = null;
afterEach(() => {
  teardown(app);
  app = null;
});

async function openSheet(rust: FakeRust, reference = "TheOrg/Model-GGUF"): Promise<void> {
  type(q<HTMLInputElement>("#add-input"), reference);
  q<HTMLButtonElement>("#add-go").click();
  await vi.waitFor(() => expect(isShown(q("#plan-sheet"))).toBe(true));
  expect(rust.callsOf("plan_download")).toEqual([{ input: reference }]);
}

function boxes(): HTMLInputElement[] {
  return [...document.querySelectorAll<HTMLInputElement>(".plan-file input[type=checkbox]")];
}

function checkedPaths(): string[] {
  return boxes()
    .filter((b) => b.checked)
    .map((b) => b.dataset.path!);
}

describe("add sheet", () => {
  it("shows the plan: repository, revision, commit, badges, destination, free space, files with sizes", async () => {
    const rust = new FakeRust({ plan_download: () => ggufPlan });
    app = await startApp(rust);
    await openSheet(rust);

    expect(text("#plan-title")).toBe("TheOrg/Model-GGUF");
    expect(text("#plan-badges")).toContain("gated");
    expect(text("#plan-badges")).not.toContain("private");
    expect(text("#plan-revision")).toBe("Revision main · commit abcdef0");
    expect(text("#plan-destination")).toBe(ggufPlan.destination);
    expect(text("#plan-free")).toBe("10 GB");
    const rows = [...document.querySelectorAll(".plan-file")];
    expect(rows).toHaveLength(4);
    expect(rows[2].textContent).toContain("model.Q4_K_M.gguf");
    expect(rows[2].textContent).toContain("4.1 GB");
    // The README is already on disk: marked, and it costs nothing.
    expect(rows[0].classList.contains("present")).toBe(true);
    expect(rows[0].textContent).toContain("on disk");
    expect(checkedPaths()).toHaveLength(4);
    expect(text("#plan-total")).toBe("4 of 4 files selected · 14.3 GB to download (5 kB already on disk)");
  });

  it("filtering *Q4_K_M* keeps exactly the matching file and Download now sends that path", async () => {
    const rust = new FakeRust({ plan_download: () => ggufPlan, start_download: () => 42 });
    app = await startApp(rust);
    await openSheet(rust);

    type(q<HTMLInputElement>("#plan-filter"), "*Q4_K_M*");
    expect(checkedPaths()).toEqual(["model.Q4_K_M.gguf"]);
    expect(text("#plan-total")).toBe("1 of 4 files selected · 4.1 GB to download");
    expect(q("#plan-warning").hidden).toBe(true);

    q<HTMLButtonElement>("#plan-download").click();
    await vi.waitFor(() => expect(rust.callsOf("start_download")).toHaveLength(1));
    expect(rust.callsOf("start_download")[0]).toEqual({
      input: { reference: "TheOrg/Model-GGUF", revision: "main", files: ["model.Q4_K_M.gguf"] },
    });
    await vi.waitFor(() => expect(isShown(q("#plan-sheet"))).toBe(false));
    // The user lands on the queue, where the new job shows.
    expect(isShown(q('section[data-screen="downloads"]'))).toBe(true);
    expect(q<HTMLInputElement>("#add-input").value).toBe("");
  });

  it("sends an empty file list when every file is kept", async () => {
    const rust = new FakeRust({ plan_download: () => ggufPlan, start_download: () => 1 });
    app = await startApp(rust);
    await openSheet(rust);
    q<HTMLButtonElement>("#plan-download").click();
    await vi.waitFor(() => expect(rust.callsOf("start_download")).toHaveLength(1));
    expect(rust.callsOf("start_download")[0]).toEqual({
      input: { reference: "TheOrg/Model-GGUF", revision: "main", files: [] },
    });
  });

  it("excludes with !pattern, ticks by hand, and select all / none", async () => {
    const rust = new FakeRust({ plan_download: () => ggufPlan });
    app = await startApp(rust);
    await openSheet(rust);

    type(q<HTMLInputElement>("#plan-filter"), "*.gguf !*Q8*");
    expect(checkedPaths()).toEqual(["model.Q2_K.gguf", "model.Q4_K_M.gguf"]);

    const readme = boxes()[0];
    readme.checked = true;
    readme.dispatchEvent(new Event("change", { bubbles: true }));
    expect(checkedPaths()).toEqual(["README.md", "model.Q2_K.gguf", "model.Q4_K_M.gguf"]);

    q<HTMLButtonElement>("#plan-none").click();
    expect(checkedPaths()).toEqual([]);
    expect(q<HTMLButtonElement>("#plan-download").disabled).toBe(true);
    expect(q<HTMLButtonElement>("#plan-schedule").disabled).toBe(true);

    q<HTMLButtonElement>("#plan-all").click();
    expect(checkedPaths()).toHaveLength(4);
    expect(q<HTMLButtonElement>("#plan-download").disabled).toBe(false);
  });

  it("warns when the selection does not fit in the free space", async () => {
    const rust = new FakeRust({ plan_download: () => ({ ...ggufPlan, free_space: 5_000_000_000 }) });
    app = await startApp(rust);
    await openSheet(rust);
    expect(isShown(q("#plan-warning"))).toBe(true);
    expect(text("#plan-warning")).toBe("This needs 14.3 GB but only 5 GB is free at the destination.");
    type(q<HTMLInputElement>("#plan-filter"), "*Q4_K_M*");
    expect(isShown(q("#plan-warning"))).toBe(false);
  });

  it("shows why a reference cannot be added, and opens no sheet", async () => {
    const rust = new FakeRust({
      plan_download: () => {
        throw { kind: "input", message: "only repositories of https://huggingface.co can be added" };
      },
    });
    app = await startApp(rust);
    type(q<HTMLInputElement>("#add-input"), "https://example.com/org/name");
    q<HTMLButtonElement>("#add-go").click();
    await vi.waitFor(() => expect(isShown(q("#add-error"))).toBe(true));
    expect(text("#add-error")).toBe("only repositories of https://huggingface.co can be added");
    expect(isShown(q("#plan-sheet"))).toBe(false);
  });

  it("shows a start_download failure inside the sheet and keeps it open", async () => {
    const rust = new FakeRust({
      plan_download: () => ggufPlan,
      start_download: () => {
        throw { kind: "disk", message: "not enough space in /cache" };
      },
    });
    app = await startApp(rust);
    await openSheet(rust);
    q<HTMLButtonElement>("#plan-download").click();
    await vi.waitFor(() => expect(text("#plan-error")).toBe("not enough space in /cache"));
    expect(isShown(q("#plan-sheet"))).toBe(true);
  });

  it("Schedule… opens the editor prefilled with the reference and the include patterns", async () => {
    const rust = new FakeRust({ plan_download: () => ggufPlan });
    app = await startApp(rust);
    await openSheet(rust);
    type(q<HTMLInputElement>("#plan-filter"), "*Q4_K_M* !*.bin");
    q<HTMLButtonElement>("#plan-schedule").click();

    expect(isShown(q("#plan-sheet"))).toBe(false);
    expect(isShown(q("#schedule-editor"))).toBe(true);
    expect(q<HTMLInputElement>("#sched-reference").value).toBe("TheOrg/Model-GGUF");
    expect(q<HTMLInputElement>("#sched-revision").value).toBe("main");
    expect(q<HTMLInputElement>("#sched-include").value).toBe("*Q4_K_M*");
    expect(q<HTMLInputElement>("#sched-exclude").value).toBe("*.bin");
    expect(isShown(q('section[data-screen="schedules"]'))).toBe(true);
  });

  it("Cancel closes the sheet without sending anything", async () => {
    const rust = new FakeRust({ plan_download: () => ggufPlan });
    app = await startApp(rust);
    await openSheet(rust);
    q<HTMLButtonElement>("#plan-cancel").click();
    expect(isShown(q("#plan-sheet"))).toBe(false);
    expect(rust.callsOf("start_download")).toHaveLength(0);
  });
});
