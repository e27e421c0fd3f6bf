// How numbers read on screen: sizes in decimal units like the Hub shows them (1.2 GB), times relative
// to now (3 min ago), durations in words (2 min 10 s).

const UNITS = ["B", "kB", "MB", "GB", "TB", "PB"];

export function humanBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes) || bytes < 0) return "—";
  if (bytes < 1000) return `${Math.round(bytes)} B`;
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit += 1;
  }
  // Three significant digits at most: 1.2 GB, 12.5 GB, 125 GB.
  const text = value >= 100 ? value.toFixed(0) : value.toFixed(1);
  return `${text.replace(/\.0$/, "")} ${UNITS[unit]}`;
}

export function humanSpeed(bytesPerSecond: number | null | undefined): string {
  if (!bytesPerSecond || bytesPerSecond <= 0) return "—";
  return `${humanBytes(bytesPerSecond)}/s`;
}

/** 45 s, 2 min 10 s, 1 h 5 min, 2 d 3 h. */
export function humanDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return "—";
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const minutes = Math.floor(s / 60);
  if (minutes < 60) {
    const rest = s % 60;
    return rest ? `${minutes} min ${rest} s` : `${minutes} min`;
  }
  const hours = Math.floor(minutes / 60);
  if (hours < 24) {
    const rest = minutes % 60;
    return rest ? `${hours} h ${rest} min` : `${hours} h`;
  }
  const days = Math.floor(hours / 24);
  const rest = hours % 24;
  return rest ? `${days} d ${rest} h` : `${days} d`;
}

/** "just now", "3 min ago", "5 h ago", "yesterday", "4 days ago", then the date. */
export function relativeTime(ms: number | null | undefined, now: number = Date.now()): string {
  if (!ms) return "never";
  const diff = Math.round((now - ms) / 1000);
  if (diff < 0) return absoluteTime(ms);
  if (diff < 45) return "just now";
  if (diff < 3600) return `${Math.max(1, Math.round(diff / 60))} min ago`;
  if (diff < 86400) return `${Math.round(diff / 3600)} h ago`;
  const days = Math.round(diff / 86400);
  if (days === 1) return "yesterday";
  if (days < 30) return `${days} days ago`;
  return absoluteTime(ms).slice(0, 10);
}

/** 2026-03-04 17:05, local time. */
export function absoluteTime(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function clockTime(ms: number): string {
  return absoluteTime(ms).slice(11);
}

export function shortCommit(commit: string | null | undefined): string {
  return commit ? commit.slice(0, 7) : "—";
}

/** `org/name` for models, `datasets/org/name` and `spaces/org/name` for the others, like the Hub's URLs. */
export function repoLabel(repoType: string, repoId: string): string {
  if (repoType === "dataset") return `datasets/${repoId}`;
  if (repoType === "space") return `spaces/${repoId}`;
  return repoId;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function percent(done: number, total: number): number {
  if (!total || total <= 0) return 0;
  return Math.min(100, Math.max(0, (done / total) * 100));
}
