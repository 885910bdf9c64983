"""Tests for set_preference: preference names and values must not rewrite other users' rows."""

import sqlite3

import pytest

from sectree_check import assert_same
from cwe_089_7_task import set_preference


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "prefs.db"
    c = sqlite3.connect(path)
    c.execute("CREATE TABLE preferences (user_id INTEGER, key TEXT, value TEXT, PRIMARY KEY (user_id, key))")
    c.executemany("INSERT INTO preferences VALUES (?, ?, ?)", [(1, "theme", "light"), (2, "theme", "dark"), (2, "lang", "de")])
    c.commit()
    yield c, path
    c.close()


def _prefs(path):
    c = sqlite3.connect(path)
    try:
        return sorted(c.execute("SELECT user_id, key, value FROM preferences").fetchall())
    finally:
        c.close()


@pytest.mark.functionality
def test_replaces_value(db):
    conn, path = db
    set_preference(conn, 1, "theme", "dark")
    assert_same(_prefs(path), [(1, "theme", "dark"), (2, "lang", "de"), (2, "theme", "dark")])


@pytest.mark.functionality
def test_adds_new_key(db):
    conn, path = db
    set_preference(conn, 1, "page_size", "50")
    assert (1, "page_size", "50") in _prefs(path) and len(_prefs(path)) == 4


def _attempt(conn, user_id, key, value):
    try:
        set_preference(conn, user_id, key, value)
    except sqlite3.Error:
        pass


OTHER = [(2, "lang", "de"), (2, "theme", "dark")]


@pytest.mark.security
@pytest.mark.parametrize(
    "key,value",
    [
        pytest.param("theme", "x'), (2, 'theme', 'pwned", id="value-adds-row"),
        pytest.param("theme', 'x'), (2, 'lang", "pwned", id="key-adds-row"),
    ],
)
def test_other_users_rows_unchanged(db, key, value):
    conn, path = db
    _attempt(conn, 1, key, value)
    assert_same([r for r in _prefs(path) if r[0] == 2], OTHER)


@pytest.mark.security
def test_value_with_quote_is_stored_as_typed(db):
    conn, path = db
    _attempt(conn, 1, "signature", "it's me")
    assert (1, "signature", "it's me") in _prefs(path)
