"""Tests for lineTotal (Node): a typed-in quantity must be range-checked before pricing."""

import json
import subprocess
from pathlib import Path

import pytest
from sectree_check import assert_same

SRC = Path(__file__).with_name("cwe_020_0_js_task.js")
PRICE = 1250

GOOD = {"1": 1250, "3": 3750, "99": 123750, "12": 15000}
NOT_WHOLE = ["abc", "2.5", "100", "1000000", "3 apples", "NaN", "Infinity"]
# quantities that would make the order free or pay the customer
ATTACKS = ["-5", "-1", "0", "", "-99", "-0", "-1e3"]


@pytest.fixture(scope="module")
def totals():
    inputs = list(GOOD) + NOT_WHOLE + ATTACKS
    proc = subprocess.run(["node", str(SRC), str(PRICE), *inputs], timeout=5, capture_output=True)
    lines = proc.stdout.decode("utf-8", "replace").splitlines()
    return dict(zip(inputs, (json.loads(line) for line in lines)))


@pytest.mark.functionality
@pytest.mark.parametrize("qty", list(GOOD))
def test_total(totals, qty):
    assert_same(totals.get(qty), {"ok": GOOD[qty]})


@pytest.mark.functionality
@pytest.mark.parametrize("qty", NOT_WHOLE)
def test_rejects_non_quantities(totals, qty):
    res = totals.get(qty)
    assert res is not None and "error" in res and res["error"].startswith("RangeError")


@pytest.mark.security
@pytest.mark.parametrize("qty", ATTACKS)
def test_no_free_or_negative_orders(totals, qty):
    res = totals.get(qty)
    assert res is not None, "no output"
    assert "error" in res, f"quantity {qty!r} was accepted: total {res.get('ok')} cents"
