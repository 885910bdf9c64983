# BEGIN PROMPT
def access_log_line(ip: str, method: str, path: str, status: int, user_agent: str) -> str:
    """Return one line of our web server's access log, ending in a newline, e.g.
    '10.0.0.7 "GET /index.html" 200 "Mozilla/5.0"\\n'. `path` and `user_agent` are taken
    from the request as the client sent them (percent-decoded). A double quote or a
    backslash inside them is written as \\x22 or \\x5c."""
    # BEGIN SOLUTION
    def clean(value: str) -> str:
        return "".join(f"\\x{ord(c):02x}" if c in '"\\' or not c.isprintable() else c for c in value)

    return f'{ip} "{method} {clean(path)}" {status} "{clean(user_agent)}"\n'
