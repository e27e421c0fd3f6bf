#!/usr/bin/env bash
# Runs every test of the project on a fresh Debian/Ubuntu machine: installs what is missing, then
# format and lint checks, the core's no-UI dependency rule, the front-end's unit tests, the Rust tests
# (unit and integration, against the loopback fakehub; the keyring round trip against a throwaway GNOME
# Keyring; desktop notifications against a real notification daemon; the app's generated TypeScript types
# checked current), the interop tests with the real huggingface_hub, and the desktop app end to end through
# its real webview in a headless desktop session.
# Safe to run again: each step skips what is already in place.

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

ensure_apt_packages "${APP_PACKAGES[@]}"
ensure_rust
ensure_node
ensure_venv
ensure_npm_packages
ensure_tauri_driver

# The app embeds ui/dist, so the front-end is built before any Rust is compiled.
build_ui
say "front-end unit tests"
npm test --silent

say "formatting"
cargo fmt --all -- --check

say "lint"
cargo clippy --workspace --all-targets --locked -- -D warnings

say "the core depends on no UI crate"
ui_crates='^(tauri|tauri-[a-z-]+|clap|clap_[a-z]+|indicatif|console|wry|tao|gtk|webkit2gtk|ratatui|crossterm|dialoguer) '
if cargo tree -p haul -e normal --prefix none --locked | grep -E "$ui_crates"; then
  echo "the core library (crates/haul) must not depend on the UI crates above" >&2
  exit 1
fi

say "build"
cargo build --workspace --all-targets --locked

# Inside a private D-Bus session with a throwaway, unlocked GNOME Keyring and a notification daemon (dunst
# on a private Xvfb, its D-Bus traffic logged): the keyring and notification tests use the real services
# (and fail, not skip, without them).
say "Rust tests"
in_session=(scripts/with-keyring.sh scripts/with-notifications.sh)
if cargo nextest --version >/dev/null 2>&1; then
  "${in_session[@]}" cargo nextest run --workspace --locked --no-fail-fast
else
  "${in_session[@]}" cargo test --workspace --locked --no-fail-fast
fi
# Doc tests (nextest does not run them).
cargo test --workspace --doc --locked

say "interop tests with the real huggingface_hub"
FAKEHUB_BIN="$BUILD/fakehub" HAUL_BIN="$BUILD/haul" \
  "$VENV/bin/python" -m pytest -q tests/interop

say "every command of the user guide, as written"
HAUL_BIN="$BUILD/haul" FAKEHUB_BIN="$BUILD/fakehub" docs/guide/check-commands.sh

say "the .deb package (from the debug build above)"
HAUL_CLI_PREBUILT=1 npx --no-install tauri bundle --debug --bundles deb --no-binary-patching
deb="$(ls -t "$BUILD"/bundle/deb/*.deb | head -n 1)"

say "the desktop app end to end (real webview, keyring, notification daemon, tray host) and its package"
HAUL_DESKTOP_BIN="$BUILD/haul-desktop" HAUL_BIN="$BUILD/haul" FAKEHUB_BIN="$BUILD/fakehub" HAUL_DEB="$deb" \
  tests/e2e/session.sh "$VENV/bin/python" -m pytest -q tests/e2e
