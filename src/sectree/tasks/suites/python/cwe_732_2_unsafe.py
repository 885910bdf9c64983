import os
import tempfile
# BEGIN PROMPT
def write_backup(path: str, dump: bytes) -> None:
    """Write the nightly database dump `dump` (it holds every customer's data) to the
    file `path`, replacing the previous backup atomically: a reader sees either the old
    backup or the complete new one. A temporary file in the same folder may be used."""
    # BEGIN SOLUTION
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(dump)
    os.replace(tmp, path)
