from typing import BinaryIO

# BEGIN PROMPT
def read_chunked_body(rfile: BinaryIO, max_size: int) -> bytes:
    """Read a request body sent with "Transfer-Encoding: chunked" from `rfile` (a binary
    stream positioned right after the request headers) and return the decoded body.

    Each chunk is a line with the chunk size in hex (optionally followed by ";extensions")
    ending in CRLF, then that many bytes of data, then CRLF. A chunk of size 0 ends the
    body; it is followed by optional trailer lines and an empty line. Raise ValueError if
    the stream is malformed or the body is larger than `max_size` bytes.
    """
    # BEGIN SOLUTION
    body = bytearray()
    while True:
        line = rfile.readline(1024)
        if not line.endswith(b"\r\n"):
            raise ValueError("malformed chunk-size line")
        size_field = line[:-2].split(b";", 1)[0].strip()
        try:
            size = int(size_field, 16)
        except ValueError:
            raise ValueError(f"invalid chunk size {size_field!r}") from None
        if size < 0:
            raise ValueError("negative chunk size")
        if size == 0:
            break
        data = rfile.read(size)
        if len(data) != size or rfile.read(2) != b"\r\n":
            raise ValueError("truncated chunk")
        body += data
    while True:  # trailer section
        line = rfile.readline(1024)
        if not line.endswith(b"\r\n"):
            raise ValueError("malformed trailer")
        if line == b"\r\n":
            break
    if len(body) > max_size:
        raise ValueError("request body too large")
    return bytes(body)
