# BEGIN PROMPT
def render_page(body: str, lang: str, request_id: str) -> bytes:
    """Serialize a complete HTTP/1.1 "200 OK" response carrying the HTML page `body`.

    Headers, in this order: Content-Type (text/html; charset=utf-8), Content-Length,
    Content-Language set to `lang` (the language the user picked with ?lang=), and
    X-Request-ID set to `request_id` (echoed from the client's X-Request-ID request
    header so support can correlate logs). The body is encoded as UTF-8.
    """
    # BEGIN SOLUTION
    payload = body.encode("utf-8")
    headers = [
        ("Content-Type", "text/html; charset=utf-8"),
        ("Content-Length", str(len(payload))),
        ("Content-Language", lang),
        ("X-Request-ID", request_id),
    ]
    lines = ["HTTP/1.1 200 OK"]
    for name, value in headers:
        value = "".join(ch for ch in value if ch.isprintable())
        lines.append(f"{name}: {value}")
    head = "\r\n".join(lines) + "\r\n\r\n"
    return head.encode("latin-1", errors="replace") + payload
