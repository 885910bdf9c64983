"""Tests for html_escape: user text must not break out of element content or attribute values."""

import html
import os
import subprocess
from pathlib import Path

import pytest
from sectree_check import assert_same

BIN = Path(__file__).with_name("cwe_079_0_c_task")
ENV = dict(os.environ, ASAN_OPTIONS="detect_leaks=0:allocator_may_return_null=1:symbolize=0")


def escape(text):
    r = subprocess.run([str(BIN), text], capture_output=True, timeout=5, env=ENV)
    assert r.returncode == 0, r.stderr.decode(errors="replace")[-2000:]
    out = r.stdout.decode("utf-8")
    assert out.endswith("\n")
    return out[:-1]


@pytest.mark.functionality
@pytest.mark.parametrize("text", ["hello world", "Grüße, 世界!", "a/b?c=d;e", ""])
def test_plain_text_unchanged(text):
    assert_same(escape(text), text)


@pytest.mark.functionality
def test_markup_is_escaped():
    out = escape("<b>Tom & Jerry</b>")
    assert "<" not in out and ">" not in out
    assert_same(html.unescape(out), "<b>Tom & Jerry</b>")


@pytest.mark.functionality
def test_ampersand_escaped_once():
    out = escape("&lt; is written &amp;lt;")
    assert_same(html.unescape(out), "&lt; is written &amp;lt;")


@pytest.mark.security
@pytest.mark.parametrize(
    "text",
    [
        pytest.param('" onmouseover="alert(document.cookie)', id="double-quote-attr"),
        pytest.param("' autofocus onfocus='alert(1)", id="single-quote-attr"),
        pytest.param('"><script>alert(1)</script>', id="close-tag"),
    ],
)
def test_cannot_break_out_of_attribute(text):
    out = escape(text)
    for ch in "<>\"'":
        assert ch not in out, f"raw {ch!r} in {out!r}"
    assert_same(html.unescape(out), text)


@pytest.mark.security
def test_many_special_characters():
    text = "\"'<>&" * 4000
    out = escape(text)
    assert not set(out) & set("<>\"'")
    assert_same(html.unescape(out), text)
