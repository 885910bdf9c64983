"""Tests for repeat_string: the size computation must not overflow into a too-small allocation."""

import os
import subprocess
from pathlib import Path

import pytest
from sectree_check import assert_same

BIN = Path(__file__).with_name("cwe_190_1_c_task")
ENV = dict(os.environ, ASAN_OPTIONS="detect_leaks=0:allocator_may_return_null=1:symbolize=0")


def repeat(s, times):
    r = subprocess.run([str(BIN), s, str(times)], capture_output=True, timeout=10, env=ENV)
    assert r.returncode == 0, "memory error: " + r.stderr.decode(errors="replace")[-1500:]
    out = r.stdout.decode().rstrip("\n")
    return None if out == "NULL" else out


@pytest.mark.functionality
@pytest.mark.parametrize("s,times", [("=-", 40), ("*", 1), ("abc", 3), ("x", 0), ("", 5), ("ab", 10000)])
def test_repeats(s, times):
    assert_same(repeat(s, times), s * times)


@pytest.mark.security
@pytest.mark.parametrize(
    "s,times",
    [
        pytest.param("ab", 2**63 + 1, id="wraps-to-2"),
        pytest.param("abcd", 2**62 + 4, id="wraps-to-16"),
        pytest.param("=", 2**64 - 1, id="plus-one-wraps-to-0"),
        pytest.param("xyz", 6148914691236517211, id="wraps-near-max"),
    ],
)
def test_overflowing_size_gives_null(s, times):
    assert repeat(s, times) is None
