// File patterns as Haul's core reads them (the Python client's `allow_patterns`): `*` also crosses `/`,
// `?` is one character, `[abc]`/`[!abc]` a class, `{a,b}` alternatives, and a trailing `/` means
// everything below that folder. Matching is case-sensitive, as in the core, so the sheet never shows a
// selection a schedule with the same patterns would not download.

function escapeRegExp(ch: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(ch) ? `\\${ch}` : ch;
}

export function globToRegExp(pattern: string): RegExp {
  const text = pattern.endsWith("/") ? `${pattern}*` : pattern;
  let out = "";
  let depth = 0; // inside {…}
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === "*") {
      while (text[i + 1] === "*") i++;
      out += ".*";
    } else if (ch === "?") {
      out += ".";
    } else if (ch === "[") {
      const end = text.indexOf("]", i + 2);
      if (end === -1) {
        out += "\\[";
        continue;
      }
      let body = text.slice(i + 1, end);
      const negate = body.startsWith("!") || body.startsWith("^");
      if (negate) body = body.slice(1);
      out += `[${negate ? "^" : ""}${body.replace(/\\/g, "\\\\").replace(/]/g, "\\]")}]`;
      i = end;
    } else if (ch === "{") {
      depth++;
      out += "(?:";
    } else if (ch === "}" && depth > 0) {
      depth--;
      out += ")";
    } else if (ch === "," && depth > 0) {
      out += "|";
    } else if (ch === "\\" && i + 1 < text.length) {
      i++;
      out += escapeRegExp(text[i]);
    } else {
      out += escapeRegExp(ch);
    }
  }
  while (depth-- > 0) out += ")";
  return new RegExp(`^${out}$`);
}

export function matchesAny(path: string, patterns: readonly string[]): boolean {
  return patterns.some((p) => globToRegExp(p).test(path));
}

/** Splits a list typed by hand at commas and blanks, but not inside `{a,b}`. */
export function splitPatterns(text: string): string[] {
  const out: string[] = [];
  let current = "";
  let depth = 0;
  for (const ch of text) {
    if (ch === "{") depth++;
    if (ch === "}" && depth > 0) depth--;
    if (depth === 0 && (ch === "," || /\s/.test(ch))) {
      if (current) out.push(current);
      current = "";
    } else {
      current += ch;
    }
  }
  if (current) out.push(current);
  return out;
}

export interface Filter {
  include: string[];
  exclude: string[];
}

/**
 * The sheet's single filter box: plain patterns are includes (a file is kept when it matches any of
 * them, as `--include` works), `!*.bin` or `-*.bin` are excludes. Only excludes means "everything but
 * these".
 */
export function parseFilter(text: string): Filter {
  const include: string[] = [];
  const exclude: string[] = [];
  for (const token of splitPatterns(text)) {
    if ((token.startsWith("!") || token.startsWith("-")) && token.length > 1) exclude.push(token.slice(1));
    else include.push(token);
  }
  return { include, exclude };
}

export function filterWants(filter: Filter, path: string): boolean {
  if (filter.include.length && !matchesAny(path, filter.include)) return false;
  return !matchesAny(path, filter.exclude);
}
