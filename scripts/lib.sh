# Shared by the project's scripts: install what a fresh Debian/Ubuntu machine lacks, idempotently.
# Sourced, not run.

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Debian packages the build and the tests need; installed only when one is missing. dbus, dbus-x11,
# gnome-keyring and libsecret-tools give the keyring tests a real Secret Service (scripts/with-keyring.sh);
# dunst and xvfb give the notification tests a real notification daemon (scripts/with-notifications.sh).
# The keyring and notification backends talk D-Bus in pure Rust (zbus): no libdbus-1-dev is needed to build.
APT_PACKAGES=(build-essential pkg-config curl ca-certificates python3 python3-venv python3-pip util-linux git
  dbus dbus-x11 gnome-keyring libsecret-tools dunst xvfb)

ensure_apt_packages() {
  local missing=()
  for p in "${APT_PACKAGES[@]}" "$@"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
  done
  # python3-venv is only needed where the system python lacks the venv module.
  if [ ${#missing[@]} -gt 0 ]; then
    if printf '%s\n' "${missing[@]}" | grep -qx 'python3-venv' && python3 -c 'import venv, ensurepip' 2>/dev/null; then
      missing=("${missing[@]/python3-venv}")
    fi
    if printf '%s\n' "${missing[@]}" | grep -qx 'python3-pip' && python3 -m pip --version >/dev/null 2>&1; then
      missing=("${missing[@]/python3-pip}")
    fi
    local wanted=()
    for p in "${missing[@]}"; do [ -n "$p" ] && wanted+=("$p"); done
    if [ ${#wanted[@]} -gt 0 ]; then
      say "installing Debian packages: ${wanted[*]}"
      as_root apt-get update -qq
      as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${wanted[@]}" \
        || as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${wanted[@]}"
    fi
  fi
}

ensure_rust() {
  if ! command -v cargo >/dev/null 2>&1; then
    [ -x "$HOME/.cargo/bin/cargo" ] && export PATH="$HOME/.cargo/bin:$PATH"
  fi
  if ! command -v cargo >/dev/null 2>&1; then
    echo "Rust is not installed: install it with rustup (https://rustup.rs), then run this again." >&2
    exit 1
  fi
}

# A virtualenv with the real huggingface_hub, for the interop tests.
ensure_venv() {
  local stamp="$VENV/.requirements.sha256"
  local want
  want="$(sha256sum "$ROOT/tests/interop/requirements.txt" | cut -d' ' -f1)"
  if [ ! -x "$VENV/bin/python" ]; then
    say "creating the Python virtualenv in .venv"
    python3 -m venv "$VENV"
  fi
  if [ "$(cat "$stamp" 2>/dev/null || true)" != "$want" ]; then
    say "installing Python test requirements"
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check -r "$ROOT/tests/interop/requirements.txt"
    echo "$want" > "$stamp"
  fi
}
