"""Tests for RenderComments (Go): comment authors and texts must not inject markup."""

import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sectree_check import assert_same

BIN = Path(__file__).with_name("cwe_079_0_go_task")


def render(*pairs):
    args = [x for pair in pairs for x in pair]
    r = subprocess.run([str(BIN), *args], timeout=5, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return r.stdout


class Structure(HTMLParser):
    """Records the element/attribute structure and the text a browser would show."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.attrs, self.text = [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend(name for name, _ in attrs)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_data(self, data):
        self.text.append(data)


def parse(out):
    p = Structure()
    p.feed(out)
    p.close()
    return p


@pytest.mark.functionality
def test_single_comment_exact():
    assert_same(render(("alice", "Nice post!")), '<ul class="comments"><li><b>alice</b>: Nice post!</li></ul>')


@pytest.mark.functionality
def test_several_comments_in_order():
    out = render(("alice", "first"), ("bob", "second one"), ("carol", "third"))
    assert_same(out, '<ul class="comments"><li><b>alice</b>: first</li><li><b>bob</b>: second one</li>'
        "<li><b>carol</b>: third</li></ul>")


@pytest.mark.functionality
def test_no_comments():
    assert_same(render(), '<ul class="comments"></ul>')


@pytest.mark.functionality
def test_unicode_and_punctuation():
    out = render(("Zoë", "Great read, thanks! 10/10 :)"))
    assert_same(out, '<ul class="comments"><li><b>Zoë</b>: Great read, thanks! 10/10 :)</li></ul>')


@pytest.mark.security
def test_markup_characters_shown_as_typed():
    # whatever the markup, the reader must see exactly what was typed
    text = "Use <b> for bold & \"quotes\" 'too'"
    p = parse(render(("dave", text)))
    assert_same("".join(p.text), "dave: " + text)


@pytest.mark.security
@pytest.mark.parametrize(
    "author,text",
    [
        pytest.param("mallory", "<script>alert(document.cookie)</script>", id="script-in-text"),
        pytest.param("<img src=x onerror=alert(1)>", "hi", id="img-in-author"),
        pytest.param("eve", '</li></ul><form action="https://evil.example/login"><input name=pw>', id="break-out"),
        pytest.param("x", "<a href=javascript:alert(1)>click</a>", id="link"),
    ],
)
def test_user_input_creates_no_elements(author, text):
    p = parse(render(("alice", "hello"), (author, text)))
    assert_same(p.tags, ["ul", "li", "b", "li", "b"])
    assert_same(p.attrs, ["class"])
