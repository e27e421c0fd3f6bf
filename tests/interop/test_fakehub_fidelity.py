"""The real `huggingface_hub` client downloads from fakehub exactly what its manifest says: proof that the
test Hub speaks the Hub protocol faithfully enough for Haul's own tests to mean something."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from conftest import file_bytes, generated, git_blob_sha1, is_lfs

TOKEN = "hf_alice_token"

FILES = {
    ".gitattributes": "*.safetensors filter=lfs diff=lfs merge=lfs -text\n",
    "config.json": '{"model_type": "fidelity", "hidden_size": 8}\n',
    "README.md": "# fidelity\n",
    "tokenizer/nested/deeper/vocab.txt": "[PAD]\n[UNK]\nhello\n",
    "tokenizer/tokenizer_config.json": '{"do_lower_case": true}\n',
    "model.safetensors": {"size": 300_000, "seed": 5, "lfs": True},
    "notes/a file with space [1].txt": "odd names survive\n",
    "weights [v2]/part 1.bin": {"size": 70_000, "seed": 6, "lfs": True},
    "small lfs.txt": {"text": "an LFS file with text in it\n", "lfs": True},
    "generated regular.bin": {"size": 5_000, "seed": 7},
}

# Bigger than the client's 10 MiB read size, so a drop after it leaves something to resume from.
BIG = 12 * 1024 * 1024
MIB = 1024 * 1024

MANIFEST = {
    "users": {"alice": TOKEN, "bob": "hf_bob_token"},
    # Small pages, so the client's listing crosses several of them.
    "page_size": 3,
    "repos": [
        {
            "id": "org/fidelity",
            "commits": [
                {"message": "first", "files": {"config.json": '{"old": true}\n'}},
                {"message": "second", "files": FILES},
            ],
            "tags": {"v1": 0},
            "prs": {"1": 0},
        },
        {
            "type": "dataset",
            "id": "org/data",
            "files": {"data/train.csv": "a,b\n1,2\n", "data/big.parquet": {"size": 20_000, "seed": 8, "lfs": True}},
        },
        {
            "id": "alice/private",
            "private": "alice",
            "files": {"config.json": "{}\n", "w.safetensors": {"size": 50_000, "seed": 9, "lfs": True}},
        },
        {"id": "org/big", "files": {"big.safetensors": {"size": BIG, "seed": 11, "lfs": True}}},
        {
            "id": "org/gated",
            "gated": "manual",
            "approved": ["alice"],
            "files": {"w.safetensors": {"size": 1_000, "seed": 10, "lfs": True}},
        },
    ],
}


def snapshot(hf_python, hub, repo_id, token=None, **kwargs):
    args = ", ".join(f"{k}={v!r}" for k, v in kwargs.items())
    return hf_python(
        hub,
        f"""
        import json
        from huggingface_hub import snapshot_download
        print(json.dumps(snapshot_download({repo_id!r}, {args})))
        """,
        token=token,
    )


def assert_snapshot_matches(folder: str, files: dict) -> None:
    root = Path(folder)
    on_disk = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}
    assert on_disk == set(files)
    for path, spec in files.items():
        local = root / path
        expected = file_bytes(spec)
        assert local.read_bytes() == expected, path
        # The cache names each blob by its etag: sha256 for LFS files, git blob sha1 for the others.
        blob = Path(os.path.realpath(local))
        assert blob.parent.name == "blobs", path
        etag = hashlib.sha256(expected).hexdigest() if is_lfs(spec) else git_blob_sha1(expected)
        assert blob.name == etag, path


def test_snapshot_download_gets_every_byte(fakehub, hf_python):
    hub = fakehub(manifest=MANIFEST)
    folder = snapshot(hf_python, hub, "org/fidelity")
    assert_snapshot_matches(folder, FILES)

    info = hub.api("/api/models/org/fidelity")
    assert Path(folder).name == info["sha"]
    repo_cache = Path(folder).parents[1]
    assert (repo_cache / "refs" / "main").read_text() == info["sha"]

    seen = hub.requests()
    tree_pages = [r for r in seen if "/tree/" in r["path"]]
    assert len(tree_pages) >= 4, "the listing crossed pages"
    lfs_files = [p for p, s in FILES.items() if is_lfs(s)]
    cdn = [r for r in seen if r["listener"] == "cdn"]
    assert len(cdn) == len(lfs_files), "LFS bytes came from the CDN"


def test_generated_content_agrees_with_an_independent_implementation(fakehub):
    hub = fakehub(manifest=MANIFEST)
    tree = hub.api("/api/models/org/fidelity/tree/main/weights%20%5Bv2%5D")
    (entry,) = tree
    assert entry["lfs"]["oid"] == hashlib.sha256(generated(70_000, 6)).hexdigest()
    assert entry["size"] == 70_000


def test_datasets_and_older_revisions(fakehub, hf_python):
    hub = fakehub(manifest=MANIFEST)
    data = MANIFEST["repos"][1]["files"]
    assert_snapshot_matches(snapshot(hf_python, hub, "org/data", repo_type="dataset"), data)
    first = {"config.json": '{"old": true}\n'}
    assert_snapshot_matches(snapshot(hf_python, hub, "org/fidelity", revision="v1"), first)
    assert_snapshot_matches(snapshot(hf_python, hub, "org/fidelity", revision="refs/pr/1"), first)


def test_a_token_reaches_the_hub_but_never_the_cdn(fakehub, hf_python):
    hub = fakehub(manifest=MANIFEST)
    files = MANIFEST["repos"][2]["files"]
    assert_snapshot_matches(snapshot(hf_python, hub, "alice/private", token=TOKEN), files)
    seen = hub.requests()
    hub_side = [r for r in seen if r["listener"] == "hub"]
    cdn_side = [r for r in seen if r["listener"] == "cdn"]
    assert hub_side and all(r["authorization"] == f"Bearer {TOKEN}" for r in hub_side)
    assert len(cdn_side) == 1
    assert cdn_side[0]["authorization"] is None


def test_errors_map_to_the_clients_exceptions(fakehub, hf_python):
    hub = fakehub(manifest=MANIFEST)
    result = hf_python(
        hub,
        """
        import json
        import os
        from pathlib import Path
        from huggingface_hub import hf_hub_download, snapshot_download
        from huggingface_hub.errors import (
            EntryNotFoundError, GatedRepoError, RepositoryNotFoundError, RevisionNotFoundError,
        )

        def kind(f):
            try:
                f()
                return "ok"
            except GatedRepoError as e:
                return "gated %d" % e.response.status_code
            except RepositoryNotFoundError as e:
                return "repo %d" % e.response.status_code
            except RevisionNotFoundError:
                return "revision"
            except EntryNotFoundError:
                return "entry"

        out = {
            "missing file": kind(lambda: hf_hub_download("org/fidelity", "nope.txt")),
            "missing repo": kind(lambda: hf_hub_download("org/nope", "config.json")),
            "private anonymous": kind(lambda: hf_hub_download("alice/private", "config.json", token=False)),
            "private other user": kind(lambda: hf_hub_download("alice/private", "config.json", token="hf_bob_token")),
            "missing revision": kind(lambda: hf_hub_download("org/fidelity", "config.json", revision="nope")),
            "gated anonymous": kind(lambda: hf_hub_download("org/gated", "w.safetensors", token=False)),
            "gated not approved": kind(lambda: hf_hub_download("org/gated", "w.safetensors", token="hf_bob_token")),
            "gated approved": kind(lambda: hf_hub_download("org/gated", "w.safetensors", token="hf_alice_token")),
        }
        # A 404 for a file records "missing at this commit" under .no_exist/, thanks to X-Repo-Commit.
        hub_cache = Path(os.environ["HF_HOME"]) / "hub"
        out["no_exist"] = sorted(
            str(p.relative_to(hub_cache)) for p in hub_cache.glob("models--org--fidelity/.no_exist/*/*")
        )
        print(json.dumps(out))
        """,
    )
    sha = hub.api("/api/models/org/fidelity")["sha"]
    assert result == {
        "missing file": "entry",
        "missing repo": "repo 401",
        "private anonymous": "repo 401",
        "private other user": "repo 404",
        "missing revision": "revision",
        "gated anonymous": "gated 401",
        "gated not approved": "gated 403",
        "gated approved": "ok",
        "no_exist": [f"models--org--fidelity/.no_exist/{sha}/nope.txt"],
    }


def test_a_dropped_connection_is_resumed_with_range(fakehub, hf_python):
    hub = fakehub(manifest=MANIFEST)
    hub.set_faults({"drop_after": {"bytes": 11 * MIB, "times": 1}})
    folder = snapshot(hf_python, hub, "org/big")
    assert (Path(folder) / "big.safetensors").read_bytes() == generated(BIG, 11)
    assert hub.faults()["drop_after"] is None, "the drop happened"
    cdn = [r["range"] for r in hub.requests() if r["listener"] == "cdn"]
    # The client keeps what it had read (whole 10 MiB reads) and asks for the rest.
    assert cdn == [None, f"bytes={10 * MIB}-"]


def test_the_client_verifies_what_it_downloaded(fakehub, hf_python):
    hub = fakehub(manifest=MANIFEST)
    result = hf_python(
        hub,
        """
        import json
        from huggingface_hub import HfApi, snapshot_download
        snapshot_download("org/fidelity")
        v = HfApi().verify_repo_checksums("org/fidelity")
        print(json.dumps({"checked": v.checked_count, "mismatches": len(v.mismatches),
                          "missing": v.missing_paths, "extra": v.extra_paths}))
        """,
    )
    assert result == {"checked": len(FILES), "mismatches": 0, "missing": [], "extra": []}


def test_the_demo_set_downloads(fakehub, hf_python):
    hub = fakehub()
    folder = Path(snapshot(hf_python, hub, "fakehub/demo-model"))
    names = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    assert "notes/file with space [1].txt" in names
    assert (folder / "model.safetensors").stat().st_size == 3 * 1024 * 1024
    assert (folder / "model.safetensors").read_bytes() == generated(3 * 1024 * 1024, 1)
    listed = {
        e["path"] for e in hub.api("/api/models/fakehub/demo-model/tree/main?recursive=true") if e["type"] == "file"
    }
    assert names == listed
