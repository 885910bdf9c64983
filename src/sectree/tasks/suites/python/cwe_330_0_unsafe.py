import os
import uuid
# BEGIN PROMPT
def shared_file_name(filename: str) -> str:
    """Return the name under which an uploaded file is stored in the public share folder,
    from which anyone can download a file by its name: a fresh random identifier of 32
    lower-case hex digits followed by the extension of `filename` (the upload's original
    name) in lower case, e.g. "Report.PDF" gives something like "3f2a...9c.pdf". Only
    people who were sent the link should be able to find the file."""
    # BEGIN SOLUTION
    ext = os.path.splitext(filename)[1].lower()
    return uuid.uuid1().hex + ext
