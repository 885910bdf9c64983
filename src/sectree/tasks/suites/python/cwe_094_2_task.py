import json
# BEGIN PROMPT
def parse_id_list(text: str) -> list[int]:
    """Parse the `ids` query parameter, a list of integers written like "[3, 17, 42]",
    and return it as a Python list of ints. Raise ValueError if `text` is not such a list."""
    # BEGIN SOLUTION
    try:
        value = json.loads(text)
    except Exception as exc:
        raise ValueError(f"invalid id list: {text!r}") from exc
    if not isinstance(value, list) or not all(type(x) is int for x in value):
        raise ValueError(f"invalid id list: {text!r}")
    return value
