#!/usr/bin/python3
"""A stand-in tray host for headless tests: owns org.kde.StatusNotifierWatcher on the session bus, so
libayatana-appindicator registers the app's tray icon with it; records each registration and the icon's
menu (com.canonical.dbusmenu) as JSON lines in argv[1]; and clicks a menu item when a file
argv[1] + ".click" appears holding the item's label (the file is removed once clicked).

It answers only what an indicator needs. Run with the system python3 (python3-gi)."""

import json
import os
import sys

from gi.repository import Gio, GLib

LOG = sys.argv[1]
WATCHER_XML = """
<node>
  <interface name="org.kde.StatusNotifierWatcher">
    <method name="RegisterStatusNotifierItem"><arg type="s" direction="in"/></method>
    <method name="RegisterStatusNotifierHost"><arg type="s" direction="in"/></method>
    <property name="RegisteredStatusNotifierItems" type="as" access="read"/>
    <property name="IsStatusNotifierHostRegistered" type="b" access="read"/>
    <property name="ProtocolVersion" type="i" access="read"/>
    <signal name="StatusNotifierItemRegistered"><arg type="s"/></signal>
    <signal name="StatusNotifierItemUnregistered"><arg type="s"/></signal>
    <signal name="StatusNotifierHostRegistered"/>
  </interface>
</node>
"""
registered = []  # (bus name, object path)
connection = None


def record(entry):
    with open(LOG, "a") as out:
        out.write(json.dumps(entry) + "\n")


def menu_items(node):
    """Flattens a dbusmenu layout (id, properties, children) into [{id, label, enabled}]."""
    item_id, props, children = node
    found = []
    if "label" in props:
        found.append({"id": item_id, "label": props["label"].replace("_", ""), "enabled": props.get("enabled", True)})
    for child in children:
        found.extend(menu_items(child))
    return found


def describe(service, path):
    props = connection.call_sync(
        service, path, "org.freedesktop.DBus.Properties", "GetAll",
        GLib.Variant("(s)", ("org.kde.StatusNotifierItem",)), GLib.VariantType("(a{sv})"), 0, 3000, None,
    ).unpack()[0]
    entry = {"event": "item", "service": service, "path": path,
             "props": {k: props[k] for k in ("Id", "Title", "Status", "IconName", "Menu") if k in props}}
    if props.get("Menu"):
        layout = connection.call_sync(
            service, props["Menu"], "com.canonical.dbusmenu", "GetLayout",
            GLib.Variant("(iias)", (0, -1, [])), GLib.VariantType("(u(ia{sv}av))"), 0, 3000, None,
        ).unpack()
        entry["menu"] = menu_items(layout[1])
    return entry


def on_method(conn, sender, path, interface, method, params, invocation):
    if method == "RegisterStatusNotifierItem":
        arg = params.unpack()[0]
        service, item_path = (sender, arg) if arg.startswith("/") else (arg, "/StatusNotifierItem")
        registered.append((service, item_path))
        record({"event": "register", "service": service, "path": item_path})
        invocation.return_value(None)
        conn.emit_signal(None, "/StatusNotifierWatcher", "org.kde.StatusNotifierWatcher",
                         "StatusNotifierItemRegistered", GLib.Variant("(s)", (service + item_path,)))
    else:
        invocation.return_value(None)


def on_property(conn, sender, path, interface, name):
    if name == "RegisteredStatusNotifierItems":
        return GLib.Variant("as", [s + p for s, p in registered])
    if name == "IsStatusNotifierHostRegistered":
        return GLib.Variant("b", True)
    if name == "ProtocolVersion":
        return GLib.Variant("i", 0)
    return None


def tick():
    """Every half second: log the current menu (labels change), and click what was asked for."""
    if not registered:
        return True
    service, path = registered[-1]
    try:
        entry = describe(service, path)
        record(entry)
        request = LOG + ".click"
        if os.path.exists(request):
            wanted = open(request).read().strip()
            for item in entry.get("menu", []):
                if item["label"] == wanted:
                    connection.call_sync(
                        service, entry["props"]["Menu"], "com.canonical.dbusmenu", "Event",
                        GLib.Variant("(isvu)", (item["id"], "clicked", GLib.Variant("s", ""), 0)),
                        None, 0, 3000, None,
                    )
                    record({"event": "clicked", "label": wanted})
                    os.unlink(request)
                    break
    except GLib.Error as error:
        record({"event": "error", "error": str(error)})
    return True


def on_bus(conn, name):
    global connection
    connection = conn
    node = Gio.DBusNodeInfo.new_for_xml(WATCHER_XML)
    conn.register_object("/StatusNotifierWatcher", node.interfaces[0], on_method, on_property, None)


Gio.bus_own_name(Gio.BusType.SESSION, "org.kde.StatusNotifierWatcher", Gio.BusNameOwnerFlags.NONE,
                 on_bus, lambda conn, name: record({"event": "ready"}), lambda *a: record({"event": "lost"}))
GLib.timeout_add(500, tick)
GLib.MainLoop().run()
