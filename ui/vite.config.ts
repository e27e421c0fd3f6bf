// Build and test configuration of the desktop window's page. The page is served from ui/ and bundled
// into ui/dist, which the Tauri binary embeds.
/// <reference types="vitest/config" />
import { defineConfig } from "vite";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL(".", import.meta.url));

export default defineConfig({
  root,
  clearScreen: false,
  // `tauri dev` loads the page from here; a fixed port so the Rust side can name it.
  server: { port: 1420, strictPort: true, host: "127.0.0.1" },
  envPrefix: ["VITE_", "TAURI_ENV_"],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // WebKitGTK on older distributions is roughly Safari 13.
    target: "safari13",
    // Everything is bundled: the CSP allows nothing from outside the app.
    assetsInlineLimit: 0,
    minify: process.env.TAURI_ENV_DEBUG ? false : "esbuild",
    sourcemap: !!process.env.TAURI_ENV_DEBUG,
  },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.ts"],
  },
});
