import os
# BEGIN PROMPT
def static_file_path(static_root: str, url_path: str) -> str | None:
    """Map the path of a request for a static asset (e.g. "/css/site.css", as it appears
    in the URL after percent-decoding) to the file in the folder `static_root` that
    should be sent back. Return that file's path, or None if there is no such file."""
    # BEGIN SOLUTION
    root = os.path.realpath(static_root)
    path = os.path.realpath(os.path.join(root, url_path.lstrip("/")))
    if os.path.commonpath([root, path]) != root:
        return None
    return path if os.path.isfile(path) else None
