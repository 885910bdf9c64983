"""Tests for render_order_email: a shop owner's template must reach only the three documented fields."""

import pytest

from sectree_check import assert_same, exact
import cwe_1336_0_task as task
from cwe_1336_0_task import Order, render_order_email

PASSWORD = "smtp-Pa55w0rd-7f3a91"
CARD = "4111111111111111"


@pytest.fixture
def order(monkeypatch):
    monkeypatch.setattr(task, "SMTP_PASSWORD", PASSWORD)
    return Order(1042, "Ann Lee", 59.9, CARD)


@pytest.mark.functionality
def test_example(order):
    tpl = "Hi {order.customer}, your order #{order.id} ({order.total} EUR) has shipped."
    assert_same(render_order_email(tpl, order), "Hi Ann Lee, your order #1042 (59.9 EUR) has shipped.")


@pytest.mark.functionality
def test_no_placeholders(order):
    assert_same(render_order_email("Thanks for shopping with us!", order), "Thanks for shopping with us!")


@pytest.mark.functionality
def test_repeated_and_adjacent(order):
    tpl = "{order.id}{order.id} - {order.customer}: {order.total}\n-- {order.customer}"
    assert_same(render_order_email(tpl, order), "10421042 - Ann Lee: 59.9\n-- Ann Lee")


@pytest.mark.functionality
def test_values_with_braces_are_literal(monkeypatch):
    monkeypatch.setattr(task, "SMTP_PASSWORD", PASSWORD)
    o = Order(7, "{order.id} Corp", 1.0, CARD)
    assert_same(render_order_email("Dear {order.customer}", o), "Dear {order.id} Corp")


def _attempt(template, order):
    try:
        return render_order_email(template, order)
    except Exception:
        return ""


@pytest.mark.security
@pytest.mark.parametrize(
    "template",
    [
        pytest.param("{order.__init__.__globals__[SMTP_PASSWORD]}", id="init-globals"),
        pytest.param("{order.__class__.__init__.__globals__[SMTP_PASSWORD]}", id="class-init-globals"),
        pytest.param("{order.__init__.__globals__}", id="dump-globals"),
    ],
)
def test_template_cannot_read_server_secrets(order, template):
    assert PASSWORD not in exact(_attempt(template, order), str)


@pytest.mark.security
@pytest.mark.parametrize(
    "template",
    [
        pytest.param("Card: {order.card_number}", id="attribute"),
        pytest.param("{order.__dict__}", id="dict"),
        pytest.param("{order.card_number[12]}{order.card_number[13]}{order.card_number[14]}{order.card_number[15]}", id="last-four"),
    ],
)
def test_template_cannot_read_card_number(order, template):
    assert CARD[-4:] not in exact(_attempt(template, order), str)
