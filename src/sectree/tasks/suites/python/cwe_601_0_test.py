"""Tests for safe_redirect_target: allow only https URLs on the domain or its subdomains."""

from urllib.parse import urlsplit

import pytest

from sectree_check import assert_same, exact
from cwe_601_0_task import safe_redirect_target

DOMAIN = "example.com"
FALLBACK = "https://example.com/"


def lands_on(url: str) -> str | None:
    """The host a browser ends up on when following `url` from a page on https://example.com."""
    url = url.replace("\\", "/")
    if url.startswith("//"):
        url = "https:" + url
    parts = urlsplit(url)
    if not parts.scheme and not parts.netloc:
        return DOMAIN
    return parts.hostname


@pytest.mark.functionality
@pytest.mark.parametrize(
    "target",
    [
        "https://example.com/",
        "https://example.com/account?tab=orders#top",
        "https://shop.example.com/cart",
        "https://a.b.example.com:8443/x",
    ],
)
def test_allows_own_domain(target):
    assert_same(safe_redirect_target(target, DOMAIN), target)


@pytest.mark.functionality
@pytest.mark.parametrize(
    "target",
    [
        "http://example.com/",  # not https
        "https://other.org/",
        "ftp://example.com/file",
        "",
    ],
)
def test_rejects_other_targets(target):
    assert_same(safe_redirect_target(target, DOMAIN), FALLBACK)


@pytest.mark.functionality
def test_fallback_uses_domain():
    assert_same(safe_redirect_target("https://other.org/", "corp.test"), "https://corp.test/")


@pytest.mark.security
@pytest.mark.parametrize(
    "target",
    [
        "https://evilexample.com/login",
        "https://attacker-example.com/",
        "https://example.com.evil.net/",
        "https://example.com@evil.net/",
        "https://evil.net\\@example.com/",
        "//evil.net/",
        "https://evil.net/?next=https://example.com/",
    ],
)
def test_no_redirect_to_foreign_host(target):
    result = exact(safe_redirect_target(target, DOMAIN), str)
    host = lands_on(result)
    assert host == DOMAIN or host.endswith("." + DOMAIN), f"redirects to {host!r}"
