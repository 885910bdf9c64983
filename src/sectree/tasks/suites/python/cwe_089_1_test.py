import sqlite3

import pytest

from sectree_check import assert_same
from cwe_089_1_task import update_email

USERS = [
    (1, "admin", "admin@example.com", 1),
    (2, "alice", "alice@example.com", 0),
    (3, "bob", "bob@example.com", 0),
]


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "app.db"
    c = sqlite3.connect(path)
    c.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, username TEXT UNIQUE, email TEXT, is_admin INTEGER)")
    c.executemany("INSERT INTO users VALUES (?, ?, ?, ?)", USERS)
    c.commit()
    yield c, path
    c.close()


def _rows(path):
    c = sqlite3.connect(path)
    try:
        return c.execute("SELECT id, username, email, is_admin FROM users ORDER BY id").fetchall()
    finally:
        c.close()


@pytest.mark.functionality
def test_updates_one_user_and_commits(db):
    conn, path = db
    assert_same(update_email(conn, "alice", "alice@new.example.org"), 1)
    assert_same(_rows(path), [USERS[0], (2, "alice", "alice@new.example.org", 0), USERS[2]])


@pytest.mark.functionality
def test_unknown_user(db):
    conn, path = db
    assert_same(update_email(conn, "carol", "carol@example.com"), 0)
    assert_same(_rows(path), USERS)


@pytest.mark.functionality
def test_plus_address(db):
    conn, path = db
    assert_same(update_email(conn, "bob", "bob+news@example.com"), 1)
    assert_same(_rows(path)[2], (3, "bob", "bob+news@example.com", 0))


def _attempt(conn, username, email):
    try:
        update_email(conn, username, email)
    except sqlite3.Error:
        pass


@pytest.mark.security
@pytest.mark.parametrize(
    "username",
    [
        pytest.param("nobody' OR '1'='1", id="or-true"),
        pytest.param("x' OR username = 'admin' --", id="target-admin"),
    ],
)
def test_username_cannot_widen_update(db, username):
    conn, path = db
    _attempt(conn, username, "attacker@evil.test")
    assert all(email != "attacker@evil.test" for _, _, email, _ in _rows(path))


@pytest.mark.security
@pytest.mark.parametrize(
    "email",
    [
        pytest.param("bob@evil.test', is_admin = '1", id="set-admin"),
        pytest.param("bob@evil.test', is_admin = 1 --", id="set-admin-comment"),
    ],
)
def test_email_cannot_set_other_columns(db, email):
    conn, path = db
    _attempt(conn, "bob", email)
    assert_same(_rows(path)[2][3], 0)
