// Patterns match as in Haul's core, so the sheet and a schedule agree on which files a pattern means.
import { describe, expect, it } from "vitest";
import { globToRegExp, parseFilter, splitPatterns } from "./glob";

const m = (pattern: string, path: string) => globToRegExp(pattern).test(path);

describe("glob", () => {
  it("* crosses folders, ? is one character, classes and alternatives work", () => {
    expect(m("*.gguf", "q/model.Q4_K_M.gguf")).toBe(true);
    expect(m("*Q4_K_M*", "model.Q4_K_M.gguf")).toBe(true);
    expect(m("*Q4_K_M*", "model.Q4_K_S.gguf")).toBe(false);
    expect(m("model-0000?.safetensors", "model-00001.safetensors")).toBe(true);
    expect(m("*.[jt]s", "a.ts")).toBe(true);
    expect(m("*.[!jt]s", "a.ts")).toBe(false);
    expect(m("*.{json,txt}", "config.json")).toBe(true);
    expect(m("onnx/", "onnx/model.onnx")).toBe(true);
    expect(m("model.(1).bin", "model.(1).bin")).toBe(true);
  });

  it("is case-sensitive, like the core", () => {
    expect(m("*q4_k_m*", "model.Q4_K_M.gguf")).toBe(false);
  });

  it("splits lists at commas and blanks, not inside braces", () => {
    expect(splitPatterns("*.json, *.{safetensors,bin}  README.md")).toEqual(["*.json", "*.{safetensors,bin}", "README.md"]);
    expect(parseFilter("*.gguf !*Q8* -*.bin")).toEqual({ include: ["*.gguf"], exclude: ["*Q8*", "*.bin"] });
  });
});
