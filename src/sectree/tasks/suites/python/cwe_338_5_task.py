import random
import secrets
# BEGIN PROMPT
def new_salt(size: int = 16) -> bytes:
    """Return `size` random bytes to use as the salt of a user's password hash when
    they register or change their password."""
    # BEGIN SOLUTION
    return secrets.token_bytes(size)
