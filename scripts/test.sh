#!/usr/bin/env bash
# Runs every test of the project on a fresh Debian/Ubuntu machine: installs what is missing, then
# format and lint checks, the core's no-UI dependency rule, the Rust tests (unit and integration,
# against the loopback fakehub; the keyring round trip against a throwaway GNOME Keyring; desktop
# notifications against a real notification daemon), and the interop tests with the real huggingface_hub.
# Safe to run again: each step skips what is already in place.

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

ensure_apt_packages
ensure_rust
ensure_venv

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
FAKEHUB_BIN="$ROOT/target/debug/fakehub" HAUL_BIN="$ROOT/target/debug/haul" \
  "$VENV/bin/python" -m pytest -q tests/interop
