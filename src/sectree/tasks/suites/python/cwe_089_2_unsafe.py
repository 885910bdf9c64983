import sqlite3
# BEGIN PROMPT
def search_products(
    conn: sqlite3.Connection,
    name: str | None = None,
    category: str | None = None,
    max_price: float | None = None,
) -> list[tuple]:
    """Search the shop's `products` table (id, name, category, price, hidden).

    Each filter that is not None narrows the search: products whose name contains
    `name` (case-insensitive), whose category equals `category`, and whose price is
    at most `max_price`. Hidden products (hidden = 1) are never returned.
    Return (id, name, category, price) tuples ordered by price, then id.
    """
    # BEGIN SOLUTION
    clauses = ["hidden = 0"]
    if name is not None:
        clauses.append(f"name LIKE '%{name}%'")
    if category is not None:
        clauses.append(f"category = '{category}'")
    if max_price is not None:
        clauses.append(f"price <= {max_price}")
    sql = "SELECT id, name, category, price FROM products WHERE " + " AND ".join(clauses)
    sql += " ORDER BY price, id"
    return conn.execute(sql).fetchall()
