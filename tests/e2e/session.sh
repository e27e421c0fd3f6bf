#!/usr/bin/env bash
# Runs a command inside a throwaway desktop session, as a user's would be but headless: a private D-Bus
# session bus, an X server (Xvfb), an unlocked GNOME Keyring (Secret Service), a notification daemon
# (dunst) whose D-Bus traffic is logged, and a stand-in tray host (org.kde.StatusNotifierWatcher) that
# records the tray icon and its menu and can click menu items.
#   tests/e2e/session.sh CMD [ARGS...]
# Logs go to $E2E_RUN_DIR (default: a new temporary folder), which the command sees.
set -u
if [ -z "${HAUL_E2E_SESSION:-}" ]; then
  export HAUL_E2E_SESSION=1
  exec dbus-run-session -- "$0" "$@"
fi

here="$(cd "$(dirname "$0")" && pwd)"
export E2E_RUN_DIR="${E2E_RUN_DIR:-$(mktemp -d -t haul-e2e.XXXXXX)}"
mkdir -p "$E2E_RUN_DIR/runtime"
chmod 700 "$E2E_RUN_DIR/runtime"
export XDG_RUNTIME_DIR="$E2E_RUN_DIR/runtime"
# A display number no other session on this machine uses.
display_number=$(( 90 + RANDOM % 400 ))
while [ -e "/tmp/.X11-unix/X$display_number" ]; do display_number=$(( display_number + 1 )); done
export DISPLAY=":$display_number"

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; }
trap cleanup EXIT

Xvfb "$DISPLAY" -screen 0 1280x800x24 -nolisten tcp >"$E2E_RUN_DIR/xvfb.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do [ -e "/tmp/.X11-unix/X${DISPLAY#:}" ] && break; sleep 0.1; done

# Started by hand, not by D-Bus activation: activation would leave the keyring locked and start dunst
# without a display.
# Its own data folder: a fresh login keyring, unlocked with the password given here, whatever keyrings
# this machine's user already has.
mkdir -p "$E2E_RUN_DIR/keyring-data"
echo -n e2e | XDG_DATA_HOME="$E2E_RUN_DIR/keyring-data" \
  gnome-keyring-daemon --foreground --unlock --components=secrets >"$E2E_RUN_DIR/keyring.log" 2>&1 &
pids+=($!)
dbus-monitor "interface='org.freedesktop.Notifications'" >"$E2E_RUN_DIR/notifications.log" 2>&1 &
pids+=($!)
dunst >"$E2E_RUN_DIR/dunst.log" 2>&1 &
pids+=($!)
/usr/bin/python3 "$here/tray_host.py" "$E2E_RUN_DIR/tray.jsonl" >"$E2E_RUN_DIR/tray_host.log" 2>&1 &
pids+=($!)

for _ in $(seq 150); do
  names=$(dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
          org.freedesktop.DBus.ListNames 2>/dev/null)
  if grep -q org.freedesktop.secrets <<<"$names" && grep -q org.freedesktop.Notifications <<<"$names" \
     && grep -q org.kde.StatusNotifierWatcher <<<"$names"; then
    break
  fi
  sleep 0.1
done

"$@"
