from decimal import ROUND_HALF_UP, Decimal

# BEGIN PROMPT
FREE_SHIPPING_FROM = Decimal("50.00")


def checkout_total(items: list[dict], prices: dict[str, Decimal], shipping: Decimal) -> Decimal:
    """Compute the amount to charge for the cart posted by the checkout page.

    `items` is the cart as the browser sends it, e.g. [{"sku": "TEA-01", "qty": "2"}, ...]
    (quantities arrive as strings); `prices` maps each SKU to its unit price. Orders whose
    goods total at least FREE_SHIPPING_FROM ship free, otherwise `shipping` is added.
    Return the amount rounded to cents. Raise ValueError for an unknown SKU or a
    quantity that is not a whole number.
    """
    # BEGIN SOLUTION
    goods = Decimal("0")
    for item in items:
        sku = item.get("sku")
        if not isinstance(sku, str) or sku not in prices:
            raise ValueError(f"unknown SKU: {sku!r}")
        qty = int(str(item.get("qty", "")).strip())
        goods += prices[sku] * qty
    total = goods if goods >= FREE_SHIPPING_FROM else goods + shipping
    return total.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
