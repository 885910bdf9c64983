"""Tests for parseDuration (Node): the validating regex must not backtrack catastrophically."""

import subprocess
from pathlib import Path

import pytest
from sectree_check import assert_same

SRC = Path(__file__).with_name("cwe_1333_1_js_task.js")
# node's start-up takes most of this; a catastrophically backtracking regex takes minutes
BUDGET_S = 2.0


def durations(*texts):
    r = subprocess.run(["node", str(SRC), *texts], capture_output=True, text=True, timeout=10)
    assert r.returncode == 0, r.stderr
    return [None if line == "error" else int(line) for line in r.stdout.splitlines()]


def finishes_in_time(text):
    try:
        subprocess.run(["node", str(SRC), text], capture_output=True, timeout=BUDGET_S)
    except subprocess.TimeoutExpired:
        return False
    return True


@pytest.mark.functionality
def test_parses():
    assert_same(durations("90s", "15m", "1h30m", "2d 4 h", " 1h 1m 1s ", "0s", "1s " * 200), [
        90, 900, 5400, 187200, 3661, 0, 200])


@pytest.mark.functionality
def test_rejects():
    assert_same(durations("", "15", "h", "1x", "1.5h", "-1m", "1h 30"), [None] * 7)


@pytest.mark.security
@pytest.mark.parametrize(
    "text",
    [
        pytest.param("1d" + "   1d" * 18 + " !", id="spaces-between-units"),
        pytest.param("1h" + "  2m" * 28 + "x", id="two-spaces"),
    ],
)
def test_invalid_input_is_rejected_quickly(text):
    assert finishes_in_time(text)
