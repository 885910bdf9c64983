"""Tests for bookmarks_html: bookmark titles and URLs must not add markup or attributes."""
from html.parser import HTMLParser

import pytest

from sectree_check import assert_same
from cwe_079_2_task import bookmarks_html

class _Page(HTMLParser):
    """What a browser builds: start tags with their attributes, and the text shown."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.text = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_data(self, data):
        self.text.append(data)


def parse(out):
    p = _Page()
    p.feed(out)
    p.close()
    return p


@pytest.mark.functionality
def test_exact_output():
    out = bookmarks_html([("Docs", "https://docs.python.org/"), ("News", "http://news.example.org/today")])
    assert_same(out, '<ul><li><a href="https://docs.python.org/">Docs</a></li>'
        '<li><a href="http://news.example.org/today">News</a></li></ul>')


@pytest.mark.functionality
def test_empty_list():
    assert_same(bookmarks_html([]), "<ul></ul>")


@pytest.mark.functionality
def test_query_string_url_keeps_its_value():
    p = parse(bookmarks_html([("Search", "https://example.com/s?q=tea&page=2")]))
    assert_same(p.tags, [("ul", {}), ("li", {}), ("a", {"href": "https://example.com/s?q=tea&page=2"})])
    assert_same("".join(p.text), "Search")


@pytest.mark.functionality
def test_non_http_url_is_not_linked():
    p = parse(bookmarks_html([("Mail", "mailto:bob@example.com")]))
    assert_same(p.tags[2], ("a", {"href": "#"}))


@pytest.mark.security
def test_title_markup_is_text():
    title = "<b>Best</b> <script>alert(1)</script> & more"
    p = parse(bookmarks_html([(title, "https://example.com/")]))
    assert_same([t for t, _ in p.tags], ["ul", "li", "a"])
    assert_same("".join(p.text), title)


@pytest.mark.security
@pytest.mark.parametrize(
    "url",
    [
        pytest.param('https://example.com/" onmouseover="alert(document.cookie)', id="attribute"),
        pytest.param('https://example.com/"><script>alert(1)</script>', id="break-out"),
        pytest.param("https://example.com/'x\" autofocus onfocus=alert(1) x=\"", id="autofocus"),
    ],
)
def test_url_cannot_add_attributes_or_elements(url):
    p = parse(bookmarks_html([("Site", url)]))
    assert_same([t for t, _ in p.tags], ["ul", "li", "a"])
    assert_same(p.tags[2][1], {"href": url})
