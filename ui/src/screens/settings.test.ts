// Settings and account: the form maps onto SettingsView field by field, and the token never lingers.
import { afterEach, describe, expect, it, vi } from "vitest";
import type { App } from "../app";
import type { SettingsView } from "../generated/types";
import { FakeRust, isShown, q, settings, startApp, teardown, text, type } from "../test/harness";

let app: App | null = null;
afterEach(() => {
  teardown(app);
  app = null;
});

async function openSettings(): Promise<void> {
  q<HTMLButtonElement>('button[data-nav="settings"]').click();
  await vi.waitFor(() => expect(q<HTMLInputElement>('[name="cache_dir"]').value).toBe("/cache/hub"));
}

describe("settings", () => {
  it("fills the form from settings_get and saves every field with its type", async () => {
    const rust = new FakeRust({ settings_save: (a) => a.settings });
    app = await startApp(rust);
    await openSettings();
    expect(q<HTMLInputElement>('[name="notify_update_available"]').checked).toBe(false);
    expect(q<HTMLInputElement>('[name="close_to_tray"]').checked).toBe(true);

    type(q<HTMLInputElement>('[name="connections_per_file"]'), "4");
    type(q<HTMLInputElement>('[name="bandwidth_limit"]'), "20M");
    q<HTMLInputElement>('[name="start_at_login"]').checked = true;
    q<HTMLButtonElement>("#settings-save").click();
    await vi.waitFor(() => expect(rust.callsOf("settings_save")).toHaveLength(1));
    const sent: SettingsView = { ...settings, connections_per_file: 4, bandwidth_limit: "20M", start_at_login: true };
    expect(rust.callsOf("settings_save")[0]).toEqual({ settings: sent });
  });

  it("shows Rust's error next to the form, and refuses a count that is not a whole number", async () => {
    const rust = new FakeRust({
      settings_save: () => {
        throw { kind: "input", message: "endpoint must be an http(s) URL" };
      },
    });
    app = await startApp(rust);
    await openSettings();
    type(q<HTMLInputElement>('[name="max_concurrent_files"]'), "0");
    q<HTMLButtonElement>("#settings-save").click();
    expect(text("#settings-error")).toBe("Files at once must be a whole number, 1 or more.");
    expect(rust.callsOf("settings_save")).toHaveLength(0);

    type(q<HTMLInputElement>('[name="max_concurrent_files"]'), "2");
    type(q<HTMLInputElement>('[name="endpoint"]'), "ftp://mirror");
    q<HTMLButtonElement>("#settings-save").click();
    await vi.waitFor(() => expect(text("#settings-error")).toBe("endpoint must be an http(s) URL"));
  });

  it("logs in with the token, clears the field and shows who it belongs to; notes a missing keyring", async () => {
    const rust = new FakeRust({
      account_status: () => ({ source: null, user: null, keyring_available: false, note: null }),
      account_login: () => ({ source: "token file", user: "alice", keyring_available: false, note: null }),
      account_logout: () => ({ source: null, user: null, keyring_available: false, note: null }),
    });
    app = await startApp(rust);
    await openSettings();
    await vi.waitFor(() => expect(text("#account-user")).toBe("Not logged in — public repositories only"));
    expect(isShown(q("#account-note"))).toBe(true);
    expect(text("#account-note")).toContain("token file");
    expect(q<HTMLInputElement>("#token-input").type).toBe("password");

    type(q<HTMLInputElement>("#token-input"), "hf_secret");
    q<HTMLButtonElement>("#token-save").click();
    expect(q<HTMLInputElement>("#token-input").value).toBe("");
    await vi.waitFor(() => expect(text("#account-user")).toBe("Logged in as alice"));
    expect(rust.callsOf("account_login")).toEqual([{ token: "hf_secret" }]);
    expect(document.body.textContent).not.toContain("hf_secret");

    q<HTMLButtonElement>("#logout").click();
    await vi.waitFor(() => expect(rust.callsOf("account_logout")).toHaveLength(1));
    await vi.waitFor(() => expect(text("#account-user")).toBe("Not logged in — public repositories only"));
  });

  it("a refused token shows the reason and still clears the field", async () => {
    const rust = new FakeRust({
      account_login: () => {
        throw { kind: "auth", message: "the Hub refused this token (401)" };
      },
    });
    app = await startApp(rust);
    await openSettings();
    type(q<HTMLInputElement>("#token-input"), "hf_wrong");
    q<HTMLButtonElement>("#token-save").click();
    await vi.waitFor(() => expect(text("#account-error")).toBe("the Hub refused this token (401)"));
    expect(q<HTMLInputElement>("#token-input").value).toBe("");
  });
});
