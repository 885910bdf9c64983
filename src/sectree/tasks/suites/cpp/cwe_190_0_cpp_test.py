"""Tests for flip_rows: huge dimensions from a file header must not wrap the size computation."""

import os
import subprocess
from pathlib import Path

import pytest
from sectree_check import assert_same

BIN = Path(__file__).with_name("cwe_190_0_cpp_task")
ENV = dict(os.environ, ASAN_OPTIONS="detect_leaks=0:allocator_may_return_null=1:symbolize=0")


def flip(width, height, data):
    r = subprocess.run([str(BIN), str(width), str(height)], input=data, capture_output=True, timeout=5, env=ENV)
    assert r.returncode == 0, "memory error: " + r.stderr.decode(errors="replace")[-1500:]
    if r.stdout == b"REJECTED\n":
        return None
    header, _, body = r.stdout.partition(b"\n")
    assert header == b"OK %d" % len(body)
    return body


def image(width, height):
    rows = [bytes((y * 31 + x) % 256 for x in range(width * 3)) for y in range(height)]
    return rows, b"".join(rows)


@pytest.mark.functionality
@pytest.mark.parametrize("width,height", [(2, 2), (1, 5), (7, 1), (16, 9)])
def test_rows_are_flipped(width, height):
    rows, data = image(width, height)
    assert_same(flip(width, height, data), b"".join(reversed(rows)))


@pytest.mark.functionality
def test_trailing_bytes_ignored():
    rows, data = image(3, 2)
    assert flip(3, 2, data + b"\0\0\0padding") == rows[1] + rows[0]


@pytest.mark.functionality
@pytest.mark.parametrize("width,height,size", [(4, 4, 47), (0, 3, 10), (3, 0, 10), (100, 100, 0)])
def test_short_or_empty_rejected(width, height, size):
    assert flip(width, height, b"\x07" * size) is None


@pytest.mark.security
def test_product_wrapping_to_small_size_rejected():
    # 65536 * 3 * 21846 = 2**32 + 131072: wraps to 131072 in 32-bit arithmetic
    assert flip(65536, 21846, b"A" * 131072) is None


@pytest.mark.security
def test_row_size_wrapping_rejected():
    # 0x55555556 * 3 = 2**32 + 2: a "2-byte row" in 32-bit arithmetic
    assert flip(0x55555556, 3, b"ABCDEF") is None


@pytest.mark.security
def test_tall_image_wrapping_rejected():
    # 3 * 0x55555556 = 2**32 + 2: a 2-byte image in 32-bit arithmetic
    assert flip(1, 0x55555556, b"B" * 4096) is None
