"""Tests for month_name: a month number from the query string must be range-checked before it indexes the table."""

import os
import subprocess
from pathlib import Path

import pytest
from sectree_check import assert_same

BIN = Path(__file__).with_name("cwe_125_1_c_task")
ENV = dict(os.environ, ASAN_OPTIONS="detect_leaks=0:symbolize=0")


def names(*numbers):
    r = subprocess.run([str(BIN), *numbers], capture_output=True, timeout=5, env=ENV)
    assert r.returncode == 0, "memory error: " + r.stderr.decode(errors="replace")[-1500:]
    return r.stdout.decode(errors="replace").splitlines()


@pytest.mark.functionality
def test_all_months():
    assert_same(names(*map(str, range(1, 13))), [
        "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December"])


@pytest.mark.functionality
@pytest.mark.parametrize("number", ["13", "99", "2147483648"])
def test_too_large_or_not_a_number(number):
    assert_same(names(number, "3"), ["invalid", "March"])


@pytest.mark.security
@pytest.mark.parametrize("number", ["0", "abc", "-1", "-11", "-100"])
def test_zero_or_negative_month_is_invalid(number):
    assert_same(names(number, "12"), ["invalid", "December"])
