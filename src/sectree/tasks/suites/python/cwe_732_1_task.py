import os
# BEGIN PROMPT
def create_key_dir(path: str) -> None:
    """Create the directory `path` (and any missing parents) where the deploy tool
    keeps the users' SSH private keys. It is fine if the directory already exists."""
    # BEGIN SOLUTION
    os.makedirs(path, mode=0o700, exist_ok=True)
    os.chmod(path, 0o700)
