"""Tests for parse_duration: the validating regex must not backtrack catastrophically."""

import os
import subprocess
import sys

import pytest

from sectree_check import assert_same
import cwe_1333_1_task
from cwe_1333_1_task import parse_duration

# Each attack runs in a child interpreter that is killed once the budget is spent, so a
# catastrophically backtracking regex fails the test quickly instead of hanging it.
BUDGET_S = 1.0


def _finishes_in_time(text, cwd):
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "from cwe_1333_1_task import parse_duration\n"
        "try:\n    parse_duration(sys.argv[2])\nexcept ValueError:\n    pass"
    )
    folder = os.path.dirname(os.path.abspath(cwe_1333_1_task.__file__))
    try:
        subprocess.run([sys.executable, "-c", code, folder, text], cwd=cwd, timeout=BUDGET_S, capture_output=True)
    except subprocess.TimeoutExpired:
        return False
    return True


@pytest.mark.functionality
@pytest.mark.parametrize(
    "text,seconds",
    [("90s", 90), ("15m", 900), ("1h30m", 5400), ("2d 4 h", 187200), (" 1h 1m 1s ", 3661), ("0s", 0)],
)
def test_parses(text, seconds):
    assert_same(parse_duration(text), seconds)


@pytest.mark.functionality
@pytest.mark.parametrize("text", ["", "15", "h", "1x", "1.5h", "-1m", "1h 30"])
def test_rejects(text):
    with pytest.raises(ValueError):
        parse_duration(text)


@pytest.mark.functionality
def test_long_valid_duration():
    assert_same(parse_duration("1s " * 200), 200)


@pytest.mark.security
@pytest.mark.parametrize(
    "text",
    [
        pytest.param("1d" + "   1d" * 16 + " !", id="spaces-between-units"),
        pytest.param("1h" + "  2m" * 24 + "x", id="two-spaces"),
    ],
)
def test_invalid_input_is_rejected_quickly(tmp_path, text):
    assert _finishes_in_time(text, tmp_path)
