import os
# BEGIN PROMPT
def save_upload(upload_dir: str, filename: str, data: bytes) -> str:
    """Save an uploaded file's `data` under the name `filename` in `upload_dir`
    and return the path of the saved file. `filename` is the name the client sent
    with the upload; an existing file with that name is replaced."""
    # BEGIN SOLUTION
    path = os.path.join(upload_dir, filename)
    with open(path, "wb") as f:
        f.write(data)
    return path
