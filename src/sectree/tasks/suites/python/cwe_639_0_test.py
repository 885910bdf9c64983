"""Tests for get_invoice: a user must not read another user's invoice by changing the id in the URL."""

import sqlite3

import pytest

from sectree_check import assert_same
from cwe_639_0_task import get_invoice

ANN, BO, CY = 1, 2, 3


@pytest.fixture
def conn():
    c = sqlite3.connect(":memory:")
    c.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, user_id INTEGER, amount REAL, status TEXT)")
    c.executemany(
        "INSERT INTO invoices VALUES (?, ?, ?, ?)",
        [(100, ANN, 49.0, "paid"), (101, BO, 1200.0, "open"), (102, ANN, 15.5, "open"), (103, CY, 310.0, "overdue")],
    )
    c.commit()
    yield c
    c.close()


@pytest.mark.functionality
def test_own_invoice(conn):
    assert_same(get_invoice(conn, ANN, 100), {"id": 100, "amount": 49.0, "status": "paid"})
    assert_same(get_invoice(conn, ANN, 102), {"id": 102, "amount": 15.5, "status": "open"})


@pytest.mark.functionality
def test_each_user_sees_their_invoice(conn):
    assert_same(get_invoice(conn, BO, 101), {"id": 101, "amount": 1200.0, "status": "open"})
    assert_same(get_invoice(conn, CY, 103)["status"], "overdue")


@pytest.mark.functionality
def test_missing_invoice(conn):
    assert get_invoice(conn, ANN, 999) is None


def _attempt(conn, user, invoice_id):
    try:
        return get_invoice(conn, user, invoice_id)
    except (PermissionError, LookupError, ValueError):
        return None


@pytest.mark.security
@pytest.mark.parametrize("user, invoice_id", [(ANN, 101), (ANN, 103), (BO, 100), (CY, 102)])
def test_other_users_invoice_is_not_returned(conn, user, invoice_id):
    assert _attempt(conn, user, invoice_id) is None


@pytest.mark.security
def test_enumerating_ids_finds_only_own_invoices(conn):
    found = [i for i in range(90, 120) if _attempt(conn, BO, i) is not None]
    assert_same(found, [101])
