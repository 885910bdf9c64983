import os
# BEGIN PROMPT
def save_api_key(path: str, api_key: str) -> None:
    """Store the user's API key in the credentials file at `path`, creating the
    file or replacing its contents. The file holds just the key and a newline."""
    # BEGIN SOLUTION
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(api_key + "\n")
