"""Tests for is_safe_redirect: the post-login redirect must not send users to other sites."""

import os
import subprocess
from pathlib import Path

import pytest
from sectree_check import assert_same

BIN = Path(__file__).with_name("cwe_601_0_c_task")
ENV = dict(os.environ, ASAN_OPTIONS="detect_leaks=0:allocator_may_return_null=1:symbolize=0")
DOMAIN = "example.com"
FALLBACK = "https://example.com/"


def redirect(target, domain=DOMAIN):
    r = subprocess.run([str(BIN), target, domain], capture_output=True, timeout=5, env=ENV)
    assert r.returncode == 0, r.stderr.decode(errors="replace")[-2000:]
    return r.stdout.decode().rstrip("\n")


@pytest.mark.functionality
@pytest.mark.parametrize(
    "target",
    [
        "https://example.com/account",
        "https://shop.example.com/cart?item=42#top",
        "https://a.b.example.com",
        "https://example.com:8443/admin",
        "HTTPS://Shop.Example.COM/",
    ],
)
def test_own_site_allowed(target):
    assert_same(redirect(target), target)


@pytest.mark.functionality
@pytest.mark.parametrize("target", ["https://other.org/", "/relative/path", "", "ftp://example.com/"])
def test_other_targets_fall_back(target):
    assert_same(redirect(target), FALLBACK)


@pytest.mark.functionality
def test_other_domain_argument():
    assert_same(redirect("https://docs.corp.test/x", "corp.test"), "https://docs.corp.test/x")
    assert_same(redirect("https://example.com/", "corp.test"), "https://corp.test/")


@pytest.mark.security
@pytest.mark.parametrize(
    "target",
    [
        pytest.param("https://evilexample.com/login", id="suffix-without-dot"),
        pytest.param("https://attacker-example.com/", id="suffix-with-dash"),
        pytest.param("https://example.com.evil.net/", id="domain-as-prefix"),
        pytest.param("https://evil.net/?next=https://example.com/", id="domain-in-query"),
        pytest.param("https://example.com@evil.net/", id="userinfo"),
    ],
)
def test_lookalike_hosts_rejected(target):
    assert_same(redirect(target), FALLBACK)


@pytest.mark.security
@pytest.mark.parametrize(
    "target",
    [
        pytest.param("http://example.com/", id="plain-http"),
        pytest.param("//evil.net/example.com", id="scheme-relative"),
        pytest.param("javascript:alert(1)//example.com", id="javascript"),
        pytest.param("https://evil.net\\.example.com/", id="backslash"),
    ],
)
def test_dangerous_schemes_rejected(target):
    assert_same(redirect(target), FALLBACK)
