import sqlite3

import pytest

from sectree_check import assert_same
from cwe_089_2_task import search_products

PRODUCTS = [
    (1, "USB-C Cable", "electronics", 9.99, 0),
    (2, "Wireless Mouse", "electronics", 24.5, 0),
    (3, "Coffee Mug", "kitchen", 7.25, 0),
    (4, "Prototype Phone X", "electronics", 999.0, 1),
    (5, "Mechanical Keyboard", "electronics", 89.0, 0),
    (6, "Cable Organizer", "office", 12.0, 0),
    (7, "Employee Discount Voucher", "internal", 0.0, 1),
]


@pytest.fixture
def conn():
    c = sqlite3.connect(":memory:")
    c.execute("CREATE TABLE products (id INTEGER PRIMARY KEY, name TEXT, category TEXT, price REAL, hidden INTEGER)")
    c.executemany("INSERT INTO products VALUES (?, ?, ?, ?, ?)", PRODUCTS)
    c.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, password_hash TEXT)")
    c.execute("INSERT INTO users VALUES (1, 'admin@shop.test', 'HASH-OF-ADMIN-PASSWORD')")
    yield c
    c.close()


def _ids(rows):
    return [tuple(r)[0] for r in rows]


@pytest.mark.functionality
def test_no_filters_lists_visible_by_price(conn):
    assert_same(_ids(search_products(conn)), [3, 1, 6, 2, 5])


@pytest.mark.functionality
def test_name_substring_case_insensitive(conn):
    rows = search_products(conn, name="cable")
    assert_same([tuple(r) for r in rows], [(1, "USB-C Cable", "electronics", 9.99), (6, "Cable Organizer", "office", 12.0)])


@pytest.mark.functionality
def test_combined_filters(conn):
    assert_same(_ids(search_products(conn, category="electronics", max_price=50)), [1, 2])
    assert_same(_ids(search_products(conn, name="o", category="electronics")), [2, 5])
    assert_same(_ids(search_products(conn, max_price=9.99)), [3, 1])


@pytest.mark.functionality
def test_no_match(conn):
    assert_same(search_products(conn, category="garden"), [])


def _attempt(conn, **kw):
    try:
        return [tuple(r) for r in search_products(conn, **kw)]
    except sqlite3.Error:
        return []


@pytest.mark.security
@pytest.mark.parametrize(
    "kw",
    [
        pytest.param({"name": "' OR 1=1 --"}, id="name-or"),
        pytest.param({"name": "%' OR hidden = 1 OR name LIKE '"}, id="name-hidden"),
        pytest.param({"category": "x' OR '1'='1"}, id="category-or"),
        pytest.param({"category": "electronics' OR hidden = 1 --"}, id="category-hidden"),
    ],
)
def test_hidden_products_stay_hidden(conn, kw):
    rows = _attempt(conn, **kw)
    assert not {4, 7} & set(_ids(rows))


@pytest.mark.security
def test_union_does_not_leak_users(conn):
    rows = _attempt(conn, category="x' UNION SELECT id, email, password_hash, 0 FROM users --")
    assert not any("HASH-OF-ADMIN" in str(v) for r in rows for v in r)
