#!/usr/bin/env bash
# Runs CMD... inside a private D-Bus session with a throwaway, unlocked GNOME Keyring as its Secret
# Service, so the keyring tests use the real thing without touching your own keyring:
#
#   scripts/with-keyring.sh cargo test -p haul-cli --test auth
#
# The keyring lives in a temporary HOME (XDG_DATA_HOME, XDG_RUNTIME_DIR) that is deleted afterwards;
# its password is a fixed throwaway string. Inside, HAUL_TEST_KEYRING=1 tells the tests that they may
# rely on the Secret Service (without it they fail and point here). Needs dbus-run-session (dbus),
# gnome-keyring-daemon (gnome-keyring) and secret-tool (libsecret-tools); scripts/lib.sh installs them.
set -euo pipefail

if [ $# -eq 0 ]; then
  echo "usage: $0 CMD [ARG...]" >&2
  exit 2
fi
for tool in dbus-run-session gnome-keyring-daemon secret-tool; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "$0: $tool is missing: install the Debian packages dbus, gnome-keyring and libsecret-tools" >&2
    exit 1
  fi
done

KEYRING_HOME="$(mktemp -d "${TMPDIR:-/tmp}/haul-keyring.XXXXXX")"
trap 'rm -rf "$KEYRING_HOME"' EXIT
mkdir -p "$KEYRING_HOME/data" "$KEYRING_HOME/runtime"
chmod 700 "$KEYRING_HOME/runtime"

# The inner script: runs as the only client of the session bus dbus-run-session starts; the bus (and
# the keyring daemon, which exits with it) ends when CMD does.
inner='
set -euo pipefail
# The daemon keeps its keyring files under XDG_DATA_HOME and its control socket under
# XDG_RUNTIME_DIR: both temporary. HOME stays as it was for cargo and rustup.
export XDG_DATA_HOME="$KEYRING_HOME/data" XDG_RUNTIME_DIR="$KEYRING_HOME/runtime"
# --unlock reads the password on stdin and creates the "login" keyring with it when there is none.
if ! env_lines="$(printf %s haul-throwaway-password \
    | gnome-keyring-daemon --unlock --components=secrets --replace 2>"$KEYRING_HOME/daemon.log")"; then
  cat "$KEYRING_HOME/daemon.log" >&2
  echo "with-keyring.sh: gnome-keyring-daemon did not start" >&2
  exit 1
fi
while IFS= read -r line; do
  case "$line" in GNOME_KEYRING_CONTROL=*|SSH_AUTH_SOCK=*) export "$line" ;; esac
done <<<"$env_lines"
# Prove the Secret Service answers before running anything (the daemon registers asynchronously).
for _ in $(seq 50); do
  if printf probe | secret-tool store --label="haul probe" service haul-probe username probe 2>/dev/null \
     && [ "$(secret-tool lookup service haul-probe username probe 2>/dev/null)" = probe ]; then
    secret-tool clear service haul-probe username probe
    # HAUL_TEST_PRIVATE_BUS: this bus is a throwaway one (scripts/with-notifications.sh joins it).
    export HAUL_TEST_KEYRING=1 HAUL_TEST_PRIVATE_BUS=1
    exec "$@"
  fi
  sleep 0.1
done
cat "$KEYRING_HOME/daemon.log" >&2
echo "with-keyring.sh: the Secret Service did not answer" >&2
exit 1
'
export KEYRING_HOME
dbus-run-session -- bash -c "$inner" with-keyring "$@"
