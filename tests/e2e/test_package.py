"""The .deb, installed into a scratch root: it carries the desktop app with its menu entry and icon and
the `haul` CLI on PATH; both answer `--version` with the workspace's one version; the app starts headless
(in the tray, window hidden) from the unpacked files. `$HAUL_DEB` names the package (scripts/test.sh
builds it with `tauri bundle`)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
from pathlib import Path

import pytest

from conftest import ROOT, wait_for


def workspace_version() -> str:
    text = (ROOT / "Cargo.toml").read_text()
    section = text[text.index("[workspace.package]"):]
    return re.search(r'^version = "([^"]+)"', section, re.M).group(1)


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    deb = os.environ.get("HAUL_DEB")
    if not deb:
        pytest.skip("HAUL_DEB is not set: build the package with `npm run tauri bundle -- --debug --bundles deb`")
    root = tmp_path_factory.mktemp("root")
    subprocess.run(["dpkg-deb", "-x", deb, str(root)], check=True)
    info = subprocess.run(["dpkg-deb", "-f", deb, "Package", "Version", "Depends"], capture_output=True, text=True)
    return root, info.stdout


def test_the_package_installs_the_app_its_menu_entry_and_the_cli(installed):
    root, control = installed
    version = workspace_version()
    assert f"Version: {version}" in control
    assert "libwebkit2gtk-4.1" in control, "the package names the webview it needs"

    app = root / "usr" / "bin" / "haul-desktop"
    cli = root / "usr" / "bin" / "haul"
    assert os.access(app, os.X_OK) and os.access(cli, os.X_OK)
    assert subprocess.run([str(cli), "--version"], capture_output=True, text=True).stdout.strip() == f"haul {version}"
    assert (
        subprocess.run([str(app), "--version"], capture_output=True, text=True).stdout.strip()
        == f"haul-desktop {version}"
    )

    entries = list((root / "usr" / "share" / "applications").glob("*.desktop"))
    assert len(entries) == 1, entries
    entry = entries[0].read_text()
    assert "Name=Haul" in entry and "Exec=haul-desktop %u" in entry
    assert "MimeType=x-scheme-handler/hf;x-scheme-handler/haul;" in entry
    icons = list((root / "usr" / "share" / "icons").rglob("haul-desktop.png"))
    assert icons, "the menu entry has an icon"


def test_the_installed_app_starts_headless_in_the_tray(installed, tmp_path):
    root, _ = installed
    if not os.environ.get("HAUL_E2E_SESSION"):
        pytest.fail("run inside tests/e2e/session.sh (it provides the display and the tray host)")
    tray_log = Path(os.environ["E2E_RUN_DIR"]) / "tray.jsonl"
    registered_before = tray_log.read_text().count('"register"') if tray_log.exists() else 0
    env = {
        **os.environ,
        "HOME": str(tmp_path),
        "HAUL_HOME": str(tmp_path / "haul"),
        "HF_HOME": str(tmp_path / "hf"),
        "HF_ENDPOINT": "http://127.0.0.1:9",
    }
    app = subprocess.Popen(
        [str(root / "usr" / "bin" / "haul-desktop"), "--hidden"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(
            lambda: tray_log.exists() and tray_log.read_text().count('"register"') > registered_before,
            60,
            "the installed app's tray icon",
        )
        assert app.poll() is None, "the app keeps running with its window hidden"
        # The app runs Haul's service: a daemon on the same data is turned away, naming it.
        daemon = wait_for(
            lambda: (
                lambda out: out if out.returncode == 11 else None
            )(subprocess.run([str(root / "usr" / "bin" / "haul"), "daemon"], env=env, capture_output=True, text=True, timeout=30)),
            30,
            "the app to hold the service lock",
        )
        assert "haul-desktop" in daemon.stderr or str(app.pid) in daemon.stderr, daemon.stderr
    finally:
        app.send_signal(signal.SIGTERM)
        try:
            app.wait(timeout=15)
        except subprocess.TimeoutExpired:
            app.kill()
            app.wait()
