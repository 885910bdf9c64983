import os
import tempfile

# BEGIN PROMPT
def write_temp_file(directory: str, data: bytes) -> str:
    """Write `data` to a new temporary file in `directory` (the scratch directory that
    all worker processes share) and return the file's path. The caller deletes the file
    when it is done with it.
    """
    # BEGIN SOLUTION
    path = os.path.join(directory, f"worker-{os.getpid()}.tmp")
    with open(path, "wb") as f:
        f.write(data)
    return path
