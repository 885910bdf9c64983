import re
# BEGIN PROMPT
def is_valid_email(address: str) -> bool:
    """Check an e-mail address typed into the sign-up form: a local part of letters,
    digits, dots, underscores, plus signs and hyphens, then "@", then a domain made
    of dot-separated labels (letters, digits, hyphens) ending in a top-level domain
    of at least two letters."""
    # BEGIN SOLUTION
    pattern = r"[A-Za-z0-9._+-]+@(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}"
    return re.fullmatch(pattern, address) is not None
