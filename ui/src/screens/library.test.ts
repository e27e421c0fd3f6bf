// The library table and its row actions, above all that removal asks first and says what it frees.
import { emit } from "@tauri-apps/api/event";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { App } from "../app";
import type { RemovalView } from "../generated/types";
import { FakeRust, isShown, model, q, startApp, teardown, text } from "../test/harness";

let app: App | null = null;
afterEach(() => {
  teardown(app);
  app = null;
});

const removal: RemovalView = {
  bytes_freed: 4_200_000_000,
  files: 12,
  revisions: ["main", "v1.0"],
  paths: ["/cache/hub/models--org--model"],
};

function row(repoId: string): HTMLElement {
  return q(`.model[data-repo-id="${repoId}"]`);
}

async function loaded(): Promise<void> {
  await vi.waitFor(() => expect(document.querySelectorAll(".model").length).toBeGreaterThan(0));
}

describe("library", () => {
  it("lists repositories with type prefix, revision, short commit, human size, state and relative time", async () => {
    const rust = new FakeRust({
      library_list: () => [model(), model({ repo_type: "dataset", repo_id: "org/data", state: "partial", size_bytes: 512 })],
    });
    app = await startApp(rust);
    await loaded();
    expect(isShown(q('section[data-screen="library"]'))).toBe(true);

    const cells = [...row("org/model").querySelectorAll("td")].map((td) => td.textContent);
    expect(cells.slice(0, 6)).toEqual(["org/model", "main", "0123456", "1.2 GB", "complete", "3 min ago"]);
    expect(text('.model[data-repo-id="org/data"] .model-repo')).toBe("datasets/org/data");
    expect(text('.model[data-repo-id="org/data"] .model-state')).toBe("partial");
    // Update only shows once a check found a newer commit.
    expect(row("org/model").querySelector('button[data-action="update"]')).toBeNull();
  });

  it("Check for updates shows the badge and an Update button that queues the update", async () => {
    const rust = new FakeRust({
      library_list: () => [model()],
      library_check_updates: () => [model({ update_available: "fedcba9876543210" })],
      library_update: () => 21,
    });
    app = await startApp(rust);
    await loaded();
    q<HTMLButtonElement>("#check-updates").click();
    await vi.waitFor(() => expect(row("org/model").querySelector('button[data-action="update"]')).not.toBeNull());
    expect(text('.model[data-repo-id="org/model"] .model-update')).toBe("update available");

    // A reload of the list (library-changed) keeps what the check found while the commit is the same.
    await emit("library-changed", null);
    await vi.waitFor(() => expect(rust.callsOf("library_list")).toHaveLength(2));
    await vi.waitFor(() => expect(row("org/model").querySelector('button[data-action="update"]')).not.toBeNull());

    row("org/model").querySelector<HTMLButtonElement>('button[data-action="update"]')!.click();
    await vi.waitFor(() =>
      expect(rust.callsOf("library_update")).toEqual([{ repo: { repo_type: "model", repo_id: "org/model", revision: "main" } }]),
    );
  });

  it("Remove asks first, stating bytes, files and revisions from library_plan_remove; Cancel removes nothing", async () => {
    const rust = new FakeRust({ library_list: () => [model()], library_plan_remove: () => removal });
    app = await startApp(rust);
    await loaded();
    row("org/model").querySelector<HTMLButtonElement>('button[data-action="remove"]')!.click();

    await vi.waitFor(() => expect(isShown(q("#confirm-dialog"))).toBe(true));
    // The only row of a repository removes the whole repository (revision null).
    expect(rust.callsOf("library_plan_remove")).toEqual([{ repo: { repo_type: "model", repo_id: "org/model", revision: null } }]);
    expect(text("#confirm-text")).toBe("This frees 4.2 GB — 12 files, 2 revisions: main, v1.0.");
    q<HTMLButtonElement>("#confirm-cancel").click();
    expect(isShown(q("#confirm-dialog"))).toBe(false);
    await new Promise((r) => setTimeout(r, 20));
    expect(rust.callsOf("library_remove")).toHaveLength(0);
  });

  it("Remove confirmed calls library_remove with the same repository and reloads the list", async () => {
    let rows = [model(), model({ revision: "v1.0" })];
    const rust = new FakeRust({
      library_list: () => rows,
      library_plan_remove: () => ({ ...removal, revisions: ["v1.0"], files: 3, bytes_freed: 800_000_000 }),
      library_remove: () => {
        rows = [model()];
        return removal;
      },
    });
    app = await startApp(rust);
    await loaded();
    const v1 = document.querySelector<HTMLElement>('.model[data-revision="v1.0"]')!;
    v1.querySelector<HTMLButtonElement>('button[data-action="remove"]')!.click();
    await vi.waitFor(() => expect(isShown(q("#confirm-dialog"))).toBe(true));
    expect(text("#confirm-title")).toBe("Remove org/model at v1.0?");
    expect(text("#confirm-text")).toBe("This frees 800 MB — 3 files, 1 revision: v1.0.");
    q<HTMLButtonElement>("#confirm-ok").click();

    const key = { repo: { repo_type: "model", repo_id: "org/model", revision: "v1.0" } };
    await vi.waitFor(() => expect(rust.callsOf("library_remove")).toEqual([key]));
    expect(rust.callsOf("library_plan_remove")).toEqual([key]);
    await vi.waitFor(() => expect(document.querySelectorAll(".model")).toHaveLength(1));
  });

  it("Verify shows the result inline under the row", async () => {
    const rust = new FakeRust({
      library_list: () => [model()],
      library_verify: () => ({ files_checked: 5, ok: false, corrupt: ["model.safetensors"], missing: [], extra: [] }),
    });
    app = await startApp(rust);
    await loaded();
    row("org/model").querySelector<HTMLButtonElement>('button[data-action="verify"]')!.click();
    await vi.waitFor(() => expect(document.querySelector(".model-verify.bad")).not.toBeNull());
    expect(text(".model-verify")).toContain("Corrupt (1): model.safetensors");
    expect(rust.callsOf("library_verify")).toEqual([{ repo: { repo_type: "model", repo_id: "org/model", revision: "main" } }]);
  });

  it("Open folder and Scan cache call Rust", async () => {
    const rust = new FakeRust({ library_list: () => [model()], library_open_folder: () => null, library_scan: () => 3 });
    app = await startApp(rust);
    await loaded();
    row("org/model").querySelector<HTMLButtonElement>('button[data-action="open"]')!.click();
    q<HTMLButtonElement>("#scan-cache").click();
    await vi.waitFor(() => expect(text("#toast")).toBe("Scan found 3 repositories in the cache."));
    expect(rust.callsOf("library_open_folder")).toHaveLength(1);
  });

  it("an empty library says how to add a repository", async () => {
    const rust = new FakeRust();
    app = await startApp(rust);
    await vi.waitFor(() => expect(document.querySelector('[data-screen="library"] .empty-state')).not.toBeNull());
    expect(text('[data-screen="library"] .empty-state')).toContain("openai-community/gpt2");
  });
});
