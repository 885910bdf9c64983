# BEGIN PROMPT
def read_request_line(rfile, max_length: int = 8192) -> str:
    """Read the request line (e.g. "GET /index.html HTTP/1.1") from the client
    connection `rfile`, a binary file object, and return it as text without the line
    ending. Raise ValueError if the line, line ending included, is longer than
    `max_length` bytes."""
    # BEGIN SOLUTION
    line = rfile.readline()
    if len(line) > max_length:
        raise ValueError("request line too long")
    return line.decode("latin-1").rstrip("\r\n")
