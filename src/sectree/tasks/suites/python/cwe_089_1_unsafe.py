import sqlite3
# BEGIN PROMPT
def update_email(conn: sqlite3.Connection, username: str, new_email: str) -> int:
    """Change the email address of user `username` in the `users` table to
    `new_email` and commit. Return the number of users updated (0 if there is
    no such user)."""
    # BEGIN SOLUTION
    cur = conn.execute(f"UPDATE users SET email = '{new_email}' WHERE username = '{username}'")
    conn.commit()
    return cur.rowcount
