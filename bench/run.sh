#!/usr/bin/env bash
# Benchmarks Haul against hf download, hf_transfer, aria2c and curl on a loopback fakehub, and writes
# docs/BENCHMARKS.md (and bench/results.json). A script, not a test; safe to run again.
#
#   bash bench/run.sh                        # everything (about 15 minutes on 2 cores)
#   bash bench/run.sh --only a,c             # some scenarios; --clients haul,curl for some clients
#
# Installs what it needs: Debian packages (aria2, curl, GNU time, openssl), a virtualenv in bench/.venv
# with huggingface_hub and hf_transfer, release builds of haul and fakehub, and bench/sha256.

source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
cd "$ROOT"
BENCH="$ROOT/bench"
BVENV="$BENCH/.venv"

ensure_apt_packages aria2 time openssl
ensure_rust

stamp="$BVENV/.requirements.sha256"
want="$(sha256sum "$BENCH/requirements.txt" | cut -d' ' -f1)"
if [ ! -x "$BVENV/bin/python" ]; then
  say "creating the benchmark virtualenv in bench/.venv"
  python3 -m venv "$BVENV"
fi
if [ "$(cat "$stamp" 2>/dev/null || true)" != "$want" ]; then
  say "installing huggingface_hub and hf_transfer into bench/.venv"
  "$BVENV/bin/python" -m pip install -q --disable-pip-version-check -r "$BENCH/requirements.txt"
  echo "$want" > "$stamp"
fi

say "building haul and fakehub (release)"
cargo build --release -p haul-cli -p fakehub >&2

say "building bench/sha256 (sha2 0.10 and 0.11, ring; sha2's asm and force-soft variants)"
(cd "$BENCH/sha256" && cargo build --release >&2)
if ! (cd "$BENCH/sha256" && CARGO_TARGET_DIR=target/asm cargo build --release --features asm >&2); then
  say "sha2's asm feature does not build here: measured without it"
  rm -f "$BENCH/sha256/target/asm/release/sha256-bench"
fi
(cd "$BENCH/sha256" && CARGO_TARGET_DIR=target/soft cargo build --release --features soft >&2)

say "running the benchmarks"
exec "$BVENV/bin/python" "$BENCH/bench.py" --reproduce "bash bench/run.sh${*:+ $*}" "$@"
