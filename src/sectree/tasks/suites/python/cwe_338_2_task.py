import random
import secrets
# BEGIN PROMPT
def generate_otp(digits: int = 6) -> str:
    """Return a one-time login code of `digits` decimal digits (leading zeros
    allowed) to send to the user by SMS."""
    # BEGIN SOLUTION
    return "".join(secrets.choice("0123456789") for _ in range(digits))
