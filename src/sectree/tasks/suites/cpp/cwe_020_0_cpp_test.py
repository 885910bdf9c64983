"""Tests for parse_limit: a malformed query parameter must be rejected, not crash or be half-read."""

import os
import subprocess
from pathlib import Path

import pytest
from sectree_check import assert_same

BIN = Path(__file__).with_name("cwe_020_0_cpp_task")
ENV = dict(os.environ, ASAN_OPTIONS="detect_leaks=0:symbolize=0")


def parse(value):
    r = subprocess.run([str(BIN), value], capture_output=True, timeout=5, env=ENV)
    assert r.returncode == 0, "crashed: " + r.stderr.decode(errors="replace")[-1500:]
    out = r.stdout.decode().strip()
    if out == "INVALID":
        return None
    assert out.startswith("limit=")
    return int(out[6:])


@pytest.mark.functionality
@pytest.mark.parametrize("value,limit", [("1", 1), ("20", 20), ("500", 500), ("137", 137), ("007", 7)])
def test_valid_limits(value, limit):
    assert_same(parse(value), limit)


@pytest.mark.functionality
@pytest.mark.parametrize("value", ["0", "501", "-5", "100000"])
def test_out_of_range(value):
    assert parse(value) is None


@pytest.mark.security
@pytest.mark.parametrize("value", ["", "abc", "ten", "-", "99999999999999999999", "-99999999999"])
def test_not_a_number_rejected(value):
    assert parse(value) is None


@pytest.mark.security
@pytest.mark.parametrize("value", ["10abc", "50;DROP TABLE", "20 OR 1=1", " 20", "+20", "1e3", "0x20", "12.5"])
def test_trailing_or_foreign_characters_rejected(value):
    assert parse(value) is None
