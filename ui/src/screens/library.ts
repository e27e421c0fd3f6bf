// The library: every repository on disk with its revision, size and state, and what can be done to
// one (open, verify, update, remove). Removal always goes through a confirmation that says, from
// Rust's own plan, how much space and which revisions go.
import { api, errorMessage } from "../api";
import type { ModelView, RepoKey, VerifyView } from "../generated/types";
import { ConfirmDialog } from "../lib/confirm";
import { append, button, h, replace } from "../lib/dom";
import { humanBytes, plural, relativeTime, repoLabel, shortCommit } from "../lib/format";
import { toast } from "../lib/toast";
import { screenSection, type Screen } from "./screen";

/** The label with break opportunities after each `/`, so long names wrap between their parts. */
function breakable(label: string): Array<string | HTMLElement> {
  return label.split("/").flatMap((part, i) => (i === 0 ? [part] : [h("wbr"), `/${part}`]));
}

function rowKey(m: ModelView): string {
  return `${m.repo_type}:${m.repo_id}@${m.revision}`;
}

type VerifyState = { running: true } | { running: false; result: VerifyView } | { running: false; error: string };

export class LibraryScreen implements Screen {
  readonly name = "library" as const;
  readonly label = "Library";
  readonly element: HTMLElement;
  private readonly body: HTMLElement;
  private readonly summary: HTMLElement;
  private readonly checkButton: HTMLButtonElement;
  private readonly scanButton: HTMLButtonElement;
  private readonly confirm: ConfirmDialog;
  private rows: ModelView[] = [];
  private loaded = false;
  private visible = false;
  private readonly verify = new Map<string, VerifyState>();
  /** Rows the user acts on right now; their buttons stay disabled until Rust answers. */
  private readonly busy = new Set<string>();
  /** What the last check found, so a plain reload does not hide it while the commit is unchanged. */
  private readonly updates = new Map<string, { commit: string; update: string }>();

  constructor(confirm: ConfirmDialog) {
    this.confirm = confirm;
    const { section, header } = screenSection("library", "Library");
    this.element = section;
    this.summary = h("p", { class: "muted screen-summary" });
    this.checkButton = button("Check for updates", { id: "check-updates" }, () => void this.checkUpdates());
    this.scanButton = button("Scan cache", { id: "scan-cache", title: "Find repositories other tools put in the Hugging Face cache" }, () =>
      void this.scan(),
    );
    append(header, this.summary, h("div", { class: "tools" }, this.checkButton, this.scanButton));
    this.body = h("div", { class: "screen-body" });
    append(section, this.body);
  }

  shown(): void {
    this.visible = true;
    void this.refresh();
  }

  hidden(): void {
    this.visible = false;
  }

  /** Rust said the library changed: reload now if it shows, else on the next visit. */
  changed(): void {
    if (this.visible) void this.refresh();
  }

  async refresh(): Promise<void> {
    try {
      this.render(await api.libraryList());
    } catch (err) {
      this.renderError(errorMessage(err));
    }
  }

  render(input: ModelView[]): void {
    const rows = input.map((row) => {
      const known = this.updates.get(rowKey(row));
      return !row.update_available && known && known.commit === row.commit
        ? { ...row, update_available: known.update }
        : row;
    });
    this.rows = rows;
    this.loaded = true;
    const total = rows.reduce((sum, r) => sum + r.size_bytes, 0);
    this.summary.textContent = rows.length
      ? `${plural(new Set(rows.map((r) => `${r.repo_type}:${r.repo_id}`)).size, "repository", "repositories")} · ${humanBytes(total)}`
      : "";
    if (!rows.length) {
      replace(this.body, this.emptyState());
      return;
    }
    const table = h(
      "table",
      { class: "library-table" },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          h("th", { scope: "col" }, "Repository"),
          h("th", { scope: "col" }, "Revision"),
          h("th", { scope: "col", class: "col-commit" }, "Commit"),
          h("th", { scope: "col", class: "num" }, "Size"),
          h("th", { scope: "col" }, "State"),
          h("th", { scope: "col" }, "Updated"),
          h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, "Actions")),
        ),
      ),
      h("tbody", {}, ...rows.flatMap((row) => this.renderRow(row))),
    );
    replace(this.body, table);
  }

  private renderRow(m: ModelView): HTMLElement[] {
    const key = rowKey(m);
    const busy = this.busy.has(key);
    const verify = this.verify.get(key);
    const tr = h(
      "tr",
      { class: "model", "data-repo-id": m.repo_id, "data-repo-type": m.repo_type, "data-revision": m.revision },
      h(
        "td",
        { class: "model-repo" },
        h("span", { class: "repo-name", title: m.location }, ...breakable(repoLabel(m.repo_type, m.repo_id))),
        m.location_kind === "local_dir" ? h("span", { class: "tag", title: m.location }, "folder") : null,
        m.update_available
          ? h("span", { class: "badge badge-accent model-update", title: `New commit ${m.update_available}` }, "update available")
          : null,
      ),
      h("td", {}, h("code", { title: `commit ${m.commit}` }, m.revision)),
      h("td", { class: "col-commit" }, h("code", { title: m.commit }, shortCommit(m.commit))),
      h("td", { class: "num" }, humanBytes(m.size_bytes)),
      h("td", {}, h("span", { class: `model-state state state-${m.state}` }, m.state)),
      h("td", { title: m.updated_ms ? new Date(m.updated_ms).toLocaleString() : "" }, relativeTime(m.updated_ms)),
      h(
        "td",
        { class: "actions-cell" },
        h(
          "div",
          { class: "row-actions" },
          button("Open", { "data-action": "open", title: "Open the folder", disabled: busy }, () => void this.open(m)),
          button("Verify", { "data-action": "verify", title: "Re-hash the files against the Hub", disabled: busy }, () =>
            void this.runVerify(m),
          ),
          m.update_available
            ? button("Update", { "data-action": "update", class: "primary", disabled: busy }, () => void this.update(m))
            : null,
          button("Remove", { "data-action": "remove", class: "danger-quiet", disabled: busy }, () => void this.remove(m)),
        ),
      ),
    );
    const out = [tr];
    if (verify) {
      out.push(
        h("tr", { class: "model-detail" }, h("td", { colspan: 7 }, this.renderVerify(verify))),
      );
    }
    return out;
  }

  private renderVerify(state: VerifyState): HTMLElement {
    if (state.running) return h("p", { class: "model-verify muted" }, "Verifying… every file is re-hashed, this can take a while.");
    if ("error" in state) return h("p", { class: "model-verify error" }, `Verify failed: ${state.error}`);
    const r = state.result;
    if (r.ok) return h("p", { class: "model-verify ok" }, `✓ All ${plural(r.files_checked, "file")} match the Hub's hashes.`);
    const list = (title: string, paths: string[]) =>
      paths.length ? h("li", {}, `${title} (${paths.length}): `, h("span", { class: "path" }, paths.join(", "))) : null;
    return h(
      "div",
      { class: "model-verify bad" },
      h("p", {}, `${plural(r.files_checked, "file")} checked — problems found:`),
      h("ul", {}, list("Corrupt", r.corrupt), list("Missing", r.missing), list("Not in the repository", r.extra)),
      h("p", { class: "muted" }, "Update or download the repository again to repair it."),
    );
  }

  private emptyState(): HTMLElement {
    return h(
      "div",
      { class: "empty-state" },
      h("h2", {}, "Your library is empty"),
      h(
        "p",
        {},
        "Type a repository such as ",
        h("code", {}, "openai-community/gpt2"),
        " in the field at the top, paste a Hub link anywhere with Ctrl+V, or drop one on this window.",
      ),
      h("p", { class: "muted" }, "Already have models in the Hugging Face cache? Use Scan cache to list them here."),
    );
  }

  private renderError(message: string): void {
    if (this.loaded) toast(message, "error");
    else replace(this.body, h("p", { class: "error" }, message));
  }

  /**
   * The repository a row stands for. The only row of a repository removes the whole repository; with
   * several revisions listed, each row stands for its own revision.
   */
  private key(m: ModelView, forRemoval = false): RepoKey {
    const siblings = this.rows.filter((r) => r.repo_type === m.repo_type && r.repo_id === m.repo_id).length;
    return { repo_type: m.repo_type, repo_id: m.repo_id, revision: forRemoval && siblings === 1 ? null : m.revision };
  }

  private async withBusy(m: ModelView, work: () => Promise<void>): Promise<void> {
    const key = rowKey(m);
    this.busy.add(key);
    this.render(this.rows);
    try {
      await work();
    } catch (err) {
      toast(errorMessage(err), "error");
    } finally {
      this.busy.delete(key);
      this.render(this.rows);
    }
  }

  private async open(m: ModelView): Promise<void> {
    try {
      await api.libraryOpenFolder(this.key(m));
    } catch (err) {
      toast(errorMessage(err), "error");
    }
  }

  private async runVerify(m: ModelView): Promise<void> {
    const key = rowKey(m);
    this.verify.set(key, { running: true });
    await this.withBusy(m, async () => {
      try {
        this.verify.set(key, { running: false, result: await api.libraryVerify(this.key(m)) });
      } catch (err) {
        this.verify.set(key, { running: false, error: errorMessage(err) });
      }
    });
  }

  private async update(m: ModelView): Promise<void> {
    await this.withBusy(m, async () => {
      const job = await api.libraryUpdate(this.key(m));
      toast(`Updating ${repoLabel(m.repo_type, m.repo_id)} (job ${job}).`);
    });
  }

  private async remove(m: ModelView): Promise<void> {
    const key = this.key(m, true);
    const label = repoLabel(m.repo_type, m.repo_id);
    let plan;
    try {
      plan = await api.libraryPlanRemove(key);
    } catch (err) {
      toast(errorMessage(err), "error");
      return;
    }
    const what = key.revision === null ? label : `${label} at ${key.revision}`;
    const ok = await this.confirm.ask({
      title: `Remove ${what}?`,
      text:
        `This frees ${humanBytes(plan.bytes_freed)} — ${plural(plan.files, "file")}` +
        (plan.revisions.length ? `, ${plural(plan.revisions.length, "revision")}: ${plan.revisions.join(", ")}.` : "."),
      details: [
        h("p", { class: "muted" }, "Files other revisions still use stay on disk. This cannot be undone."),
      ],
      ok: "Remove",
    });
    if (!ok) return;
    await this.withBusy(m, async () => {
      const done = await api.libraryRemove(key);
      toast(`Removed ${what}: ${humanBytes(done.bytes_freed)} freed.`);
      this.verify.delete(rowKey(m));
      await this.refresh();
    });
  }

  private async checkUpdates(): Promise<void> {
    this.checkButton.disabled = true;
    this.checkButton.textContent = "Checking…";
    try {
      const rows = await api.libraryCheckUpdates();
      this.updates.clear();
      for (const row of rows) {
        if (row.update_available) this.updates.set(rowKey(row), { commit: row.commit, update: row.update_available });
      }
      this.render(rows);
      const n = rows.filter((r) => r.update_available).length;
      toast(n ? `${plural(n, "update")} available.` : "Everything is up to date.");
    } catch (err) {
      toast(errorMessage(err), "error");
    } finally {
      this.checkButton.disabled = false;
      this.checkButton.textContent = "Check for updates";
    }
  }

  private async scan(): Promise<void> {
    this.scanButton.disabled = true;
    try {
      const found = await api.libraryScan();
      toast(`Scan found ${plural(found, "repository", "repositories")} in the cache.`);
      await this.refresh();
    } catch (err) {
      toast(errorMessage(err), "error");
    } finally {
      this.scanButton.disabled = false;
    }
  }
}
