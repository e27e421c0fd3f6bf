#!/usr/bin/python3
"""Asks an X window to close as a window manager's close button does (WM_DELETE_WINDOW): bare Xvfb has no
window manager. argv[1]: the window's title; the visible, mapped window with that title gets it.
Needs python3-xlib."""

import sys

from Xlib import X, display, protocol

title = sys.argv[1]
screen = display.Display()
protocols = screen.intern_atom("WM_PROTOCOLS")
delete = screen.intern_atom("WM_DELETE_WINDOW")


def find(window):
    try:
        if window.get_wm_name() == title and window.get_attributes().map_state == X.IsViewable:
            return window
    except Exception:  # windows can vanish while the tree is walked
        pass
    for child in window.query_tree().children:
        found = find(child)
        if found:
            return found
    return None


target = find(screen.screen().root)
if target is None:
    sys.exit(f"no visible window titled {title!r}")
event = protocol.event.ClientMessage(window=target, client_type=protocols, data=(32, [delete, X.CurrentTime, 0, 0, 0]))
target.send_event(event, event_mask=X.NoEventMask)
screen.flush()
print(f"asked window 0x{target.id:x} to close")
