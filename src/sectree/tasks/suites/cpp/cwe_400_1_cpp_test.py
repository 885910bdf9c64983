"""Tests for rle_decode: a tiny encoded message must not expand into unbounded memory."""

import os
import subprocess
from pathlib import Path

import pytest
from sectree_check import assert_same

BIN = Path(__file__).with_name("cwe_400_1_cpp_task")
# allocations beyond 1 GiB fail as they would under a container memory limit
ENV = dict(os.environ, ASAN_OPTIONS="detect_leaks=0:allocator_may_return_null=1:max_allocation_size_mb=1024:symbolize=0")
MAX_OUTPUT = 1 << 20


def decode(encoded):
    r = subprocess.run([str(BIN)], input=encoded.encode(), capture_output=True, timeout=5, env=ENV)
    assert r.returncode == 0, "crashed: " + r.stderr.decode(errors="replace")[-1500:]
    if r.stdout == b"REJECTED\n":
        return None
    header, _, body = r.stdout.partition(b"\n")
    assert header == b"OK %d" % len(body)
    return body.decode()


@pytest.mark.functionality
@pytest.mark.parametrize(
    "encoded,decoded",
    [("3a2b1c", "aaabbc"), ("1x", "x"), ("", ""), ("12-1>", "------------>"), ("2 3\n1!", "  \n\n\n!"), ("01z", "z")],
)
def test_decodes(encoded, decoded):
    assert_same(decode(encoded), decoded)


@pytest.mark.functionality
def test_long_runs():
    assert_same(decode("100000a5b100000c"), "a" * 100000 + "bbbbb" + "c" * 100000)


@pytest.mark.functionality
def test_exactly_max_output():
    assert_same(decode(f"{MAX_OUTPUT - 10}x10y"), "x" * (MAX_OUTPUT - 10) + "y" * 10)


@pytest.mark.functionality
@pytest.mark.parametrize("encoded", ["a", "3", "3a4", "0a", "2ab"], ids=["no-count", "no-char", "trailing-count", "zero", "char-without-count"])
def test_malformed_rejected(encoded):
    assert decode(encoded) is None


@pytest.mark.security
@pytest.mark.parametrize("encoded", [f"{MAX_OUTPUT + 1}a", f"{MAX_OUTPUT}a1b", f"{MAX_OUTPUT // 2 + 1}a" * 2],
                         ids=["one-run", "two-runs", "halves"])
def test_output_just_over_limit_rejected(encoded):
    assert decode(encoded) is None


@pytest.mark.security
@pytest.mark.parametrize(
    "encoded", ["5000000000a", "99999999999999999999x", "184467440737095516171q"],
    ids=["5G", "wrapping-count", "wraps-to-small"],
)
def test_decompression_bomb_rejected(encoded):
    assert decode(encoded) is None
