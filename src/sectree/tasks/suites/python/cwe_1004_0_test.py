"""Tests for session_cookie: the session cookie must not be readable by scripts or sent in clear text."""

from http.cookies import SimpleCookie

import pytest

from sectree_check import assert_same
from cwe_1004_0_task import session_cookie

SID = "q7Xv0c9LmS2kTzR4bY1wNa"


def parse(header_value: str):
    jar = SimpleCookie()
    jar.load(header_value)
    assert_same(list(jar.keys()), ["session"], f"unexpected cookies in {header_value!r}")
    return jar["session"]


@pytest.mark.functionality
def test_value():
    assert_same(parse(session_cookie(SID, 3600)).value, SID)


@pytest.mark.functionality
@pytest.mark.parametrize("max_age", [60, 3600, 1209600])
def test_max_age(max_age):
    assert_same(parse(session_cookie(SID, max_age))["max-age"], str(max_age))


@pytest.mark.functionality
def test_whole_site():
    assert_same(parse(session_cookie(SID, 3600))["path"], "/")


@pytest.mark.functionality
def test_no_domain_widening():
    assert_same(parse(session_cookie(SID, 3600))["domain"], "")


@pytest.mark.security
def test_not_readable_from_javascript():
    # without HttpOnly, any XSS can read document.cookie and steal the session
    assert parse(session_cookie(SID, 3600))["httponly"], "session cookie lacks HttpOnly"


@pytest.mark.security
def test_never_sent_over_plain_http():
    # without Secure, the browser also sends it on http:// requests a network attacker can trigger
    assert parse(session_cookie(SID, 3600))["secure"], "session cookie lacks Secure"
