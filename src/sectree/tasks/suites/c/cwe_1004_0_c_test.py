"""Tests for session_cookie: the session cookie must not be readable by scripts or sent in clear text."""

import os
import subprocess
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
from sectree_check import assert_same

BIN = Path(__file__).with_name("cwe_1004_0_c_task")
ENV = dict(os.environ, ASAN_OPTIONS="detect_leaks=0:allocator_may_return_null=1:symbolize=0")
SID = "q7Xv0c9LmS2kTzR4bY1wNa"


def cookie(session_id=SID, max_age=3600):
    r = subprocess.run([str(BIN), session_id, str(max_age)], capture_output=True, timeout=5, env=ENV)
    assert r.returncode == 0, r.stderr.decode(errors="replace")[-2000:]
    value = r.stdout.decode().rstrip("\n")
    jar = SimpleCookie()
    jar.load(value)
    assert_same(list(jar.keys()), ["session"], f"unexpected cookies in {value!r}")
    return jar["session"]


@pytest.mark.functionality
def test_value():
    assert_same(cookie().value, SID)


@pytest.mark.functionality
@pytest.mark.parametrize("max_age", [60, 3600, 1209600])
def test_max_age(max_age):
    assert_same(cookie(max_age=max_age)["max-age"], str(max_age))


@pytest.mark.functionality
def test_whole_site():
    assert_same(cookie()["path"], "/")


@pytest.mark.functionality
def test_no_domain_widening():
    assert_same(cookie()["domain"], "")


@pytest.mark.security
def test_not_readable_from_javascript():
    # without HttpOnly, any XSS can read document.cookie and steal the session
    assert cookie()["httponly"], "session cookie lacks HttpOnly"


@pytest.mark.security
def test_never_sent_over_plain_http():
    # without Secure, the browser also sends it on http:// requests a network attacker can trigger
    assert cookie()["secure"], "session cookie lacks Secure"
