#!/usr/bin/env bash
# Builds the desktop app and starts it. It downloads from the Hub set by HF_ENDPOINT (huggingface.co by
# default) into the standard Hugging Face cache.
#   scripts/app.sh           # the app
#   scripts/app.sh --demo    # the app against a local test Hub serving demo repositories (try fakehub/demo-model)
# Installs what is missing first (Debian packages, npm packages); safe to run again.

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

ensure_apt_packages "${APP_PACKAGES[@]}"
ensure_rust
ensure_node
ensure_npm_packages
build_ui
say "building the app"
cargo build --locked -p haul-desktop -p fakehub >&2

if [ "${1:-}" = "--demo" ]; then
  shift
  scratch="$(mktemp -d)"
  "$BUILD/fakehub" --demo > "$scratch/hub.json" &
  hub_pid=$!
  trap 'kill $hub_pid 2>/dev/null || true' EXIT
  for _ in $(seq 50); do [ -s "$scratch/hub.json" ] && break; sleep 0.1; done
  HF_ENDPOINT="$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["hub"])' "$scratch/hub.json")"
  export HF_ENDPOINT HF_HOME="$scratch/hf" HAUL_HOME="$scratch/haul"
  say "a test Hub serves demo repositories at $HF_ENDPOINT (paste fakehub/demo-model); cache: $HF_HOME"
fi
if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  echo "No display: the app needs a desktop session (or run it under xvfb-run)." >&2
  exit 1
fi
"$BUILD/haul-desktop" "$@"
