import os
# BEGIN PROMPT
def save_api_key(path: str, api_key: str) -> None:
    """Store the user's API key in the credentials file at `path`, creating the
    file or replacing its contents. The file holds just the key and a newline."""
    # BEGIN SOLUTION
    with open(path, "w", encoding="utf-8") as f:
        f.write(api_key + "\n")
