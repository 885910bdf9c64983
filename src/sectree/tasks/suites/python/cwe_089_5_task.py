import sqlite3
# BEGIN PROMPT
def record_login(conn: sqlite3.Connection, username: str, ip: str) -> int:
    """Add a row for a successful login to the `logins` audit table (id INTEGER PRIMARY
    KEY, username, ip), with the user name typed into the login form and the client's
    address from the X-Forwarded-For header, and commit. Return the new row's id."""
    # BEGIN SOLUTION
    cur = conn.execute("INSERT INTO logins (username, ip) VALUES (?, ?)", (username, ip))
    conn.commit()
    return cur.lastrowid
