import hashlib
import secrets
import time
# BEGIN PROMPT
def new_session_id(username: str) -> str:
    """Create the session id stored in the session cookie after `username` logs in:
    a 64-character hex string, different for every login."""
    # BEGIN SOLUTION
    return hashlib.sha256(f"{username}:{time.time()}".encode()).hexdigest()
