"""Tests for duplicate_tab: no reference into the vector may be used after the vector grows."""

import os
import subprocess
from pathlib import Path

import pytest
from sectree_check import assert_same

BIN = Path(__file__).with_name("cwe_416_1_cpp_task")
ENV = dict(os.environ, ASAN_OPTIONS="detect_leaks=0:symbolize=0")


def duplicate(spare, index, *titles):
    r = subprocess.run([str(BIN), str(spare), str(index), *titles], capture_output=True, timeout=5, env=ENV)
    assert r.returncode == 0, "memory error: " + r.stderr.decode(errors="replace")[-1500:]
    copied, *tabs = r.stdout.decode().split("\n")[:-1]
    return copied, tabs


@pytest.mark.functionality
def test_duplicates_tab():
    assert_same(duplicate(4, 1, "Inbox", "News", "Docs"), ("News", ["Inbox", "News", "Docs", "News (copy)"]))


@pytest.mark.functionality
def test_long_titles_and_first_tab():
    long = "Quarterly report - final version (draft 7) - shared drive"
    assert_same(duplicate(1, 0, long), (long, [long, long + " (copy)"]))


@pytest.mark.security
@pytest.mark.parametrize(
    "index,titles",
    [
        pytest.param(0, ["Inbox"], id="single-short"),
        pytest.param(2, ["a", "b", "Quarterly report - final version (draft 7)"], id="last-long"),
        pytest.param(1, ["Inbox", "News", "Docs", "Maps"], id="middle"),
    ],
)
def test_duplicating_when_the_list_must_grow(index, titles):
    copied, tabs = duplicate(0, index, *titles)
    assert_same(copied, titles[index])
    assert_same(tabs, titles + [titles[index] + " (copy)"])
