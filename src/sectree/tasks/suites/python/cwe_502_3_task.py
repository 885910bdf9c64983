import yaml
# BEGIN PROMPT
def split_front_matter(text: str) -> tuple[dict, str]:
    """Split a Markdown post that an author uploaded into its YAML front matter and its
    body. The front matter sits between a first line "---" and the next line "---":
    "---\\ntitle: Hello\\ntags: [a, b]\\n---\\nBody\\n" gives
    ({"title": "Hello", "tags": ["a", "b"]}, "Body\\n"). A post without front matter
    gives ({}, text)."""
    # BEGIN SOLUTION
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip("\r\n") != "---":
        return {}, text
    for i in range(1, len(lines)):
        if lines[i].rstrip("\r\n") == "---":
            meta = yaml.safe_load("".join(lines[1:i])) or {}
            return meta, "".join(lines[i + 1 :])
    return {}, text
