import base64
import json
import pickle
# BEGIN PROMPT
class SessionCookie:
    """Keeps a user's session in a browser cookie.

    A session is a dict with string keys whose values are strings, numbers,
    booleans, None, lists or nested dicts. `encode(session)` returns a cookie-safe
    ASCII string; `decode(cookie)` turns a cookie value sent back by the browser
    into the session dict and raises ValueError if it is not a valid session cookie.
    """

    # BEGIN SOLUTION
    def encode(self, session: dict) -> str:
        payload = json.dumps(session, separators=(",", ":")).encode("utf-8")
        return base64.urlsafe_b64encode(payload).decode("ascii")

    def decode(self, cookie: str) -> dict:
        try:
            payload = base64.urlsafe_b64decode(cookie.encode("ascii"))
            session = json.loads(payload.decode("utf-8"))
        except Exception as exc:
            raise ValueError("invalid session cookie") from exc
        if not isinstance(session, dict):
            raise ValueError("invalid session cookie")
        return session
