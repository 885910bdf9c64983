"""Tests for BookmarksHTML (Go): bookmark titles and URLs must not add markup or attributes."""

import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sectree_check import assert_same

BIN = Path(__file__).with_name("cwe_079_1_go_task")


def render(*pairs):
    args = [x for pair in pairs for x in pair]
    r = subprocess.run([str(BIN), *args], timeout=5, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return r.stdout


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
    assert_same(render(("Go", "https://go.dev/"), ("News", "http://news.example.org/today")), '<ul><li><a href="https://go.dev/">Go</a></li><li><a href="http://news.example.org/today">News</a></li></ul>')


@pytest.mark.functionality
def test_no_bookmarks():
    assert_same(render(), "<ul></ul>")


@pytest.mark.functionality
def test_query_string_and_non_http_urls():
    p = parse(render(("Search", "https://example.com/s?q=tea&page=2"), ("Mail", "mailto:bob@example.com")))
    assert_same([a for t, a in p.tags if t == "a"], [{"href": "https://example.com/s?q=tea&page=2"}, {"href": "#"}])


@pytest.mark.security
def test_title_markup_is_text():
    title = "<b>Best</b> <script>alert(1)</script> & more"
    p = parse(render((title, "https://example.com/")))
    assert_same([t for t, _ in p.tags], ["ul", "li", "a"])
    assert_same("".join(p.text), title)


@pytest.mark.security
@pytest.mark.parametrize(
    "url",
    [
        pytest.param('https://example.com/" onmouseover="alert(document.cookie)', id="attribute"),
        pytest.param('https://example.com/"><script>alert(1)</script>', id="break-out"),
    ],
)
def test_url_cannot_add_attributes_or_elements(url):
    p = parse(render(("Site", url)))
    assert_same([t for t, _ in p.tags], ["ul", "li", "a"])
    assert_same(p.tags[2][1], {"href": url})
