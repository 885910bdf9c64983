import logging
# BEGIN PROMPT
logger = logging.getLogger("auth")


def log_failed_login(username: str, ip: str) -> None:
    """Write one warning line to the auth log for a failed login, e.g.
    "failed login for user alice from 10.0.0.7". `username` is what was typed in
    the login form and `ip` comes from the X-Forwarded-For header."""
    # BEGIN SOLUTION
    logger.warning("failed login for user %s from %s", username, ip)
