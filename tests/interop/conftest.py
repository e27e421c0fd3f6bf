"""Shared fixtures for the interop tests: the fakehub binary and the real `huggingface_hub` client.

- `fakehub`: a factory. `fakehub()` serves the built-in demo set, `fakehub(manifest={...})` a manifest
  (format: crates/fakehub/README.md), `fakehub(args=[...])` adds command-line flags. Each call starts one
  process and returns a `Hub` (`url`, `cdn_url`, `requests()`, `set_faults()`, `expire_cdn()`…); all are
  stopped when the test ends. The binary is `$FAKEHUB_BIN`, else `target/debug/fakehub` (build it first).
- `hf_python`: runs Python code in a fresh interpreter with `HF_ENDPOINT` set to a hub and `HF_HOME` to a
  temporary directory, as a user would (`huggingface_hub` reads both at import time). The code prints one
  JSON value on its last line, which is returned.
- `generated(size, seed)`: the bytes fakehub generates for `{"size": …, "seed": …}` files (SplitMix64, as
  documented in crates/fakehub/src/content.rs), written independently here so tests check the server.
"""

from __future__ import annotations

import hashlib
import json
import os
import select
import subprocess
import sys
import textwrap
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

_MASK = (1 << 64) - 1
_GAMMA = 0x9E3779B97F4A7C15


def _mix(z: int) -> int:
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return z ^ (z >> 31)


def generated(size: int, seed: int) -> bytes:
    out = bytearray()
    k = 0
    while len(out) < size:
        out += _mix((seed + (k + 1) * _GAMMA) & _MASK).to_bytes(8, "little")
        k += 1
    return bytes(out[:size])


def git_blob_sha1(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def file_bytes(spec) -> bytes:
    """The content of a manifest file entry."""
    if isinstance(spec, str):
        return spec.encode()
    if "text" in spec:
        return spec["text"].encode()
    return generated(spec["size"], spec.get("seed", 0))


def is_lfs(spec) -> bool:
    return isinstance(spec, dict) and spec.get("lfs", False)


@dataclass
class Hub:
    process: subprocess.Popen
    url: str
    cdn_url: str
    manifest: dict | None = None
    log: list = field(default_factory=list)

    def _call(self, method: str, path: str, body: dict | None = None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url + path, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(req, timeout=10) as resp:
            raw = resp.read()
        return json.loads(raw) if raw else None

    def api(self, path: str, token: str | None = None):
        """GET a Hub API path (e.g. `/api/models/org/name`) and decode the JSON answer."""
        req = urllib.request.Request(self.url + path)
        if token:
            req.add_header("Authorization", f"Bearer {token}")
        with urllib.request.urlopen(req, timeout=10) as resp:
            return json.loads(resp.read())

    def requests(self) -> list[dict]:
        """Every request both listeners saw: dicts with listener ("hub"/"cdn"), method, path, authorization…"""
        return self._call("GET", "/_fakehub/requests")

    def clear_requests(self) -> None:
        self._call("POST", "/_fakehub/requests/clear")

    def faults(self) -> dict:
        return self._call("GET", "/_fakehub/faults")

    def set_faults(self, faults: dict) -> dict:
        """Replaces the fault state (missing fields mean "no fault")."""
        return self._call("POST", "/_fakehub/faults", faults)

    def body_bytes_sent(self) -> int:
        """File-body bytes both listeners have sent so far."""
        return self._call("GET", "/_fakehub/stats")["body_bytes_sent"]

    def expire_cdn(self) -> None:
        self._call("POST", "/_fakehub/expire-cdn")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _binary() -> Path:
    path = Path(os.environ.get("FAKEHUB_BIN", ROOT / "target" / "debug" / "fakehub"))
    if not path.is_file():
        pytest.fail(f"fakehub binary not found at {path}: run `cargo build -p fakehub` or set FAKEHUB_BIN")
    return path


def start_hub(manifest: dict | None, args: list[str] | tuple, workdir: Path) -> Hub:
    """Starts one fakehub process serving `manifest` (or the demo set when None); `workdir` holds the
    manifest file. The caller stops it."""
    cmd = [str(_binary())]
    if manifest is None:
        cmd.append("--demo")
    else:
        path = workdir / "hub.json"
        path.write_text(json.dumps(manifest))
        cmd += ["--manifest", str(path)]
    cmd += list(args)
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    ready, _, _ = select.select([proc.stdout], [], [], 30)
    line = proc.stdout.readline() if ready else ""
    if not line:
        proc.kill()
        _, err = proc.communicate()
        pytest.fail(f"fakehub did not start: {err}")
    where = json.loads(line)
    return Hub(process=proc, url=where["hub"], cdn_url=where["cdn"], manifest=manifest)


@pytest.fixture
def fakehub(tmp_path_factory):
    started: list[Hub] = []

    def start(manifest: dict | None = None, args: list[str] | tuple = ()) -> Hub:
        hub = start_hub(manifest, args, tmp_path_factory.mktemp("manifest"))
        started.append(hub)
        return hub

    yield start
    for hub in started:
        hub.stop()


@pytest.fixture
def hf_python(tmp_path):
    home = tmp_path / "hf_home"

    def run(hub: Hub, code: str, token: str | None = None, env: dict | None = None):
        full_env = {
            k: v for k, v in os.environ.items() if not k.startswith("HF_") and k not in ("HUGGING_FACE_HUB_TOKEN",)
        }
        full_env.update(
            HF_ENDPOINT=hub.url,
            HF_HOME=str(home),
            HF_HUB_DISABLE_TELEMETRY="1",
            HF_HUB_DISABLE_PROGRESS_BARS="1",
            NO_PROXY="127.0.0.1,localhost",
        )
        if token:
            full_env["HF_TOKEN"] = token
        full_env.update(env or {})
        proc = subprocess.run(
            [sys.executable, "-c", textwrap.dedent(code)],
            env=full_env,
            check=False,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if proc.returncode != 0:
            raise AssertionError(f"python exited {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}")
        lines = proc.stdout.strip().splitlines()
        return json.loads(lines[-1]) if lines else None

    run.home = home
    return run
