import html
from urllib.parse import parse_qs, urljoin, urlsplit

# BEGIN PROMPT
def login_redirect(query_string: str) -> tuple[str, list[tuple[str, str]], bytes]:
    """Build the response sent after a successful login: (WSGI status, headers, body).

    The login form carries the page the user came from in the `next` query parameter,
    e.g. "next=/orders%3Fpage%3D2" or "next=settings" (relative to /account/). Answer
    with a 302 redirect there, or to "/" when `next` is missing or empty. The body is a
    small HTML page with a link to the same location, for clients that don't follow
    redirects.
    """
    # BEGIN SOLUTION
    params = parse_qs(query_string)
    target = params.get("next", [""])[0].strip()
    location = urljoin("/account/", target) if target else "/"
    body = (
        "<!doctype html><title>Redirecting</title>"
        f'<p>Continue to <a href="{html.escape(location)}">{html.escape(location)}</a>.</p>'
    ).encode("utf-8")
    headers = [
        ("Location", location),
        ("Content-Type", "text/html; charset=utf-8"),
        ("Content-Length", str(len(body))),
        ("Cache-Control", "no-store"),
    ]
    return "302 Found", headers, body
