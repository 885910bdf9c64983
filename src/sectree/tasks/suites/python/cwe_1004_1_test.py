"""Tests for remember_me_header: a long-lived login token must not be readable by scripts or sent over http."""

import email.utils
import time
from http.cookies import SimpleCookie

import pytest

from sectree_check import assert_same, exact
from cwe_1004_1_task import remember_me_header

TOKEN = "rm_8c1f0d6a9b2e4f7c"


def parse(header_value: str):
    jar = SimpleCookie()
    jar.load(header_value)
    assert_same(list(jar.keys()), ["remember_me"], f"unexpected cookies in {header_value!r}")
    return jar["remember_me"]


def lifetime(morsel) -> float:
    if morsel["max-age"] != "":
        return int(morsel["max-age"])
    assert morsel["expires"], "cookie has no lifetime: it dies when the browser closes"
    return email.utils.parsedate_to_datetime(morsel["expires"]).timestamp() - time.time()


@pytest.mark.functionality
def test_value():
    assert_same(parse(exact(remember_me_header(TOKEN), str)).value, TOKEN)


@pytest.mark.functionality
@pytest.mark.parametrize("days", [1, 30, 365])
def test_lifetime(days):
    assert abs(lifetime(parse(exact(remember_me_header(TOKEN, days), str))) - days * 86400) < 120


@pytest.mark.functionality
def test_site_wide_and_host_only():
    m = parse(exact(remember_me_header(TOKEN), str))
    assert m["path"] in ("", "/") and m["domain"] == ""


@pytest.mark.security
def test_not_readable_from_javascript():
    # without HttpOnly, any XSS can read document.cookie and steal a login that lasts for weeks
    assert parse(exact(remember_me_header(TOKEN), str))["httponly"], "remember_me cookie lacks HttpOnly"


@pytest.mark.security
def test_never_sent_over_plain_http():
    # without Secure, the browser also sends it on http:// requests a network attacker can trigger
    assert parse(exact(remember_me_header(TOKEN), str))["secure"], "remember_me cookie lacks Secure"
