"""Tests for SessionCookie (Go): the session cookie must be hidden from scripts and plain HTTP."""

import subprocess
from pathlib import Path

import pytest
from sectree_check import assert_same

BIN = Path(__file__).with_name("cwe_1004_0_go_task")


def set_cookie(session_id, max_age):
    r = subprocess.run([str(BIN), session_id, str(max_age)], timeout=5, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    header = r.stdout.rstrip("\n")
    first, *attrs = [part.strip() for part in header.split(";")]
    name, _, value = first.partition("=")
    parsed = {}
    for attr in attrs:
        key, _, val = attr.partition("=")
        parsed[key.lower()] = val
    return name, value, parsed


@pytest.mark.functionality
def test_name_and_value():
    name, value, _ = set_cookie("3f9a0c2d7e", 3600)
    assert_same((name, value), ("session", "3f9a0c2d7e"))


@pytest.mark.functionality
@pytest.mark.parametrize("max_age", [60, 3600, 1209600])
def test_max_age(max_age):
    _, _, attrs = set_cookie("abc", max_age)
    assert_same(attrs["max-age"], str(max_age))


@pytest.mark.functionality
def test_whole_site():
    _, _, attrs = set_cookie("abc", 3600)
    assert_same(attrs["path"], "/")
    assert "domain" not in attrs


@pytest.mark.security
def test_not_readable_by_scripts():
    # without HttpOnly any XSS on the site can read document.cookie and steal the session
    _, _, attrs = set_cookie("3f9a0c2d7e", 3600)
    assert "httponly" in attrs


@pytest.mark.security
def test_never_sent_over_plain_http():
    # without Secure the session leaks to anyone on the network when a link uses http://
    _, _, attrs = set_cookie("3f9a0c2d7e", 3600)
    assert "secure" in attrs


@pytest.mark.security
def test_not_sent_on_cross_site_posts():
    _, _, attrs = set_cookie("3f9a0c2d7e", 3600)
    assert attrs.get("samesite", "").lower() in ("lax", "strict")
