import re
# BEGIN PROMPT
UNITS = {"d": 86400, "h": 3600, "m": 60, "s": 1}


def parse_duration(text: str) -> int:
    """Convert a duration typed into the "snooze for" box into seconds: one or more
    numbers, each followed by a unit d, h, m or s, with optional spaces around them,
    e.g. "90s", "1h30m" or "2d 4 h". Raise ValueError if `text` is not such a duration."""
    # BEGIN SOLUTION
    if not re.fullmatch(r"(?:\s*\d+\s*[dhms]\s*)+", text):
        raise ValueError(f"invalid duration: {text!r}")
    return sum(int(n) * UNITS[u] for n, u in re.findall(r"(\d+)\s*([dhms])", text))
