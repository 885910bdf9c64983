"""Tests for text_input: the user's text must stay inside the value attribute."""

from html.parser import HTMLParser

import pytest

from sectree_check import assert_same
from cwe_079_1_task import text_input


class Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = []
        self.text = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, attrs))

    def handle_data(self, data):
        self.text.append(data)


def parse(markup):
    c = Collector()
    c.feed(markup)
    c.close()
    return c


@pytest.mark.functionality
@pytest.mark.parametrize("value", ["ann@example.com", "", "Zoë Ångström", "50% off, 3 < 4"])
def test_field_round_trips(value):
    page = parse(text_input("email", value))
    assert_same(page.tags, [("input", [("type", "text"), ("name", "email"), ("value", value)])])
    assert_same("".join(page.text).strip(), "")


@pytest.mark.functionality
def test_exact_markup_for_plain_text():
    assert_same(text_input("city", "Lyon"), '<input type="text" name="city" value="Lyon">')


@pytest.mark.functionality
def test_apostrophes_kept():
    page = parse(text_input("name", "O'Brien"))
    assert_same(dict(page.tags[0][1])["value"], "O'Brien")


@pytest.mark.security
@pytest.mark.parametrize(
    "value",
    [
        pytest.param('"><script>alert(document.cookie)</script>', id="close-tag"),
        pytest.param('" autofocus onfocus="alert(1)', id="event-handler"),
        pytest.param('"><img src=x onerror=alert(1)>', id="img-onerror"),
        pytest.param('x" type="hidden', id="override-type"),
    ],
)
def test_value_cannot_escape_attribute(value):
    page = parse(text_input("q", value))
    assert len(page.tags) == 1, f"injected tags: {page.tags}"
    tag, attrs = page.tags[0]
    assert_same(tag, "input")
    assert_same([k for k, _ in attrs], ["type", "name", "value"], f"injected attributes: {attrs}")
    assert_same(dict(attrs)["type"], "text")
    assert_same(dict(attrs)["value"], value)
