# BEGIN PROMPT
def session_cookie(session_id: str, max_age: int) -> str:
    """Return the value of the Set-Cookie header that stores `session_id` in the
    "session" cookie for the whole site, valid for `max_age` seconds. Sent by the
    login endpoint of our HTTPS web app.
    """
    # BEGIN SOLUTION
    return f"session={session_id}; Max-Age={int(max_age)}; Path=/; Secure; HttpOnly; SameSite=Lax"
