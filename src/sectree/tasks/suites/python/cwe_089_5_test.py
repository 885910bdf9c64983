"""Tests for record_login: the user name and forwarded address must not change the audit INSERT."""

import sqlite3

import pytest

from sectree_check import assert_same
from cwe_089_5_task import record_login


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "audit.db"
    c = sqlite3.connect(path)
    c.execute("CREATE TABLE logins (id INTEGER PRIMARY KEY, username TEXT, ip TEXT)")
    c.execute("INSERT INTO logins (username, ip) VALUES ('admin', '10.0.0.1')")
    c.commit()
    yield c, path
    c.close()


def _rows(path):
    c = sqlite3.connect(path)
    try:
        return c.execute("SELECT id, username, ip FROM logins ORDER BY id").fetchall()
    finally:
        c.close()


@pytest.mark.functionality
def test_inserts_and_commits(db):
    conn, path = db
    assert_same(record_login(conn, "alice", "203.0.113.9"), 2)
    assert_same(_rows(path), [(1, "admin", "10.0.0.1"), (2, "alice", "203.0.113.9")])


@pytest.mark.functionality
def test_ids_increase(db):
    conn, path = db
    ids = [record_login(conn, f"user{i}", "2001:db8::1") for i in range(3)]
    assert_same(ids, [2, 3, 4])
    assert len(_rows(path)) == 4


def _attempt(conn, username, ip):
    try:
        record_login(conn, username, ip)
    except sqlite3.Error:
        pass


@pytest.mark.security
@pytest.mark.parametrize(
    "username,ip",
    [
        pytest.param("alice", "1.2.3.4'), ('admin', '6.6.6.6", id="extra-row-from-ip"),
        pytest.param("bob', '1.1.1.1'), ('admin', '6.6.6.6') --", "10.0.0.2", id="extra-row-from-name"),
        pytest.param("alice", "1.2.3.4' || (SELECT username FROM logins WHERE id = 1) || '", id="subquery"),
    ],
)
def test_values_are_stored_as_typed(db, username, ip):
    conn, path = db
    _attempt(conn, username, ip)
    rows = _rows(path)
    assert all(row == (1, "admin", "10.0.0.1") or (row[1], row[2]) == (username, ip) for row in rows), rows
    assert_same([r for r in rows if r[1] == "admin"], [(1, "admin", "10.0.0.1")])


@pytest.mark.security
def test_quote_in_name_is_recorded(db):
    conn, path = db
    _attempt(conn, "o'brien", "198.51.100.4")
    assert_same(_rows(path)[-1][1:], ("o'brien", "198.51.100.4"))
