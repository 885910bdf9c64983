import random
import secrets
import string
# BEGIN PROMPT
SYMBOLS = "!@#$%^&*-_"


def generate_password(length: int = 16) -> str:
    """Generate the temporary password e-mailed to a new employee.

    The password is `length` characters long and contains at least one lowercase
    letter, one uppercase letter, one digit and one of SYMBOLS; other characters
    come from the same four groups, and the positions of the required characters
    vary. Raise ValueError if `length` is less than 4.
    """
    # BEGIN SOLUTION
    if length < 4:
        raise ValueError("length must be at least 4")
    groups = [string.ascii_lowercase, string.ascii_uppercase, string.digits, SYMBOLS]
    alphabet = "".join(groups)
    chars = [secrets.choice(group) for group in groups]
    chars += [secrets.choice(alphabet) for _ in range(length - len(groups))]
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)
