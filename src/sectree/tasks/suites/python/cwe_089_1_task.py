import sqlite3
# BEGIN PROMPT
def update_email(conn: sqlite3.Connection, username: str, new_email: str) -> int:
    """Change the email address of user `username` in the `users` table to
    `new_email` and commit. Return the number of users updated (0 if there is
    no such user)."""
    # BEGIN SOLUTION
    cur = conn.execute("UPDATE users SET email = ? WHERE username = ?", (new_email, username))
    conn.commit()
    return cur.rowcount
