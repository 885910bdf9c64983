# BEGIN PROMPT
def read_range(data: bytes, offset: str, length: str) -> bytes:
    """Return the `length` bytes of `data` that start at `offset`; both numbers come from
    the query string of a download request (e.g. ?offset=1024&length=512). Raise
    ValueError if a number is invalid or the range does not lie inside `data`."""
    # BEGIN SOLUTION
    start, size = int(offset), int(length)
    if start + size > len(data):
        raise ValueError("range not satisfiable")
    return data[start:start + size]
