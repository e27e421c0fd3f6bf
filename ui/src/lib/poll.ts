// Refreshing a screen on a timer while it is shown: one run at a time (a slow answer never piles up
// calls behind it), stopped the moment the screen goes away.

export class Poller {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running = false;
  private readonly task: () => Promise<unknown>;
  private readonly intervalMs: number;

  constructor(task: () => Promise<unknown>, intervalMs: number) {
    this.task = task;
    this.intervalMs = intervalMs;
  }

  get active(): boolean {
    return this.running;
  }

  /** Runs the task now, then every interval after each run finishes. */
  start(): void {
    if (this.running) return;
    this.running = true;
    void this.tick();
  }

  stop(): void {
    this.running = false;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async tick(): Promise<void> {
    try {
      await this.task();
    } catch {
      // The screen shows its own errors; the timer keeps going so a passing failure heals itself.
    }
    if (this.running) this.timer = setTimeout(() => void this.tick(), this.intervalMs);
  }
}

/** Calls `fn` once `ms` after the last of a burst of calls. */
export function debounce<A extends unknown[]>(fn: (...args: A) => void, ms: number): ((...args: A) => void) & {
  cancel(): void;
} {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const debounced = (...args: A) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
  debounced.cancel = () => clearTimeout(timer);
  return debounced;
}
