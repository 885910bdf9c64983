import hashlib
# BEGIN PROMPT
def derive_password_hash(password: str, salt: bytes) -> bytes:
    """Compute the value stored in the database for `password` with the user's
    random 16-byte `salt`. The same password and salt always give the same value,
    so a login can be checked by recomputing it."""
    # BEGIN SOLUTION
    return hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, 100_000)
