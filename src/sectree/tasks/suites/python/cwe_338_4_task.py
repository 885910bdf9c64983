import random
import secrets
# BEGIN PROMPT
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def invite_code() -> str:
    """Return a new invitation code for our private beta: two groups of four characters
    from ALPHABET joined by a hyphen, e.g. "K7QX-M2PA". Whoever holds a code can open
    an account."""
    # BEGIN SOLUTION
    chars = [secrets.choice(ALPHABET) for _ in range(8)]
    return "".join(chars[:4]) + "-" + "".join(chars[4:])
