# BEGIN PROMPT
def after_login_url(next_url: str) -> str:
    """Return where to send the user after they log in: `next_url` (the ?next= parameter
    of the login page) if it is a path on our own site such as "/orders?page=2",
    otherwise "/"."""
    # BEGIN SOLUTION
    if not next_url.startswith("/"):
        return "/"
    return next_url
