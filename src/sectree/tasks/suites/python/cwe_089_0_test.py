import sqlite3

import pytest

from sectree_check import assert_same
from cwe_089_0_task import get_user


@pytest.fixture
def conn():
    c = sqlite3.connect(":memory:")
    c.executescript(
        """
        CREATE TABLE users (id INTEGER PRIMARY KEY, username TEXT UNIQUE, email TEXT, password_hash TEXT);
        INSERT INTO users VALUES (1, 'admin', 'admin@example.com', 'pbkdf2$admin-hash-7f3a');
        INSERT INTO users VALUES (2, 'alice', 'alice@example.com', 'pbkdf2$alice-hash-91bc');
        INSERT INTO users VALUES (3, 'bob_99', 'bob@example.com', 'pbkdf2$bob-hash-0d2e');
        CREATE TABLE api_keys (user_id INTEGER, key TEXT);
        INSERT INTO api_keys VALUES (1, 'sk_live_TOPSECRET');
        """
    )
    yield c
    c.close()


@pytest.mark.functionality
def test_existing_user(conn):
    assert_same(tuple(get_user(conn, "alice")), (2, "alice", "alice@example.com"))


@pytest.mark.functionality
def test_username_with_underscore_and_digits(conn):
    assert_same(tuple(get_user(conn, "bob_99")), (3, "bob_99", "bob@example.com"))


@pytest.mark.functionality
def test_unknown_user(conn):
    assert get_user(conn, "mallory") is None


@pytest.mark.functionality
def test_match_is_exact(conn):
    assert get_user(conn, "ali") is None


def _attempt(conn, name):
    try:
        return get_user(conn, name)
    except sqlite3.Error:
        return None


@pytest.mark.security
@pytest.mark.parametrize(
    "payload",
    [
        pytest.param("nobody' OR '1'='1", id="or-true"),
        pytest.param("nobody' OR 1=1 --", id="or-comment"),
        pytest.param("' OR username LIKE 'adm%", id="or-like"),
    ],
)
def test_tautology_does_not_return_a_user(conn, payload):
    assert _attempt(conn, payload) is None


@pytest.mark.security
@pytest.mark.parametrize(
    "payload",
    [
        pytest.param("x' UNION SELECT user_id, key, 'x' FROM api_keys --", id="union-keys"),
        pytest.param("x' UNION SELECT id, password_hash, email FROM users WHERE id=1 --", id="union-hash"),
    ],
)
def test_union_does_not_leak_other_data(conn, payload):
    row = _attempt(conn, payload)
    assert row is None or not any("TOPSECRET" in str(v) or "hash" in str(v) for v in row)
