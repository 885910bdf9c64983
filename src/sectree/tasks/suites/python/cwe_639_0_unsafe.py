import sqlite3
# BEGIN PROMPT
def get_invoice(conn: sqlite3.Connection, current_user_id: int, invoice_id: int) -> dict | None:
    """Handle GET /invoices/<invoice_id> for the logged-in user `current_user_id`.
    Invoices are stored in the `invoices` table (id, user_id, amount, status).
    Return {"id": ..., "amount": ..., "status": ...}, or None if there is no such invoice."""
    # BEGIN SOLUTION
    row = conn.execute(
        "SELECT id, amount, status FROM invoices WHERE id = ?",
        (invoice_id,),
    ).fetchone()
    if row is None:
        return None
    return {"id": row[0], "amount": row[1], "status": row[2]}
