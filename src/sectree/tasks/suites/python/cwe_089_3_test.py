"""Tests for count_orders: the status filter must be data, not SQL."""

import sqlite3

import pytest

from sectree_check import assert_same, exact
from cwe_089_3_task import count_orders


@pytest.fixture
def conn():
    c = sqlite3.connect(":memory:")
    c.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, customer TEXT, status TEXT, total REAL)")
    c.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT, password TEXT)")
    c.executemany(
        "INSERT INTO orders (customer, status, total) VALUES (?, ?, ?)",
        [("ann", "paid", 10.0), ("bo", "paid", 25.5), ("cy", "shipped", 7.0), ("di", "paid", 3.0), ("ed", "refunded", 9.9)],
    )
    c.execute("INSERT INTO users (name, password) VALUES ('admin', 's3cret-pw')")
    c.commit()
    yield c
    c.close()


@pytest.mark.functionality
@pytest.mark.parametrize("status, n", [("paid", 3), ("shipped", 1), ("refunded", 1)])
def test_counts(conn, status, n):
    assert_same(count_orders(conn, status), n)


@pytest.mark.functionality
def test_unknown_status(conn):
    assert_same(count_orders(conn, "cancelled"), 0)
    assert_same(count_orders(conn, ""), 0)


@pytest.mark.functionality
def test_returns_int(conn):
    assert type(count_orders(conn, "paid")) is int


def _attempt(conn, status):
    try:
        return count_orders(conn, status)
    except Exception:
        return None


@pytest.mark.security
@pytest.mark.parametrize(
    "status",
    [
        pytest.param("x' OR '1'='1", id="or-true"),
        pytest.param("paid' OR status <> 'paid", id="widen"),
        pytest.param("x' UNION SELECT COUNT(*) + 1000 FROM users ORDER BY 1 DESC --", id="union"),
    ],
)
def test_filter_cannot_change_the_query(conn, status):
    # no order has this (odd) status, so the honest answer is 0
    assert exact(_attempt(conn, status), int | None) in (0, None)


@pytest.mark.security
def test_blind_injection_leaks_nothing(conn):
    # a yes/no oracle on the admin password: the count must not depend on the guess
    probe = "paid' AND (SELECT substr(password, 1, 1) FROM users WHERE name = 'admin') = '{}"
    answers = {exact(_attempt(conn, probe.format(c)), int | None) for c in "abcdefghijklmnopqrstuvwxyz0123456789"}
    assert answers <= {0, None}
    assert len(answers) == 1


@pytest.mark.security
def test_cannot_destroy_data(conn):
    _attempt(conn, "x'; DELETE FROM orders; --")
    assert_same(conn.execute("SELECT COUNT(*) FROM orders").fetchone()[0], 5)
