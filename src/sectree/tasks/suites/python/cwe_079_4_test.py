"""Tests for highlight: review text and search terms must be shown as text, not markup."""
from html.parser import HTMLParser

import pytest

from sectree_check import assert_same
from cwe_079_4_task import highlight

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
def test_example():
    assert_same(highlight("Good tea", "tea"), "Good <mark>tea</mark>")


@pytest.mark.functionality
def test_case_insensitive_and_repeated():
    assert_same(highlight("Great tea, great price. GREAT!", "great"), "<mark>Great</mark> tea, <mark>great</mark> price. <mark>GREAT</mark>!")


@pytest.mark.functionality
def test_no_match_and_regex_characters():
    assert_same(highlight("Plain review", "tea"), "Plain review")
    assert_same(highlight("costs 5.99 (on sale)", "5.99 (on"), "costs <mark>5.99 (on</mark> sale)")


@pytest.mark.security
@pytest.mark.parametrize(
    "text,term",
    [
        pytest.param("<img src=x onerror=alert(1)> great tea", "tea", id="markup-in-text"),
        pytest.param("nice <script>alert(1)</script>", "nice", id="script-in-text"),
        pytest.param("a <b onclick=alert(1)>bold</b> claim", "bold", id="term-inside-markup"),
    ],
)
def test_review_markup_shown_as_text(text, term):
    p = parse(highlight(text, term))
    assert all(tag == "mark" and attrs == {} for tag, attrs in p.tags)
    assert_same("".join(p.text), text)
