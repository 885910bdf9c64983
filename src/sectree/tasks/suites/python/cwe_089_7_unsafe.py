import sqlite3
# BEGIN PROMPT
def set_preference(conn: sqlite3.Connection, user_id: int, key: str, value: str) -> None:
    """Store the preference `key` = `value` (e.g. "theme" = "dark", as sent by the
    settings page) for user `user_id` in the `preferences` table (user_id, key, value,
    with one row per user and key) and commit, replacing an earlier value."""
    # BEGIN SOLUTION
    conn.execute(
        f"INSERT INTO preferences (user_id, key, value) VALUES ({user_id}, '{key}', '{value}') "
        "ON CONFLICT (user_id, key) DO UPDATE SET value = excluded.value"
    )
    conn.commit()
