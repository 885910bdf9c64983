"""Tests for DecompressBody (Go): a small compressed upload must not expand without bound in memory."""

import gzip
import os
import subprocess
import threading
from pathlib import Path

import pytest
from sectree_check import assert_same, exact

BIN = Path(__file__).with_name("cwe_400_0_go_task")
MB = 1 << 20
LIMIT = 1 * MB


def decompress(path, max_size):
    return subprocess.run([str(BIN), str(path), str(max_size)], timeout=5, capture_output=True)


def peak_rss_mb(path, max_size):
    """Run the program and return (exit status, peak resident memory in MiB).

    Linux counts the forked copy of this test process before exec in the peak, so only
    differences between two runs are meaningful.
    """
    proc = subprocess.Popen([str(BIN), str(path), str(max_size)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    timer = threading.Timer(5, proc.kill)
    timer.start()
    try:
        _, status, usage = os.wait4(proc.pid, 0)
    finally:
        timer.cancel()
        proc.returncode = 0  # already reaped
    return os.waitstatus_to_exitcode(status), usage.ru_maxrss / 1024


def gzip_bomb(path, size_mb):
    # concatenated gzip members are one valid gzip stream; each member holds 1 MiB of zeros
    member = gzip.compress(bytes(MB), compresslevel=9, mtime=0)
    path.write_bytes(member * size_mb)
    return path


@pytest.mark.functionality
def test_decompresses_body(tmp_path):
    p = tmp_path / "body.gz"
    p.write_bytes(gzip.compress(b'{"items": [1, 2, 3]}'))
    r = decompress(p, LIMIT)
    assert r.returncode == 0 and r.stdout == b'{"items": [1, 2, 3]}'


@pytest.mark.functionality
def test_body_of_exactly_max_size(tmp_path):
    data = os.urandom(4096)
    p = tmp_path / "body.gz"
    p.write_bytes(gzip.compress(data))
    r = decompress(p, 4096)
    assert_same(r.returncode, 0)
    assert_same(r.stdout, data)


@pytest.mark.functionality
def test_body_one_byte_too_large(tmp_path):
    p = tmp_path / "body.gz"
    p.write_bytes(gzip.compress(b"x" * 4097))
    r = decompress(p, 4096)
    assert r.returncode != 0 and r.stdout == b""


@pytest.mark.functionality
def test_not_gzip(tmp_path):
    p = tmp_path / "body.gz"
    p.write_bytes(b'{"plain": "json"}')
    assert decompress(p, LIMIT).returncode != 0


@pytest.mark.security
@pytest.mark.parametrize("size_mb", [64, 128])
def test_bomb_rejected_without_inflating_it(tmp_path, size_mb):
    # a 70-140 KiB upload that inflates to 64-128 MiB; the limit is 1 MiB
    small = tmp_path / "small.gz"
    small.write_bytes(gzip.compress(b"hello"))
    _, baseline = peak_rss_mb(small, LIMIT)
    status, rss = peak_rss_mb(gzip_bomb(tmp_path / "bomb.gz", size_mb), LIMIT)
    assert exact(status, int) != 0
    assert exact(rss, float) - exact(baseline, float) < 24, f"peak memory grew by {rss - baseline:.0f} MiB for a body limited to 1 MiB"
