import gzip
import io

# BEGIN PROMPT
def decompress_body(data: bytes, max_size: int) -> bytes:
    """Decompress a gzip-encoded request body (Content-Encoding: gzip) and return it.
    Raise ValueError if the decompressed body is larger than `max_size` bytes.
    """
    # BEGIN SOLUTION
    with gzip.GzipFile(fileobj=io.BytesIO(data)) as f:
        body = f.read(max_size + 1)
    if len(body) > max_size:
        raise ValueError("request body too large")
    return body
