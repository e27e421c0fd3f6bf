// Which files of a plan the user keeps. Pure state, no DOM: the sheet renders it, the tests poke it.
import type { PlanFileView } from "../generated/types";
import { filterWants, parseFilter, type Filter } from "../lib/glob";

/** Escapes a literal path so the core's glob matcher matches exactly that file. */
export function literalPattern(path: string): string {
  return path.replace(/[*?[\]{}\\]/g, (ch) => `\\${ch}`);
}

export class Selection {
  readonly files: readonly PlanFileView[];
  private checked: Set<string>;
  private filter: Filter = { include: [], exclude: [] };
  /** The user ticked or unticked a file by hand since the filter last changed. */
  private handEdited = false;

  constructor(files: readonly PlanFileView[]) {
    this.files = files;
    this.checked = new Set(files.map((f) => f.path));
  }

  isChecked(path: string): boolean {
    return this.checked.has(path);
  }

  /** Applies the filter box: matching files get ticked, the others unticked. Empty: everything. */
  setFilter(text: string): void {
    this.filter = parseFilter(text);
    this.checked = new Set(this.files.filter((f) => filterWants(this.filter, f.path)).map((f) => f.path));
    this.handEdited = false;
  }

  matchesFilter(path: string): boolean {
    return filterWants(this.filter, path);
  }

  get filtering(): boolean {
    return this.filter.include.length > 0 || this.filter.exclude.length > 0;
  }

  set(path: string, on: boolean): void {
    if (on) this.checked.add(path);
    else this.checked.delete(path);
    this.handEdited = true;
  }

  selectAll(): void {
    this.checked = new Set(this.files.map((f) => f.path));
    this.handEdited = true;
  }

  selectNone(): void {
    this.checked.clear();
    this.handEdited = true;
  }

  get count(): number {
    return this.checked.size;
  }

  get allKept(): boolean {
    return this.checked.size === this.files.length;
  }

  /** What start_download takes: the exact paths kept, or none at all when every file is kept. */
  keptPaths(): string[] {
    if (this.allKept) return [];
    return this.files.filter((f) => this.checked.has(f.path)).map((f) => f.path);
  }

  /** Bytes the selection will fetch; files already on disk cost nothing. */
  bytesToFetch(): number {
    return this.files.filter((f) => this.checked.has(f.path) && !f.present).reduce((sum, f) => sum + f.size, 0);
  }

  bytesSelected(): number {
    return this.files.filter((f) => this.checked.has(f.path)).reduce((sum, f) => sum + f.size, 0);
  }

  /**
   * The include/exclude patterns a schedule needs to fetch this same selection later: the filter's
   * own patterns when the ticks are the filter's, exact paths when the user picked files by hand
   * (new files in later commits then stay out, which is what picking by hand means).
   */
  patterns(): Filter {
    if (this.allKept && !this.filtering) return { include: [], exclude: [] };
    if (!this.handEdited) return { include: [...this.filter.include], exclude: [...this.filter.exclude] };
    if (this.allKept) return { include: [], exclude: [] };
    return { include: this.keptPaths().map(literalPattern), exclude: [] };
  }
}
