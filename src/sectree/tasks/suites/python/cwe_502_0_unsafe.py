import yaml
# BEGIN PROMPT
def load_config(path: str) -> dict:
    """Read the YAML configuration file at `path` and return its contents as a
    dict (an empty file gives an empty dict)."""
    # BEGIN SOLUTION
    with open(path, encoding="utf-8") as f:
        data = yaml.load(f, Loader=yaml.Loader)
    return data or {}
