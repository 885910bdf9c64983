import html
import re
# BEGIN PROMPT
def highlight(text: str, term: str) -> str:
    """Return `text` (a customer review, shown as plain text) as HTML for the search
    results page, with every case-insensitive occurrence of the non-empty search `term`
    wrapped in <mark>...</mark>, e.g. highlight("Good tea", "tea") == "Good <mark>tea</mark>"."""
    # BEGIN SOLUTION
    parts, last = [], 0
    for m in re.finditer(re.escape(term), text, re.IGNORECASE):
        parts.append(html.escape(text[last : m.start()]))
        parts.append("<mark>" + html.escape(m.group()) + "</mark>")
        last = m.end()
    parts.append(html.escape(text[last:]))
    return "".join(parts)
