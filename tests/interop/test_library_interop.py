"""`haul scan` imports what the real `huggingface_hub` downloaded: the library lists it with the right
revision and size, and `haul verify` checks it against the Hub."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess

from conftest import file_bytes
from test_cache_interop import MANIFEST, SECOND, commits, haul_bin


def haul(args: list[str], hub, home, haul_home) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "HAUL_"))}
    env.update(HF_ENDPOINT=hub.url, HF_HOME=str(home), HAUL_HOME=str(haul_home), NO_PROXY="127.0.0.1,localhost")
    return subprocess.run([haul_bin(), *args], env=env, capture_output=True, text=True, timeout=300)


def test_scan_imports_a_repo_the_python_client_downloaded(fakehub, hf_python, tmp_path):
    hub = fakehub(manifest=MANIFEST)
    hf_python(hub, 'import json; from huggingface_hub import snapshot_download; print(json.dumps(snapshot_download("org/m")))')
    haul_home = tmp_path / "haul"

    scanned = haul(["scan"], hub, hf_python.home, haul_home)
    assert scanned.returncode == 0, scanned.stderr
    assert "imported: org/m" in scanned.stdout

    listed = haul(["list", "--json"], hub, hf_python.home, haul_home)
    rows = json.loads(listed.stdout)
    _, new = commits(hub)
    distinct = {hashlib.sha256(file_bytes(s)).hexdigest(): len(file_bytes(s)) for s in SECOND.values()}
    assert [(r["repo_id"], r["revision"], r["commit_sha"], r["state"]) for r in rows] == [("org/m", "main", new, "complete")]
    assert rows[0]["size_bytes"] == sum(distinct.values())

    verified = haul(["verify", "org/m"], hub, hf_python.home, haul_home)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "against hub: OK" in verified.stdout
