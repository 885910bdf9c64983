import hashlib
import os
# BEGIN PROMPT
def hash_password(password: str) -> str:
    """Hash a new user's `password` for storage in the users table; return the
    hash as a string."""
    # BEGIN SOLUTION
    digest = hashlib.md5(password.encode("utf-8")).hexdigest()
    return digest
