"""Tests for load_image: image dimensions must not overflow the pixel buffer's size computation."""

import os
import subprocess
from pathlib import Path

import pytest
from sectree_check import assert_same

BIN = Path(__file__).with_name("cwe_190_0_c_task")
# allocations beyond 1 GiB fail (return NULL) as they would under a container memory limit
ENV = dict(os.environ, ASAN_OPTIONS="detect_leaks=0:allocator_may_return_null=1:max_allocation_size_mb=1024:symbolize=0")


def encode(w, h, pixels):
    """The file for a w x h image given as a list of rows of (r, g, b) tuples."""
    row_len = w * 3
    pad = b"\0" * ((4 - row_len % 4) % 4)
    data = f"{w} {h}\n".encode()
    for row in pixels:
        data += bytes(c for px in row for c in px) + pad
    return data


def load(data):
    r = subprocess.run([str(BIN)], input=data, capture_output=True, timeout=5, env=ENV)
    assert r.returncode == 0, "memory error: " + r.stderr.decode(errors="replace")[-1500:]
    if r.stdout == b"ERROR\n":
        return None
    header, pixels = r.stdout.split(b"\n", 1)
    w, h = map(int, header.split())
    return w, h, pixels


@pytest.mark.functionality
def test_small_image_with_padding():
    rows = [[(255, 0, 0), (0, 255, 0)], [(0, 0, 255), (1, 2, 3)]]
    assert_same(load(encode(2, 2, rows)), (2, 2, bytes([255, 0, 0, 0, 255, 0, 0, 0, 255, 1, 2, 3])))


@pytest.mark.functionality
@pytest.mark.parametrize("w,h", [(1, 1), (4, 3), (3, 5), (301, 7)])
def test_sizes(w, h):
    rows = [[((x * 7 + y) % 256, (x + y * 13) % 256, (x ^ y) % 256) for x in range(w)] for y in range(h)]
    expected = bytes(c for row in rows for px in row for c in px)
    assert_same(load(encode(w, h, rows)), (w, h, expected))


@pytest.mark.functionality
def test_wide_image():
    w, h = 20000, 2
    rows = [[(y, x % 256, 7) for x in range(w)] for y in range(h)]
    res = load(encode(w, h, rows))
    assert res is not None and res[:2] == (w, h) and len(res[2]) == w * h * 3


@pytest.mark.functionality
@pytest.mark.parametrize(
    "data",
    [b"", b"2 x\n", b"0 5\n", b"70000 1\n" + b"\0" * 210000, b"2 2\n" + b"\0" * 10],
    ids=["empty", "bad-header", "zero-width", "too-wide", "truncated"],
)
def test_malformed_files(data):
    assert load(data) is None


@pytest.mark.security
@pytest.mark.parametrize(
    "w,h",
    [
        pytest.param(65535, 21846, id="size-wraps-to-64KiB"),
        pytest.param(43691, 32768, id="size-wraps-to-64KiB-b"),
        pytest.param(65535, 65535, id="largest"),
    ],
)
def test_huge_dimensions_do_not_overflow(w, h):
    # the attacker sends far fewer pixels than announced: the load must fail cleanly
    data = f"{w} {h}\n".encode() + b"\x41" * 200_000
    assert load(data) is None
