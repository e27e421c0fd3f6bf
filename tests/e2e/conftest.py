"""End-to-end fixtures: the real built desktop app, driven through its real webview (WebKitWebDriver via
tauri-driver), inside the headless desktop session of tests/e2e/session.sh (X server, Secret Service,
notification daemon, tray host), against the fakehub on 127.0.0.1.

- `hub`: one fakehub for the module, serving `MANIFEST`.
- `app`: the app started once for the module with its own HOME, HF_HOME and HAUL_HOME; an `App` with the
  WebDriver session, helpers to wait, to take screenshots for docs/, to run the `haul` CLI on the same
  data, and to read the notifications and the tray menu the session recorded.

Binaries: `$HAUL_DESKTOP_BIN` / `$HAUL_BIN` / `$FAKEHUB_BIN` (default target/debug/…) and `$TAURI_DRIVER`
(default: `tauri-driver` on PATH, else ~/.cargo/bin/tauri-driver)."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.options import ArgOptions

ROOT = Path(__file__).resolve().parents[2]

# The fakehub fixtures and the generated-content oracle are shared with the interop tests.
_spec = importlib.util.spec_from_file_location("interop_fixtures", ROOT / "tests" / "interop" / "conftest.py")
interop = importlib.util.module_from_spec(_spec)
sys.modules["interop_fixtures"] = interop
_spec.loader.exec_module(interop)
generated = interop.generated

MIB = 1 << 20

MANIFEST = {
    "users": {"alice": "hf_alice_e2e_token_0123456789"},
    "repos": [
        {
            "id": "org/tiny-gguf",
            "files": {
                "README.md": "# tiny\n",
                "config.json": {"text": '{"model_type": "llama"}'},
                "tiny-Q4_K_M.gguf": {"size": 3 * MIB, "seed": 1, "lfs": True},
                "tiny-Q8_0.gguf": {"size": 5 * MIB, "seed": 2, "lfs": True},
                "tiny-F16.gguf": {"size": 7 * MIB, "seed": 3, "lfs": True},
            },
        },
        {"id": "org/big", "files": {"model.safetensors": {"size": 96 * MIB, "seed": 4, "lfs": True}}},
        {"id": "org/nightly", "files": {"weights.bin": {"size": 2 * MIB, "seed": 5, "lfs": True}}},
        {"id": "org/later", "files": {"weights.bin": {"size": 2 * MIB, "seed": 6, "lfs": True}}},
        {"id": "org/linked", "files": {"README.md": "linked\n"}},
    ]
}


def _binary(var: str, name: str) -> str:
    path = Path(os.environ.get(var, ROOT / "target" / "debug" / name))
    if not path.is_file():
        pytest.fail(f"{name} not found at {path}: build it first (or set {var})")
    return str(path)


def app_binary() -> str:
    return _binary("HAUL_DESKTOP_BIN", "haul-desktop")


def _tauri_driver() -> str:
    found = os.environ.get("TAURI_DRIVER") or shutil.which("tauri-driver")
    found = found or str(Path.home() / ".cargo" / "bin" / "tauri-driver")
    if not Path(found).is_file():
        pytest.fail("tauri-driver is not installed: `cargo install tauri-driver --locked`")
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_port(port: int, timeout: float = 30) -> None:
    end = time.time() + timeout
    while time.time() < end:
        try:
            socket.create_connection(("127.0.0.1", port), 0.5).close()
            return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"nothing listens on port {port}")


def wait_for(condition, timeout: float = 30, message: str = "condition", interval: float = 0.25):
    """Polls `condition` until it returns something truthy; WebDriver errors count as "not yet"."""
    end = time.time() + timeout
    last_error = None
    while time.time() < end:
        try:
            value = condition()
            if value:
                return value
        except (WebDriverException, OSError, ValueError, KeyError) as error:
            last_error = error
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {message}" + (f" ({last_error})" if last_error else ""))


@dataclass
class App:
    driver: webdriver.Remote
    hub: interop.Hub
    env: dict
    home: Path
    run_dir: Path
    shots: Path

    # --- the page ---------------------------------------------------------------------------------
    def css(self, selector: str):
        return self.driver.find_element(By.CSS_SELECTOR, selector)

    def all(self, selector: str):
        return self.driver.find_elements(By.CSS_SELECTOR, selector)

    def visible(self, selector: str) -> bool:
        found = self.all(selector)
        return bool(found) and found[0].is_displayed()

    def nav(self, screen: str) -> None:
        self.css(f'button[data-nav="{screen}"]').click()
        wait_for(lambda: self.visible(f'section[data-screen="{screen}"]'), 10, f"the {screen} screen")

    def type_into(self, selector: str, text: str) -> None:
        field = self.css(selector)
        field.clear()
        field.send_keys(text)

    def shot(self, name: str) -> None:
        """A screenshot for docs/, after two frames so the picture shows what the DOM says."""
        self.driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "requestAnimationFrame(() => requestAnimationFrame(() => done(true)));"
        )
        self.shots.mkdir(parents=True, exist_ok=True)
        self.driver.save_screenshot(str(self.shots / f"{name}.png"))

    # --- the same data seen from outside ------------------------------------------------------------
    def haul(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        return subprocess.run(
            [_binary("HAUL_BIN", "haul"), *args], env=self.env, capture_output=True, text=True, timeout=timeout
        )

    def snapshot(self, repo_id: str) -> Path | None:
        """The one snapshot folder of a model in the HF cache, if there is one."""
        snapshots = self.home / "hf" / "hub" / f"models--{repo_id.replace('/', '--')}" / "snapshots"
        found = sorted(snapshots.iterdir()) if snapshots.is_dir() else []
        return found[0] if found else None

    def notifications(self) -> str:
        path = self.run_dir / "notifications.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def tray_menu(self) -> list[dict]:
        """The tray icon's menu as the tray host last read it."""
        path = self.run_dir / "tray.jsonl"
        menus = []
        if path.exists():
            for line in path.read_text().splitlines():
                entry = json.loads(line)
                if entry.get("event") == "item" and "menu" in entry:
                    menus.append(entry["menu"])
        return menus[-1] if menus else []

    def tray_click(self, label: str) -> None:
        (self.run_dir / "tray.jsonl.click").write_text(label)
        wait_for(lambda: not (self.run_dir / "tray.jsonl.click").exists(), 15, f"the tray host to click {label!r}")

    def window_shown(self) -> bool:
        out = subprocess.run(
            ["xdotool", "search", "--onlyvisible", "--name", "^Haul$"], capture_output=True, text=True, env=self.env
        )
        return out.returncode == 0 and out.stdout.strip() != ""


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    started = interop.start_hub(MANIFEST, ["--page-size", "50"], tmp_path_factory.mktemp("hub"))
    yield started
    started.stop()


@pytest.fixture(scope="module")
def app(hub, tmp_path_factory):
    if not os.environ.get("HAUL_E2E_SESSION"):
        pytest.fail("run the end-to-end tests inside tests/e2e/session.sh (a headless desktop session)")
    home = tmp_path_factory.mktemp("home")
    run_dir = Path(os.environ.get("E2E_RUN_DIR", home))
    env = {
        **os.environ,
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "XDG_STATE_HOME": str(home / ".local" / "state"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "HF_HOME": str(home / "hf"),
        "HAUL_HOME": str(home / "haul"),
        "HF_ENDPOINT": hub.url,
        "NO_PROXY": "127.0.0.1,localhost",
        "RUST_LOG": "info",
    }
    for var in ("HF_TOKEN", "HF_HUB_OFFLINE", "HF_HUB_CACHE"):
        env.pop(var, None)
    port, native_port = _free_port(), _free_port()
    driver_log = open(run_dir / "tauri-driver.log", "w")
    driver_process = subprocess.Popen(
        [_tauri_driver(), "--port", str(port), "--native-port", str(native_port)],
        env=env,
        stdout=driver_log,
        stderr=subprocess.STDOUT,
    )
    _wait_port(port)
    _wait_port(native_port)  # tauri-driver listens before WebKitWebDriver does
    options = ArgOptions()
    options.set_capability("tauri:options", {"application": app_binary()})
    driver = webdriver.Remote(command_executor=f"http://127.0.0.1:{port}", options=options)
    # Until the page is the app's own (tauri://), commands can fail with "unload" errors.
    wait_for(
        lambda: driver.current_url.startswith("tauri://")
        and driver.execute_script("return document.readyState") == "complete"
        and driver.find_elements(By.CSS_SELECTOR, "#add-input"),
        60,
        "the app's page",
    )
    shots = Path(os.environ.get("HAUL_E2E_SHOTS", ROOT / "docs" / "screenshots"))
    yield App(driver=driver, hub=hub, env=env, home=home, run_dir=run_dir, shots=shots)
    try:
        driver.quit()
    except WebDriverException:
        pass
    driver_process.terminate()
    try:
        driver_process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        driver_process.kill()
    driver_log.close()
    # The app may outlive the WebDriver session when it only hid its window: end it.
    subprocess.run(["pkill", "-f", app_binary()], check=False)
