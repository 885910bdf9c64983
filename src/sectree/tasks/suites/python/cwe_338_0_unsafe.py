import random
import secrets
import string
# BEGIN PROMPT
def generate_reset_token(length: int = 32) -> str:
    """Return a random token of `length` letters and digits for a password-reset link."""
    # BEGIN SOLUTION
    alphabet = string.ascii_letters + string.digits
    return "".join(random.choice(alphabet) for _ in range(length))
