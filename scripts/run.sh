#!/usr/bin/env bash
# Builds Haul and runs it. With arguments, they go to the `haul` command as they are, e.g.
#   scripts/run.sh download openai-community/gpt2
# Without arguments, a demonstration: a local test Hub is started and a demo repository is
# downloaded from it into a scratch Hugging Face cache, with progress bars, then again (nothing to
# fetch), then checked by its dry-run plan.
# Safe to run again.

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

ensure_apt_packages
ensure_rust

say "building haul (release)"
cargo build --release --locked -p haul-cli -p fakehub >&2

if [ $# -gt 0 ]; then
  exec "$ROOT/target/release/haul" "$@"
fi

scratch="$(mktemp -d)"
hub_log="$scratch/fakehub.json"
"$ROOT/target/release/fakehub" --demo --faults '{"bandwidth_per_conn": 1500000}' > "$hub_log" &
hub_pid=$!
trap 'kill $hub_pid 2>/dev/null || true' EXIT
for _ in $(seq 50); do [ -s "$hub_log" ] && break; sleep 0.1; done
endpoint="$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["hub"])' "$hub_log")"

export HF_ENDPOINT="$endpoint" HF_HOME="$scratch/hf"
say "a test Hub is serving at $HF_ENDPOINT; the Hugging Face cache is $HF_HOME"
say "haul download fakehub/demo-model --dry-run"
"$ROOT/target/release/haul" download fakehub/demo-model --dry-run
say "haul download fakehub/demo-model"
"$ROOT/target/release/haul" download fakehub/demo-model
say "haul download fakehub/demo-model (again: nothing to fetch)"
"$ROOT/target/release/haul" download fakehub/demo-model
say "the cache, as every Hugging Face tool sees it:"
find "$HF_HOME/hub" -maxdepth 4 | sed "s|$HF_HOME/||" | sort
