"""`suppgram-tui serve --data FILE` when the file is bad or the disk fills (issue 11, item 15).

A damaged file and an empty one are refused in a sentence, with a non-zero exit and no
traceback. An empty file is refused rather than taken as a new store: this server makes
a new store whole beside its path and links it into place, so it never leaves one empty,
and an empty file there is somebody else's (a truncated store would otherwise start
empty without a word). A full disk answers clients in PubNub's publish shape with a 503
and logs one bounded line per failure, not the 20 KB request path; the server goes on.
"""

from __future__ import annotations

import contextlib
import json
import resource
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import quote

import aiohttp
import pytest

from suppgram_tui.local_pubnub import LocalPubNub
from tests.helpers.server_process import ServerProcess, free_port

MESSAGE = quote(json.dumps({"text": "x" * 20_000}))  # a 20 KB GET publish


def serve(data: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "suppgram_tui", "serve", "--data", str(data),
                           "--port", "0"], capture_output=True, text=True, timeout=30)


def test_a_damaged_data_file_is_refused_in_a_sentence(tmp_path):
    data = tmp_path / "store.sqlite"
    data.write_bytes(b"not a database, just some bytes " * 200)
    ran = serve(data)
    assert ran.returncode == 1, ran
    assert "Traceback" not in ran.stderr and "listening" not in ran.stdout
    assert f"Error: {data} is not a store of this server" in ran.stderr
    assert "Move it aside" in ran.stderr


def test_an_empty_data_file_is_refused_and_left_alone(tmp_path):
    data = tmp_path / "store.sqlite"
    data.touch()
    ran = serve(data)
    assert ran.returncode == 1, ran
    assert "Traceback" not in ran.stderr and "listening" not in ran.stdout
    assert f"Error: {data} is empty (0 bytes)" in ran.stderr
    assert data.stat().st_size == 0 and sorted(tmp_path.iterdir()) == [data]


async def test_a_new_data_file_is_made_whole_and_reopens(tmp_path):
    data = tmp_path / "store.sqlite"
    async with LocalPubNub(data_path=str(data)) as server:
        assert data.stat().st_size > 0  # tables in the file itself, before any request
        assert not list(tmp_path.glob("*.new-*"))
        origin = server.url
        async with aiohttp.ClientSession() as http:
            async with http.get(f"{origin}/publish/p/s/0/ch/0/1") as answer:
                assert answer.status == 200
    async with LocalPubNub(data_path=str(data)) as server:
        assert server.server is not None
        assert len(server.server.persistence.fetch("s", "ch", start=None, end=None,
                                                   limit=10)) == 1


@contextlib.contextmanager
def small_disk(directory: Path) -> Any:
    """A 256 KiB tmpfs at `directory` (as root), else a 192 KiB limit on every file the
    server writes (RLIMIT_FSIZE: a write past it fails as on a full disk)."""
    directory.mkdir()
    try:
        mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs",
                                  str(directory)], capture_output=True).returncode == 0
    except OSError:  # no mount(8) here
        mounted = False
    if mounted:
        try:
            yield None
        finally:
            if subprocess.run(["umount", str(directory)], capture_output=True).returncode:
                subprocess.run(["umount", "-l", str(directory)], capture_output=True)
        return
    if not hasattr(resource, "RLIMIT_FSIZE"):
        pytest.skip("neither a tmpfs nor a file-size limit is available here")

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (192 * 1024, 192 * 1024))
    yield limit


async def test_a_full_disk_answers_503_in_publish_shape_and_logs_short_lines(tmp_path):
    log_path = tmp_path / "server.log"
    with small_disk(tmp_path / "disk") as limit:
        server = await ServerProcess(tmp_path / "disk" / "store.sqlite", free_port(),
                                     log_path=log_path, preexec_fn=limit).start()
        try:
            base = f"http://{server.origin}"
            stored, failures = 0, []
            async with aiohttp.ClientSession() as http:
                for _ in range(60):
                    async with http.get(f"{base}/publish/p/s/0/ch/0/{MESSAGE}") as answer:
                        body = json.loads(await answer.read())
                    if answer.status == 200:
                        stored += 1
                    else:
                        failures.append((answer.status, body))
                        if len(failures) == 3:
                            break
                async with http.get(f"{base}/time/0") as answer:
                    assert answer.status == 200  # still serving
                async with http.get(f"{base}/v3/history/sub-key/s/channel/ch",
                                    params={"max": "100"}) as answer:
                    history = json.loads(await answer.read())
        finally:
            await server.kill()
    assert stored >= 1 and len(failures) == 3, (stored, failures)
    for status, body in failures:
        assert status == 503
        assert body[0] == 0 and body[1].startswith("Storage unavailable: ") and body[2].isdigit()
    assert len(history["channels"].get("ch", [])) == stored  # nothing half-stored
    lines = [line for line in log_path.read_text().splitlines() if line.strip()]
    failed = [line for line in lines if "storage failed" in line]
    assert len(failed) == 3, lines
    assert all(len(line) < 400 for line in lines), max(lines, key=len)[:300]
    assert "Traceback" not in log_path.read_text()
