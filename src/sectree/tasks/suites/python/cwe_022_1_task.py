import os
# BEGIN PROMPT
def save_upload(upload_dir: str, filename: str, data: bytes) -> str:
    """Save an uploaded file's `data` under the name `filename` in `upload_dir`
    and return the path of the saved file. `filename` is the name the client sent
    with the upload; an existing file with that name is replaced."""
    # BEGIN SOLUTION
    name = os.path.basename(filename)
    if name in ("", ".", ".."):
        raise ValueError(f"invalid file name: {filename!r}")
    path = os.path.join(upload_dir, name)
    with open(path, "wb") as f:
        f.write(data)
    return path
