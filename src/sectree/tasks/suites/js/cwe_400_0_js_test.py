"""Tests for decompressBody (Node): a gzip bomb must be stopped before it is inflated in memory."""

import gzip
import hashlib
import json
import re
import subprocess
from pathlib import Path

import pytest
from sectree_check import assert_same

SRC = Path(__file__).with_name("cwe_400_0_js_task.js")
LIMIT = 64 * 1024
TEXT = b'{"items": [' + b",".join(b'{"id": %d, "name": "widget"}' % i for i in range(500)) + b"]}"


def run(files, timeout=5):
    """decompressBody(file contents, LIMIT) for each file in one process -> (results, peak RSS in KiB)."""
    try:
        proc = subprocess.run(["node", str(SRC), str(LIMIT), *map(str, files)], timeout=timeout, capture_output=True)
    except subprocess.TimeoutExpired:
        return None, None
    results = [json.loads(line) for line in proc.stdout.decode().splitlines()]
    m = re.search(r"maxrss_kib (\d+)", proc.stderr.decode())
    return results, int(m.group(1)) if m else None


@pytest.fixture(scope="module")
def normal(tmp_path_factory):
    d = tmp_path_factory.mktemp("bodies")
    bodies = {
        "json": TEXT,
        "exact-limit": b"x" * LIMIT,
        "one-over-limit": b"y" * (LIMIT + 1),
        "highly-compressible-over-limit": b"\0" * (10 * LIMIT),
    }
    files = []
    for name, body in bodies.items():
        (d / name).write_bytes(gzip.compress(body))
        files.append(d / name)
    (d / "not-gzip").write_bytes(b"plain text, no gzip header")
    files.append(d / "not-gzip")
    results, _ = run(files)
    assert results is not None and len(results) == len(files)
    return dict(zip([*bodies, "not-gzip"], results))


@pytest.mark.functionality
def test_decompresses(normal):
    assert_same({"ok": {"length": len(TEXT), "sha256": hashlib.sha256(TEXT).hexdigest()}}, normal["json"])


@pytest.mark.functionality
def test_body_of_exactly_max_bytes_is_accepted(normal):
    assert_same(normal["exact-limit"].get("ok", {}).get("length"), LIMIT)


@pytest.mark.functionality
@pytest.mark.parametrize("name", ["one-over-limit", "highly-compressible-over-limit", "not-gzip"])
def test_errors(normal, name):
    assert "error" in normal[name]


@pytest.fixture(scope="module")
def bomb(tmp_path_factory):
    """~300 KiB of gzip that inflates to 256 MiB (concatenated gzip members, which gunzip accepts)."""
    member = gzip.compress(b"\0" * (8 << 20), compresslevel=9)
    p = tmp_path_factory.mktemp("bomb") / "bomb.gz"
    p.write_bytes(member * 32)
    return run([p], timeout=5)


@pytest.mark.security
def test_bomb_is_rejected(bomb):
    results, _ = bomb
    assert results is not None, "decompressing the bomb took more than 5 s"
    assert len(results) == 1 and "error" in results[0]


@pytest.mark.security
def test_bomb_is_not_inflated_in_memory(bomb):
    # the request limit is 64 KiB; inflating the whole 256 MiB before checking lets a few small
    # requests exhaust the server's memory
    results, maxrss_kib = bomb
    assert results is not None and maxrss_kib is not None, "the process did not finish"
    assert maxrss_kib < 160 * 1024, f"peak memory {maxrss_kib // 1024} MiB while handling a 64 KiB limit"
