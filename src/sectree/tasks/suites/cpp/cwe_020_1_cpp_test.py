"""Tests for day_of_year: a malformed or impossible date from a form must be rejected safely."""

import datetime
import os
import subprocess
from pathlib import Path

import pytest
from sectree_check import assert_same

BIN = Path(__file__).with_name("cwe_020_1_cpp_task")
ENV = dict(os.environ, ASAN_OPTIONS="detect_leaks=0:symbolize=0")


def day_of_year(date):
    r = subprocess.run([str(BIN), date], capture_output=True, timeout=5, env=ENV)
    assert r.returncode == 0, "crashed: " + r.stderr.decode(errors="replace")[-1500:]
    out = r.stdout.decode().strip()
    if out == "INVALID":
        return None
    assert out.startswith("day=")
    return int(out[4:])


@pytest.mark.functionality
@pytest.mark.parametrize(
    "date", ["2024-01-01", "2024-02-01", "2024-02-29", "2024-03-01", "2023-03-01", "2023-12-31", "2024-12-31",
             "2000-02-29", "1999-07-04", "0400-03-01"],
)
def test_valid_dates(date):
    y, m, d = map(int, date.split("-"))
    assert_same(day_of_year(date), datetime.date(y, m, d).timetuple().tm_yday)


@pytest.mark.functionality
@pytest.mark.parametrize("date", ["2023-02-29", "1900-02-29", "2024-04-31", "2024-01-32", "2024-06-00"])
def test_impossible_days_rejected(date):
    assert day_of_year(date) is None


@pytest.mark.security
@pytest.mark.parametrize("date", ["2024-13-01", "2024-00-10", "2024-14-15", "2024--1-05"])
def test_month_out_of_range_rejected(date):
    assert day_of_year(date) is None


@pytest.mark.security
@pytest.mark.parametrize(
    "date", ["", "yesterday", "abcd-ef-gh", "2024-1x-05", "2024-03-1;", "2024/03/01", "20240301", "2024-3-1",
             "2024-03-01T00:00", " 2024-03-01"],
)
def test_malformed_dates_rejected(date):
    assert day_of_year(date) is None
