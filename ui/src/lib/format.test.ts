// Numbers as people read them.
import { describe, expect, it } from "vitest";
import { humanBytes, humanDuration, humanSpeed, relativeTime, repoLabel, shortCommit } from "./format";

describe("format", () => {
  it("sizes in decimal units with at most three digits", () => {
    expect(humanBytes(0)).toBe("0 B");
    expect(humanBytes(999)).toBe("999 B");
    expect(humanBytes(1_234_000_000)).toBe("1.2 GB");
    expect(humanBytes(12_500_000_000)).toBe("12.5 GB");
    expect(humanBytes(125_000_000_000)).toBe("125 GB");
    expect(humanBytes(5_000_000_000)).toBe("5 GB");
    expect(humanBytes(null)).toBe("—");
    expect(humanSpeed(12_300_000)).toBe("12.3 MB/s");
    expect(humanSpeed(0)).toBe("—");
  });

  it("durations in words", () => {
    expect(humanDuration(45)).toBe("45 s");
    expect(humanDuration(130)).toBe("2 min 10 s");
    expect(humanDuration(120)).toBe("2 min");
    expect(humanDuration(3900)).toBe("1 h 5 min");
    expect(humanDuration(2 * 86400 + 3 * 3600)).toBe("2 d 3 h");
    expect(humanDuration(null)).toBe("—");
  });

  it("times relative to now", () => {
    const now = Date.UTC(2026, 0, 10, 12, 0, 0);
    expect(relativeTime(now - 10_000, now)).toBe("just now");
    expect(relativeTime(now - 3 * 60_000, now)).toBe("3 min ago");
    expect(relativeTime(now - 5 * 3_600_000, now)).toBe("5 h ago");
    expect(relativeTime(now - 86_400_000, now)).toBe("yesterday");
    expect(relativeTime(now - 4 * 86_400_000, now)).toBe("4 days ago");
    expect(relativeTime(0, now)).toBe("never");
  });

  it("repositories and commits", () => {
    expect(repoLabel("model", "org/m")).toBe("org/m");
    expect(repoLabel("dataset", "org/d")).toBe("datasets/org/d");
    expect(repoLabel("space", "org/s")).toBe("spaces/org/s");
    expect(shortCommit("0123456789abcdef")).toBe("0123456");
  });
});
