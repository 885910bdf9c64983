"""Tests for tally_votes: a ballot's option number must be range-checked before it indexes the counts."""

import os
import subprocess
from pathlib import Path

import pytest
from sectree_check import assert_same

BIN = Path(__file__).with_name("cwe_129_0_c_task")
ENV = dict(os.environ, ASAN_OPTIONS="detect_leaks=0:allocator_may_return_null=1:symbolize=0")


def tally(text):
    r = subprocess.run([str(BIN)], input=text.encode(), capture_output=True, timeout=5, env=ENV)
    assert r.returncode == 0, "memory error: " + r.stderr.decode(errors="replace")[-1500:]
    valid, counts = r.stdout.decode().splitlines()
    return int(valid), [int(x) for x in counts.split()]


@pytest.mark.functionality
def test_counts():
    assert_same(tally("0\n3\n3\n7\n3\n"), (5, [1, 0, 0, 3, 0, 0, 0, 1]))


@pytest.mark.functionality
def test_comments_and_spaces():
    assert_same(tally("2  # kiosk 1\n 5\n# only a comment\n\n1\t#x\n"), (3, [0, 1, 1, 0, 0, 1, 0, 0]))


@pytest.mark.functionality
def test_invalid_lines_skipped():
    assert_same(tally("abc\n8\n12\n4x\n1.5\n6\n"), (1, [0, 0, 0, 0, 0, 0, 1, 0]))


@pytest.mark.functionality
def test_no_ballots():
    assert_same(tally(""), (0, [0] * 8))


@pytest.mark.security
@pytest.mark.parametrize("option", ["-1", "-2", "-5", "-8"])
def test_negative_option_skipped(option):
    assert_same(tally(f"1\n{option}\n1\n"), (2, [0, 2, 0, 0, 0, 0, 0, 0]))


@pytest.mark.security
@pytest.mark.parametrize("option", ["9223372036854775807", "-9223372036854775808", "4294967296", "-4294967295"])
def test_extreme_option_skipped(option):
    assert_same(tally(f"{option}\n0\n"), (1, [1, 0, 0, 0, 0, 0, 0, 0]))
