#!/usr/bin/env bash
# Runs CMD... with a real notification daemon on a private D-Bus session bus, and a log of every call
# to it, so the notification tests see what a desktop would have shown:
#
#   scripts/with-notifications.sh cargo test -p haul-cli --test notifications
#
# The daemon is dunst, which needs an X display: it gets a private Xvfb (a free display number, picked
# by Xvfb itself). `dbus-monitor "interface='org.freedesktop.Notifications'"` records the traffic.
# Inside, HAUL_TEST_NOTIFICATIONS=1 tells the tests the daemon is there (without it they fail and point
# here), and HAUL_TEST_DBUS_LOG names the monitor's log. Everything is stopped and deleted afterwards.
#
# It starts its own bus (dbus-run-session) unless it already runs on a private one: inside
# scripts/with-keyring.sh (HAUL_TEST_PRIVATE_BUS=1) it joins that bus, so one session hosts both:
#
#   scripts/with-keyring.sh scripts/with-notifications.sh cargo nextest run --workspace
#
# Needs dbus-run-session, dbus-monitor, dbus-send (dbus, dbus-bin), dunst and Xvfb (xvfb);
# scripts/lib.sh installs them.
set -euo pipefail

if [ $# -eq 0 ]; then
  echo "usage: $0 CMD [ARG...]" >&2
  exit 2
fi
for tool in dbus-run-session dbus-monitor dbus-send dunst Xvfb; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "$0: $tool is missing: install the Debian packages dbus, dunst and xvfb" >&2
    exit 1
  fi
done

# Never the user's own session bus: a desktop already has a notification daemon, and the tests must
# not pop bubbles on it.
if [ "${HAUL_TEST_PRIVATE_BUS:-}" != 1 ]; then
  HAUL_TEST_PRIVATE_BUS=1 exec dbus-run-session -- "$0" "$@"
fi

NOTIFY_DIR="$(mktemp -d "${TMPDIR:-/tmp}/haul-notifications.XXXXXX")"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$NOTIFY_DIR"
}
trap cleanup EXIT

fail() {
  for log in "$NOTIFY_DIR"/*.log; do
    [ -s "$log" ] && { echo "--- $log" >&2; tail -n 20 "$log" >&2; }
  done
  echo "with-notifications.sh: $*" >&2
  exit 1
}

# Xvfb chooses a free display and writes its number on fd 3 once it accepts connections.
Xvfb -displayfd 3 -screen 0 640x480x24 -nolisten tcp 3>"$NOTIFY_DIR/display" >"$NOTIFY_DIR/xvfb.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
  [ -s "$NOTIFY_DIR/display" ] && break
  sleep 0.1
done
display="$(tr -d '[:space:]' <"$NOTIFY_DIR/display")"
[ -n "$display" ] || fail "Xvfb did not start"

export HAUL_TEST_DBUS_LOG="$NOTIFY_DIR/dbus-notifications.log"
dbus-monitor "interface='org.freedesktop.Notifications'" >"$HAUL_TEST_DBUS_LOG" 2>"$NOTIFY_DIR/dbus-monitor.log" &
pids+=($!)
# Started here, with the display, rather than by D-Bus activation (which would start it without one).
DISPLAY=":$display" dunst -config /dev/null >"$NOTIFY_DIR/dunst.log" 2>&1 &
pids+=($!)

bus() { dbus-send --session --print-reply "$@" 2>/dev/null; }
ready=
for _ in $(seq 100); do
  # Asking NameHasOwner activates nothing; once dunst owns the name, a real call proves it answers
  # and, once it shows in the log, that the monitor records.
  if bus --dest=org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus.NameHasOwner \
       string:org.freedesktop.Notifications | grep -q 'boolean true' \
     && bus --dest=org.freedesktop.Notifications /org/freedesktop/Notifications \
       org.freedesktop.Notifications.GetServerInformation >/dev/null \
     && grep -q 'member=GetServerInformation' "$HAUL_TEST_DBUS_LOG"; then
    ready=1
    break
  fi
  sleep 0.1
done
[ -n "$ready" ] || fail "the notification daemon (dunst) did not answer on the session bus"

export HAUL_TEST_NOTIFICATIONS=1
set +e
"$@"
status=$?
set -e
exit "$status"
