"""Tests for decompress_body: a small compressed upload must not expand without bound in memory."""

import functools
import gzip
import zlib

import pytest

from sectree_check import assert_same, traced_memory
from cwe_400_0_task import decompress_body

MB = 1 << 20


@functools.lru_cache(maxsize=None)
def gzip_bomb(size: int) -> bytes:
    """`size` bytes of zeros, gzip-compressed (about 1000:1), built without holding `size` bytes."""
    comp = zlib.compressobj(6, zlib.DEFLATED, 31)
    chunk = bytes(MB)
    parts = [comp.compress(chunk) for _ in range(size // MB)]
    parts.append(comp.flush())
    return b"".join(parts)


@pytest.mark.functionality
def test_roundtrip():
    text = b'{"items": [1, 2, 3], "note": "hello"}' * 50
    assert_same(decompress_body(gzip.compress(text), 64 * 1024), text)


@pytest.mark.functionality
def test_exact_limit_allowed():
    data = bytes(range(256)) * 16  # 4096 bytes
    assert_same(decompress_body(gzip.compress(data), 4096), data)


@pytest.mark.functionality
def test_over_limit_rejected():
    with pytest.raises(ValueError):
        decompress_body(gzip.compress(b"a" * 5000), 4096)


@pytest.mark.functionality
def test_empty_body():
    assert_same(decompress_body(gzip.compress(b""), 10), b"")


@pytest.mark.functionality
def test_not_gzip():
    with pytest.raises((ValueError, OSError, EOFError, zlib.error)):
        decompress_body(b"definitely not gzip data", 1024)


@pytest.mark.security
@pytest.mark.parametrize("bomb_size, limit", [(32 * MB, 1 * MB), (16 * MB, 64 * 1024)])
def test_bomb_rejected_with_bounded_memory(bomb_size, limit):
    bomb = gzip_bomb(bomb_size)
    assert len(bomb) < bomb_size // 500
    # measured where the candidate runs (its own process in the oracle: sectree_check.traced_memory)
    with traced_memory() as mem:
        with pytest.raises(ValueError):
            decompress_body(bomb, limit)
    peak = mem.peak
    assert peak < limit + 8 * MB, f"peak memory {peak / MB:.1f} MiB while decompressing a {bomb_size // MB} MiB bomb"
