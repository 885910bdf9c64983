import sqlite3
# BEGIN PROMPT
def count_orders(conn: sqlite3.Connection, status: str) -> int:
    """Return how many rows of the `orders` table have the given `status`
    (e.g. "paid" or "shipped"), the value picked in the dashboard's filter."""
    # BEGIN SOLUTION
    row = conn.execute("SELECT COUNT(*) FROM orders WHERE status = ?", (status,)).fetchone()
    return row[0]
