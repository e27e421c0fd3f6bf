"""What Haul writes is what the real `huggingface_hub` reads: after `haul download`, the Python client's
cache scanner, its offline loaders and `hf cache verify` see the repository as if they had downloaded it
themselves; after `haul download --local-dir D`, `hf download --local-dir D` has nothing left to fetch."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, file_bytes

FIRST = {
    "config.json": '{"hidden_size": 8}\n',
    "README.md": "# m\n",
    "model.safetensors": {"size": 300_000, "seed": 7, "lfs": True},
}
SECOND = {
    **FIRST,
    "config.json": '{"hidden_size": 16}\n',
    "tokenizer/nested/vocab.txt": "[PAD]\nhello\n",
    "notes/a file [1].txt": "space and brackets\n",
    "weights [v2]/part 1.bin": {"size": 50_000, "seed": 8, "lfs": True},
}
MANIFEST = {
    "repos": [
        {
            "type": "model",
            "id": "org/m",
            "commits": [{"files": FIRST}, {"files": SECOND}],
            "tags": {"v1": 0},
            "prs": {"1": 0},
        }
    ]
}


def haul_bin() -> str:
    return os.environ.get("HAUL_BIN", str(ROOT / "target" / "debug" / "haul"))


def hf_bin() -> str:
    return str(Path(sys.executable).parent / "hf")


def run(cmd: list[str], hub, home: Path, check: bool = True) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HF_")}
    env.update(HF_ENDPOINT=hub.url, HF_HOME=str(home), HF_HUB_DISABLE_TELEMETRY="1", NO_PROXY="127.0.0.1,localhost")
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    if check and proc.returncode != 0:
        raise AssertionError(f"{cmd} exited {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}")
    return proc


def commits(hub) -> tuple[str, str]:
    old = hub.api("/api/models/org/m/revision/v1")["sha"]
    new = hub.api("/api/models/org/m/revision/main")["sha"]
    return old, new


def test_python_client_reads_what_haul_downloaded(fakehub, hf_python):
    hub = fakehub(manifest=MANIFEST)
    home = hf_python.home
    for ref in ["org/m", "org/m@v1", "org/m@refs/pr/1"]:
        run([haul_bin(), "download", ref, "-q"], hub, home)
    old, new = commits(hub)
    distinct_blobs = {hashlib.sha256(file_bytes(s)).hexdigest(): len(file_bytes(s)) for s in [*FIRST.values(), *SECOND.values()]}

    hub.clear_requests()
    seen = hf_python(
        hub,
        """
        import hashlib, json
        from pathlib import Path
        from huggingface_hub import scan_cache_dir, hf_hub_download, snapshot_download
        info = scan_cache_dir()
        repo = next(r for r in info.repos if r.repo_id == "org/m")
        snap = Path(snapshot_download("org/m", local_files_only=True))
        files = {p.relative_to(snap).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
                 for p in snap.rglob("*") if p.is_file()}
        old = Path(snapshot_download("org/m", revision="v1", local_files_only=True))
        pr = Path(snapshot_download("org/m", revision="refs/pr/1", local_files_only=True))
        one = hf_hub_download("org/m", "notes/a file [1].txt", local_files_only=True)
        print(json.dumps({
            "warnings": [str(w) for w in info.warnings],
            "type": repo.repo_type,
            "size": repo.size_on_disk,
            "nb_files": repo.nb_files,
            "revisions": sorted(r.commit_hash for r in repo.revisions),
            "refs": {ref: r.commit_hash for r in repo.revisions for ref in r.refs},
            "files": files,
            "old": old.name, "pr": pr.name,
            "one": Path(one).read_text(),
        }))
        """,
    )
    assert seen["warnings"] == []
    assert seen["type"] == "model"
    assert seen["size"] == sum(distinct_blobs.values())
    assert seen["nb_files"] == len(distinct_blobs)
    assert seen["revisions"] == sorted([old, new])
    assert seen["refs"] == {"main": new, "v1": old, "refs/pr/1": old}
    assert seen["files"] == {path: hashlib.sha256(file_bytes(spec)).hexdigest() for path, spec in SECOND.items()}
    assert seen["old"] == old and seen["pr"] == old
    assert seen["one"] == "space and brackets\n"
    assert hub.requests() == [], "local_files_only must not need the network"

    verify = run([hf_bin(), "cache", "verify", "org/m"], hub, home)
    assert "verified" in (verify.stdout + verify.stderr).lower(), verify.stdout + verify.stderr
    for revision in ["v1", "refs/pr/1"]:
        run([hf_bin(), "cache", "verify", "org/m", "--revision", revision], hub, home)


def test_hf_cache_verify_catches_a_changed_byte(fakehub, hf_python):
    # The check above must be able to fail: the same verification on a tampered blob does.
    hub = fakehub(manifest=MANIFEST)
    home = hf_python.home
    run([haul_bin(), "download", "org/m", "-q"], hub, home)
    blob = home / "hub" / "models--org--m" / "blobs" / hashlib.sha256(file_bytes(SECOND["model.safetensors"])).hexdigest()
    data = bytearray(blob.read_bytes())
    data[100] ^= 0xFF
    blob.write_bytes(bytes(data))
    verify = run([hf_bin(), "cache", "verify", "org/m"], hub, home, check=False)
    assert verify.returncode != 0, verify.stdout + verify.stderr


def test_hf_download_local_dir_fetches_nothing_after_haul(fakehub, hf_python, tmp_path):
    hub = fakehub(manifest=MANIFEST)
    home = hf_python.home
    target = tmp_path / "model"
    run([haul_bin(), "download", "org/m", "--local-dir", str(target), "-q"], hub, home)
    hub.clear_requests()
    out = run([hf_bin(), "download", "org/m", "--local-dir", str(target)], hub, home)
    fetched = [r for r in hub.requests() if r["listener"] == "cdn" or (r["method"] == "GET" and "/resolve/" in r["path"])]
    assert fetched == [], f"hf download re-fetched: {fetched}\n{out.stderr}"
    for path, spec in SECOND.items():
        assert (target / path).read_bytes() == file_bytes(spec), path
