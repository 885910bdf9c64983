"""Tests for LineTotal (Go): a crafted quantity must not produce a zero or negative charge."""

import subprocess
from pathlib import Path

import pytest
from sectree_check import assert_same

BIN = Path(__file__).with_name("cwe_020_0_go_task")


def line_total(unit_cents, qty):
    r = subprocess.run([str(BIN), str(unit_cents), qty], timeout=5, capture_output=True, text=True)
    return int(r.stdout) if r.returncode == 0 else None


@pytest.mark.functionality
@pytest.mark.parametrize("qty,expected", [("1", 1999), ("3", 5997), ("99", 197901), (" 2 ", 3998)])
def test_valid_quantities(qty, expected):
    assert_same(line_total(1999, qty), expected)


@pytest.mark.functionality
@pytest.mark.parametrize("qty", ["", "abc", "2.5", "1e3", "100", "5000"])
def test_invalid_quantities_are_errors(qty):
    assert line_total(1999, qty) is None


@pytest.mark.functionality
def test_free_item():
    assert_same(line_total(0, "4"), 0)


@pytest.mark.security
@pytest.mark.parametrize("qty", ["-1", "-99", "-1000000", "0", "-0"])
def test_no_credit_or_free_lines(qty):
    # a non-positive quantity turns the line into a refund (or a free order) at checkout
    total = line_total(1999, qty)
    assert total is None or total > 0, total
