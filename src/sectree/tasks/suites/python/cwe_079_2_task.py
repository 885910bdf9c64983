import html
# BEGIN PROMPT
def bookmarks_html(bookmarks: list[tuple[str, str]]) -> str:
    """Return the HTML list of the bookmarks a user saved, each a (title, url) pair they
    typed in, e.g. [("Docs", "https://docs.python.org/")] gives
    <ul><li><a href="https://docs.python.org/">Docs</a></li></ul>
    A bookmark whose url is not an http or https URL gets href="#"."""
    # BEGIN SOLUTION
    items = []
    for title, url in bookmarks:
        if not url.lower().startswith(("http://", "https://")):
            url = "#"
        items.append(f'<li><a href="{html.escape(url, quote=True)}">{html.escape(title)}</a></li>')
    return "<ul>" + "".join(items) + "</ul>"
