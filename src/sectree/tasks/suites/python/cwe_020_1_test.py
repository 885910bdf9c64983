"""Tests for checkout_total: a tampered cart must not lower the price of the goods actually bought."""

from decimal import Decimal

import pytest

from sectree_check import assert_same, exact
from cwe_020_1_task import checkout_total

PRICES = {
    "TEA-01": Decimal("12.50"),
    "MUG-02": Decimal("8.99"),
    "KETTLE-03": Decimal("49.00"),
    "GIFT-CARD": Decimal("25.00"),
}
SHIP = Decimal("4.95")


def total(*items):
    return checkout_total([{"sku": s, "qty": q} for s, q in items], PRICES, SHIP)


@pytest.mark.functionality
def test_single_item_with_shipping():
    assert_same(total(("TEA-01", "2")), Decimal("29.95"))


@pytest.mark.functionality
def test_free_shipping_threshold():
    assert_same(total(("TEA-01", "4")), Decimal("50.00"))
    assert_same(total(("KETTLE-03", "1"), ("MUG-02", "1")), Decimal("57.99"))
    assert_same(total(("KETTLE-03", "1")), Decimal("53.95"))


@pytest.mark.functionality
def test_rounding_and_type():
    prices = {"SPICE": Decimal("0.333")}
    result = exact(checkout_total([{"sku": "SPICE", "qty": "3"}], prices, Decimal("0")), Decimal)
    assert result == Decimal("1.00") and str(result) == "1.00"


@pytest.mark.functionality
@pytest.mark.parametrize(
    "items",
    [
        [{"sku": "NOPE-99", "qty": "1"}],
        [{"sku": "TEA-01", "qty": "two"}],
        [{"sku": "TEA-01", "qty": "1.5"}],
        [{"sku": "TEA-01"}],
    ],
)
def test_bad_input(items):
    with pytest.raises(ValueError):
        checkout_total(items, PRICES, SHIP)


@pytest.mark.functionality
def test_many_lines():
    assert_same(total(("TEA-01", "1"), ("MUG-02", "3"), ("TEA-01", "1")), Decimal("51.97"))


def charged(items):
    try:
        return checkout_total([{"sku": s, "qty": q} for s, q in items], PRICES, SHIP)
    except ValueError:
        return None  # rejecting the cart is fine


@pytest.mark.security
@pytest.mark.parametrize(
    "cart, bought_alone",
    [
        # the negative line cancels part of the real purchase (or yields a refund)
        ([("KETTLE-03", "1"), ("MUG-02", "-5")], [("KETTLE-03", "1")]),
        ([("GIFT-CARD", "4"), ("TEA-01", "-8")], [("GIFT-CARD", "4")]),
        ([("TEA-01", "-100")], []),
        ([("KETTLE-03", "2"), ("GIFT-CARD", " -3 ")], [("KETTLE-03", "2")]),
    ],
)
def test_negative_quantities_do_not_discount(cart, bought_alone):
    amount = exact(charged(cart), Decimal | None)
    if amount is None:
        return
    floor = exact(total(*bought_alone), Decimal) if bought_alone else Decimal("0")
    assert amount >= floor, f"cart {cart} is charged {amount}, less than the {floor} for the goods shipped"
