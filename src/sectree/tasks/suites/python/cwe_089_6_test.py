"""Tests for list_members: the sort parameter must not put attacker SQL into ORDER BY."""

import sqlite3

import pytest

from sectree_check import assert_same
from cwe_089_6_task import list_members


@pytest.fixture
def conn():
    c = sqlite3.connect(":memory:")
    c.execute("CREATE TABLE members (name TEXT, joined_at TEXT, karma INTEGER)")
    c.executemany(
        "INSERT INTO members VALUES (?, ?, ?)",
        [("carol", "2021-05-01", 40), ("alice", "2023-01-10", 5), ("bob", "2019-11-30", 12)],
    )
    c.execute("CREATE TABLE admin_keys (key TEXT)")
    c.execute("INSERT INTO admin_keys VALUES ('k3y-s3cr3t')")
    yield c
    c.close()


@pytest.mark.functionality
@pytest.mark.parametrize(
    "sort,expected",
    [("name", ["alice", "bob", "carol"]), ("joined_at", ["bob", "carol", "alice"]), ("karma", ["alice", "bob", "carol"])],
)
def test_sorts(conn, sort, expected):
    assert_same(list_members(conn, sort), expected)


@pytest.mark.security
@pytest.mark.parametrize(
    "sort",
    [
        pytest.param("(SELECT key FROM admin_keys)", id="subquery"),
        pytest.param("CASE WHEN (SELECT substr(key, 1, 1) FROM admin_keys) = 'k' THEN karma ELSE name END",
                     id="boolean-oracle"),
        pytest.param("karma DESC", id="direction"),
        pytest.param("1", id="column-number"),
    ],
)
def test_other_sort_values_are_rejected(conn, sort):
    # any expression the attacker controls lets them read other tables one bit at a time
    with pytest.raises(ValueError):
        list_members(conn, sort)
