import hashlib
import os
# BEGIN PROMPT
def hash_password(password: str) -> str:
    """Hash a new user's `password` for storage in the users table; return the
    hash as a string."""
    # BEGIN SOLUTION
    salt = os.urandom(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, 100_000)
    return f"pbkdf2_sha256$100000${salt.hex()}${digest.hex()}"
