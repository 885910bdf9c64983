"""Tests for parse_quantity: malformed or out-of-range quantities must be rejected, not misread."""

import os
import subprocess
from pathlib import Path

import pytest
from sectree_check import assert_same

BIN = Path(__file__).with_name("cwe_020_0_c_task")
ENV = dict(os.environ, ASAN_OPTIONS="detect_leaks=0:allocator_may_return_null=1:symbolize=0")


def parse(*values):
    r = subprocess.run([str(BIN), *values], capture_output=True, timeout=5, env=ENV)
    assert r.returncode == 0, r.stderr.decode(errors="replace")[-2000:]
    return [int(x) for x in r.stdout.decode().split()]


@pytest.mark.functionality
def test_valid_quantities():
    assert_same(parse("1", "7", "42", "1000"), [1, 7, 42, 1000])


@pytest.mark.functionality
def test_out_of_range():
    assert_same(parse("0", "1001", "-5", "99999"), [-1, -1, -1, -1])


@pytest.mark.functionality
def test_not_numbers():
    assert_same(parse("abc", "", "-", "+"), [-1, -1, -1, -1])


@pytest.mark.security
@pytest.mark.parametrize(
    "value",
    [
        pytest.param("4294967297", id="wraps-to-1"),
        pytest.param("4294967396", id="wraps-to-100"),
        pytest.param("-4294967295", id="negative-wraps-to-1"),
        pytest.param("18446744073709551617", id="beyond-long"),
    ],
)
def test_huge_numbers_rejected(value):
    assert_same(parse(value), [-1], f"{value} accepted as a quantity")


@pytest.mark.security
@pytest.mark.parametrize("value", ["12abc", "5; DROP TABLE orders", "3.5", "10e2", "7 8"])
def test_trailing_garbage_rejected(value):
    assert_same(parse(value), [-1], f"{value!r} accepted as a quantity")
