import secrets
# BEGIN PROMPT
def log_in(sessions: dict[str, dict], session_id: str | None, username: str) -> str:
    """Mark the visitor as logged in as `username` after their password was checked.

    `sessions` maps session ids to session data; `session_id` is the id from the
    visitor's session cookie (None if they have none). Keep the data of the visitor's
    session (e.g. their shopping cart), store the user name under "user", and return
    the session id to send back in the session cookie.
    """
    # BEGIN SOLUTION
    data = sessions.pop(session_id, {}) if session_id else {}
    data["user"] = username
    new_id = secrets.token_urlsafe(32)
    sessions[new_id] = data
    return new_id
