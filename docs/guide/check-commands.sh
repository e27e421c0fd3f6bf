#!/usr/bin/env bash
# Runs every example line of the user guide that starts with `$ ` (inside a fenced block), exactly as
# written, against a fresh demo fakehub with a scratch HOME, HF_HOME and HAUL_HOME, page after page in
# the order of index.md. A line must exit 0 unless it ends with a comment naming its exit code
# (`# exit 4`, `# exit 0, 1 or 2`); a line marked `# until Ctrl-C` must still be running after
# 3 seconds. Fails when any line does otherwise.
#   docs/guide/check-commands.sh        # uses $HAUL_BIN and $FAKEHUB_BIN, else the debug builds
#   SHOW_OUTPUT=1 docs/guide/check-commands.sh   # also print what each line printed
set -euo pipefail

guide="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$guide/../.." && pwd)"
build="${CARGO_TARGET_DIR:-$root/target}/debug"
haul_bin="${HAUL_BIN:-$build/haul}"
fakehub_bin="${FAKEHUB_BIN:-$build/fakehub}"
pages=(install first-download schedules settings troubleshooting cache)

for bin in "$haul_bin" "$fakehub_bin"; do
  [ -x "$bin" ] || { echo "missing $bin: cargo build -p haul-cli -p fakehub" >&2; exit 2; }
done

scratch="$(mktemp -d)"
hub_pid=""
cleanup() {
  [ -n "$hub_pid" ] && kill "$hub_pid" 2>/dev/null || true
  rm -rf "$scratch"
}
trap cleanup EXIT

"$fakehub_bin" --demo > "$scratch/hub.json" &
hub_pid=$!
for _ in $(seq 100); do [ -s "$scratch/hub.json" ] && break; sleep 0.1; done
endpoint="$(sed -n 's/.*"hub":"\([^"]*\)".*/\1/p' "$scratch/hub.json")"
[ -n "$endpoint" ] || { echo "fakehub did not start" >&2; exit 2; }

mkdir -p "$scratch/bin" "$scratch/home" "$scratch/work"
ln -s "$haul_bin" "$scratch/bin/haul"
# Nothing of this machine's environment leaks in: no token, no keyring, no desktop session.
run_env=(env -i "PATH=$scratch/bin:/usr/local/bin:/usr/bin:/bin" "HOME=$scratch/home"
  "HF_HOME=$scratch/hf" "HAUL_HOME=$scratch/haul" "HF_ENDPOINT=$endpoint" "TZ=UTC" "SHELL=/bin/bash"
  "DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent" "HAUL_RETRIES=2" "HAUL_RETRY_DELAY_MS=50")

failed=0
ran=0
for page in "${pages[@]}"; do
  file="$guide/$page.md"
  # file:line<TAB>command, for each `$ ` line inside a fenced block.
  while IFS=$'\t' read -r where line; do
    cmd="${line#\$ }"
    expected="$(printf '%s' "$cmd" | grep -oE '#[^#]*exit [0-9]+((, | or )[0-9]+)*' | grep -oE '[0-9]+' | tr '\n' ' ' || true)"
    if printf '%s' "$cmd" | grep -qE '# until Ctrl-C'; then
      set +e
      (cd "$scratch/work" && timeout 3 "${run_env[@]}" bash -c "$cmd") < /dev/null > "$scratch/out" 2>&1
      code=$?
      set -e
      expected=124
    else
      set +e
      (cd "$scratch/work" && timeout 120 "${run_env[@]}" bash -c "$cmd") < /dev/null > "$scratch/out" 2>&1
      code=$?
      set -e
      expected="${expected:-0}"
    fi
    ran=$((ran + 1))
    if [[ " $expected " == *" $code "* ]]; then
      printf 'ok    %-28s %s\n' "$where" "$cmd"
      [ -z "${SHOW_OUTPUT:-}" ] || sed 's/^/      | /' "$scratch/out"
    else
      printf 'FAIL  %-28s %s\n      exit %s, expected %s; output:\n' "$where" "$cmd" "$code" "${expected% }"
      sed 's/^/      | /' "$scratch/out"
      failed=$((failed + 1))
    fi
  done < <(awk -v f="$page.md" '/^```/ { fence = !fence; next } fence && /^\$ / { print f ":" FNR "\t" $0 }' "$file")
done

echo "$ran commands run, $failed failed"
[ "$failed" -eq 0 ]
