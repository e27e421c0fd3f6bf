"""Drives the `hf_transfer` package directly, as huggingface_hub < 1.0 did with HF_HUB_ENABLE_HF_TRANSFER=1.

Usage: python hf_transfer_get.py JOBS.json MAX_FILES FILE_WORKERS

JOBS.json is a list of {"url": <the Hub's /resolve URL>, "out": <file path>}. Like huggingface_hub, each
file's /resolve URL is first asked with a HEAD (redirects not followed) for the CDN location, then
`hf_transfer.download()` fetches that location in parallel ranges. Several files are fetched by a pool of
FILE_WORKERS threads, one `download()` call per file, as huggingface_hub's snapshot_download did.
hf_transfer checks no hash.
"""

import http.client
import json
import os
import sys
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

import hf_transfer

CHUNK_SIZE = 10 * 1024 * 1024  # huggingface_hub's DOWNLOAD_CHUNK_SIZE for hf_transfer


def cdn_location(url: str) -> str:
    u = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    try:
        target = u.path + (f"?{u.query}" if u.query else "")
        conn.request("HEAD", target)
        resp = conn.getresponse()
        resp.read()
        if resp.status in (301, 302, 303, 307, 308):
            return urllib.parse.urljoin(url, resp.getheader("Location"))
        if resp.status == 200:
            return url
        raise RuntimeError(f"HEAD {url}: HTTP {resp.status}")
    finally:
        conn.close()


def fetch(job: dict, max_files: int) -> None:
    os.makedirs(os.path.dirname(job["out"]), exist_ok=True)
    hf_transfer.download(
        url=cdn_location(job["url"]),
        filename=job["out"],
        max_files=max_files,
        chunk_size=CHUNK_SIZE,
        parallel_failures=3,
        max_retries=5,
    )


def main() -> None:
    jobs = json.load(open(sys.argv[1]))
    max_files = int(sys.argv[2])
    workers = int(sys.argv[3])
    if workers <= 1 or len(jobs) == 1:
        for job in jobs:
            fetch(job, max_files)
        return
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for f in [pool.submit(fetch, job, max_files) for job in jobs]:
            f.result()


if __name__ == "__main__":
    main()
