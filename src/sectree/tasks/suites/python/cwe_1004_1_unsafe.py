from http.cookies import SimpleCookie
# BEGIN PROMPT
def remember_me_header(token: str, days: int = 30) -> str:
    """Return the Set-Cookie header value for the "remember_me" cookie, which keeps the
    user logged in to our HTTPS site for `days` days; `token` is their login token."""
    # BEGIN SOLUTION
    cookie = SimpleCookie()
    cookie["remember_me"] = token
    morsel = cookie["remember_me"]
    morsel["max-age"] = days * 86400
    morsel["path"] = "/"
    return morsel.OutputString()
