import sqlite3
# BEGIN PROMPT
def get_user(conn: sqlite3.Connection, username: str) -> tuple | None:
    """Look up the user called `username` in the `users` table and return the
    row (id, username, email), or None if there is no such user."""
    # BEGIN SOLUTION
    cur = conn.execute("SELECT id, username, email FROM users WHERE username = ?", (username,))
    return cur.fetchone()
