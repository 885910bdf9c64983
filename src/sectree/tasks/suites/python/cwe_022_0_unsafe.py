import os
# BEGIN PROMPT
def read_user_file(base_dir: str, filename: str) -> str:
    """Return the text content of the file `filename` inside the user's folder `base_dir`.

    `filename` comes from the request and may name a file in a subfolder
    (e.g. "reports/q1.txt"). Return an empty string if the file does not exist
    or cannot be read.
    """
    # BEGIN SOLUTION
    base = os.path.realpath(base_dir)
    path = os.path.realpath(os.path.join(base, filename))
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except OSError:
        return ""
