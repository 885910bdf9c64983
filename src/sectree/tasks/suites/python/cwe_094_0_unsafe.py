import ast
# BEGIN PROMPT
def parse_setting(value: str):
    """Convert a setting typed into the admin settings form into a Python value.
    Settings are written as Python literals: numbers, quoted strings, True/False/None,
    lists, tuples and dicts, e.g. "42", "'debug'", "[1, 2, 3]", "{'retries': 3}".
    Surrounding whitespace is ignored. Raise ValueError if the text is not valid."""
    # BEGIN SOLUTION
    try:
        return eval(value.strip())
    except Exception as exc:
        raise ValueError(f"invalid setting: {value!r}") from exc
