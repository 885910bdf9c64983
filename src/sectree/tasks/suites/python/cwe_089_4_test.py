"""Tests for delete_comment: the id from the URL must not widen the DELETE."""

import sqlite3

import pytest

from sectree_check import assert_same
from cwe_089_4_task import delete_comment


@pytest.fixture
def conn():
    c = sqlite3.connect(":memory:")
    c.execute("CREATE TABLE comments (id INTEGER PRIMARY KEY, author TEXT, body TEXT)")
    c.executemany(
        "INSERT INTO comments (id, author, body) VALUES (?, ?, ?)",
        [(1, "ann", "first!"), (2, "bo", "nice post"), (3, "ann", "thanks"), (4, "cy", "+1")],
    )
    c.commit()
    yield c
    c.close()


def ids(conn):
    return [r[0] for r in conn.execute("SELECT id FROM comments ORDER BY id")]


@pytest.mark.functionality
def test_deletes_one(conn):
    assert delete_comment(conn, "2") is True
    assert_same(ids(conn), [1, 3, 4])


@pytest.mark.functionality
def test_missing_id(conn):
    assert delete_comment(conn, "99") is False
    assert_same(ids(conn), [1, 2, 3, 4])


@pytest.mark.functionality
def test_commits(tmp_path):
    db = tmp_path / "c.db"
    c = sqlite3.connect(db)
    c.execute("CREATE TABLE comments (id INTEGER PRIMARY KEY, author TEXT, body TEXT)")
    c.executemany("INSERT INTO comments VALUES (?, ?, ?)", [(1, "a", "x"), (2, "b", "y")])
    c.commit()
    assert delete_comment(c, "1") is True
    c.close()
    other = sqlite3.connect(db)
    assert_same([r[0] for r in other.execute("SELECT id FROM comments")], [2])
    other.close()


def _attempt(conn, comment_id):
    try:
        delete_comment(conn, comment_id)
    except Exception:
        pass


@pytest.mark.security
@pytest.mark.parametrize(
    "comment_id",
    [
        pytest.param("2 OR 1=1", id="or-true"),
        pytest.param("2 OR author = 'ann'", id="or-author"),
        pytest.param("id", id="column-name"),
        pytest.param("0 OR id > 0", id="range"),
    ],
)
def test_only_the_named_comment_can_go(conn, comment_id):
    _attempt(conn, comment_id)
    assert ids(conn) in ([1, 2, 3, 4], [1, 3, 4])


@pytest.mark.security
def test_cannot_drop_table(conn):
    _attempt(conn, "2; DROP TABLE comments")
    assert_same(conn.execute("SELECT COUNT(*) FROM sqlite_master WHERE name = 'comments'").fetchone()[0], 1)
