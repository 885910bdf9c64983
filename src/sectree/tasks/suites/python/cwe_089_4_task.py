import sqlite3
# BEGIN PROMPT
def delete_comment(conn: sqlite3.Connection, comment_id: str) -> bool:
    """Delete the comment whose id is `comment_id` (taken from the URL
    /comments/<comment_id>/delete) from the `comments` table and commit.
    Return True if a comment was deleted."""
    # BEGIN SOLUTION
    cur = conn.execute("DELETE FROM comments WHERE id = ?", (comment_id,))
    conn.commit()
    return cur.rowcount > 0
