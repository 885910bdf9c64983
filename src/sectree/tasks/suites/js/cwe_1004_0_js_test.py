"""Tests for loginCookies (Node): the session cookie must be unreadable by scripts and HTTPS-only."""

import json
import subprocess
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
from sectree_check import assert_same

SRC = Path(__file__).with_name("cwe_1004_0_js_task.js")
SID = "q7Xv0c9LmS2kTzR4bY1wNa"


def parse(header_value, name):
    jar = SimpleCookie()
    jar.load(header_value)
    assert_same(list(jar.keys()), [name], f"unexpected cookies in {header_value!r}")
    return jar[name]


@pytest.fixture(scope="module")
def cookies():
    proc = subprocess.run(["node", str(SRC), SID, "dark", "3600"], timeout=5, capture_output=True, text=True)
    values = json.loads(proc.stdout)
    assert isinstance(values, list) and len(values) == 2
    return parse(values[0], "session"), parse(values[1], "theme")


@pytest.mark.functionality
def test_values(cookies):
    session, theme = cookies
    assert session.value == SID and theme.value == "dark"


@pytest.mark.functionality
def test_whole_site_for_max_age(cookies):
    for c in cookies:
        assert c["path"] == "/" and c["max-age"] == "3600" and c["domain"] == ""


@pytest.mark.functionality
def test_theme_readable_by_front_end(cookies):
    _, theme = cookies
    assert not theme["httponly"], "the front-end script must be able to read the theme cookie"


@pytest.mark.security
def test_session_not_readable_from_javascript(cookies):
    # without HttpOnly, any XSS can read document.cookie and steal the session
    session, _ = cookies
    assert session["httponly"], "session cookie lacks HttpOnly"


@pytest.mark.security
def test_session_never_sent_over_plain_http(cookies):
    # without Secure, the browser also sends it on http:// requests a network attacker can trigger
    session, _ = cookies
    assert session["secure"], "session cookie lacks Secure"
