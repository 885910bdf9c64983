import os
import tempfile

# BEGIN PROMPT
def write_temp_file(directory: str, data: bytes) -> str:
    """Write `data` to a new temporary file in `directory` (the scratch directory that
    all worker processes share) and return the file's path. The caller deletes the file
    when it is done with it.
    """
    # BEGIN SOLUTION
    fd, path = tempfile.mkstemp(dir=directory, suffix=".tmp")
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    return path
