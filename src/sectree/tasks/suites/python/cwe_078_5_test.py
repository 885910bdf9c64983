"""Tests for last_lines: the line count from the query string must not run shell commands."""

import pytest

from sectree_check import assert_same
from cwe_078_5_task import last_lines


@pytest.fixture
def log(tmp_path):
    p = tmp_path / "app.log"
    p.write_text("".join(f"line {i}\n" for i in range(1, 101)))
    return p


@pytest.mark.functionality
def test_last_five(log):
    assert_same(last_lines(str(log), "5"), [f"line {i}" for i in range(96, 101)])


@pytest.mark.functionality
def test_more_than_file(log):
    assert_same(last_lines(str(log), "500"), [f"line {i}" for i in range(1, 101)])


@pytest.mark.functionality
def test_zero_and_one(log):
    assert_same(last_lines(str(log), "0"), [])
    assert_same(last_lines(str(log), "1"), ["line 100"])


def _attempt(log, count):
    try:
        last_lines(str(log), count)
    except Exception:
        pass


@pytest.mark.security
@pytest.mark.parametrize(
    "count",
    [
        pytest.param("1 /dev/null; touch {pwn} #", id="semicolon"),
        pytest.param("$(touch {pwn})5", id="subst"),
        pytest.param("`touch {pwn}`5", id="backticks"),
        pytest.param("5 /dev/null && touch {pwn} #", id="and"),
    ],
)
def test_count_cannot_run_commands(tmp_path, log, count):
    pwn = tmp_path / "pwned"
    _attempt(log, count.format(pwn=pwn))
    assert not pwn.exists()
