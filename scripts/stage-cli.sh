#!/usr/bin/env bash
# Run by the Tauri bundler before it packs the .deb (tauri.conf.json: beforeBundleCommand): puts the
# `haul` CLI, built with the same profile as the app, where the package's files list takes it from.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"
if [ "${TAURI_ENV_DEBUG:-false}" = "true" ]; then
  profile=debug
  # scripts/test.sh has just built every binary of the workspace: take that one as it is.
  [ -n "${HAUL_CLI_PREBUILT:-}" ] || cargo build --locked -p haul-cli --manifest-path "$root/Cargo.toml"
else
  profile=release
  cargo build --locked --release -p haul-cli --manifest-path "$root/Cargo.toml"
fi
mkdir -p "$root/target/deb-staging"
cp "$target/$profile/haul" "$root/target/deb-staging/haul"
