# Shared by the project's scripts: install what a fresh Debian/Ubuntu machine lacks, idempotently.
# Sourced, not run.

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
# Where cargo puts debug builds (CARGO_TARGET_DIR moves it).
BUILD="${CARGO_TARGET_DIR:-$ROOT/target}/debug"

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
# The desktop app (Tauri v2 on WebKitGTK, a tray icon through libayatana-appindicator), and its end-to-end
# tests: WebKitWebDriver, xauth, xdotool and python3-xlib to find and close the window under Xvfb, python3-gi
# for the stand-in tray host.
APP_PACKAGES=(libwebkit2gtk-4.1-dev libayatana-appindicator3-dev librsvg2-dev libxdo-dev libssl-dev file
  webkit2gtk-driver xauth xdotool python3-gi python3-xlib)

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

# A virtualenv with the real huggingface_hub (interop tests) and Selenium (end-to-end tests).
ensure_venv() {
  local stamp="$VENV/.requirements.sha256"
  local want
  want="$(cat "$ROOT/tests/interop/requirements.txt" "$ROOT/tests/e2e/requirements.txt" | sha256sum | cut -d' ' -f1)"
  if [ ! -x "$VENV/bin/python" ]; then
    say "creating the Python virtualenv in .venv"
    python3 -m venv "$VENV"
  fi
  if [ "$(cat "$stamp" 2>/dev/null || true)" != "$want" ]; then
    say "installing Python test requirements"
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check \
      -r "$ROOT/tests/interop/requirements.txt" -r "$ROOT/tests/e2e/requirements.txt"
    echo "$want" > "$stamp"
  fi
}

# Node 20 or newer (Vite 7 needs it): Debian's own nodejs is older, so only say what to do.
ensure_node() {
  local major
  major="$(node --version 2>/dev/null | sed -E 's/^v([0-9]+).*/\1/')"
  if [ -z "$major" ] || [ "$major" -lt 20 ] || ! command -v npm >/dev/null 2>&1; then
    echo "Node.js 20 or newer with npm is needed for the desktop app's front-end (https://nodejs.org)." >&2
    exit 1
  fi
}

# The front-end's packages, installed again only when package-lock.json changes. `npm install`, not
# `npm ci`: the lockfile leaves out other platforms' optional packages, which `npm ci` refuses.
ensure_npm_packages() {
  local stamp="$ROOT/node_modules/.package-lock.sha256"
  local want
  want="$(sha256sum "$ROOT/package-lock.json" | cut -d' ' -f1)"
  if [ "$(cat "$stamp" 2>/dev/null || true)" != "$want" ]; then
    say "installing the front-end's npm packages"
    (cd "$ROOT" && npm install --no-audit --no-fund --loglevel=error)
    echo "$want" > "$stamp"
  fi
}

# The page the app embeds (ui/dist): the app's Rust build needs it to exist.
build_ui() {
  say "building the front-end (ui/dist)"
  (cd "$ROOT" && npm run --silent build)
}

# WebDriver for the real webview: tauri-driver from crates.io.
ensure_tauri_driver() {
  if ! command -v tauri-driver >/dev/null 2>&1 && [ ! -x "$HOME/.cargo/bin/tauri-driver" ]; then
    say "installing tauri-driver"
    cargo install tauri-driver --locked --version 2.1.0
  fi
}
