"""Tests for after_login_url: the login page must not redirect to another site."""

from urllib.parse import urljoin, urlsplit

import pytest

from sectree_check import assert_same
from cwe_601_2_task import after_login_url

SITE = "https://shop.example.com/login"


def lands_on(location: str) -> str | None:
    """The host a browser ends up on when the login page answers with this Location header."""
    url = "".join(c for c in location if c not in "\t\r\n").replace("\\", "/")
    if url.startswith("//"):
        url = "https://" + url.lstrip("/")
    return urlsplit(urljoin(SITE, url)).hostname


@pytest.mark.functionality
@pytest.mark.parametrize("next_url", ["/", "/orders?page=2", "/account/settings#email", "/search?q=a%2Fb&sort=new", "/c/shoes/"])
def test_keeps_local_paths(next_url):
    assert_same(after_login_url(next_url), next_url)


@pytest.mark.functionality
@pytest.mark.parametrize("next_url", ["", "orders", "https://evil.example.net/", "http://shop.example.com/", "javascript:alert(1)"])
def test_other_values_go_home(next_url):
    assert_same(after_login_url(next_url), "/")


@pytest.mark.functionality
def test_returns_str():
    assert type(after_login_url("/cart")) is str


@pytest.mark.security
@pytest.mark.parametrize(
    "next_url",
    [
        pytest.param("//evil.example.net/", id="protocol-relative"),
        pytest.param("///evil.example.net/", id="triple-slash"),
        pytest.param("/\\evil.example.net/", id="backslash"),
        pytest.param("/\t/evil.example.net/", id="tab"),
        pytest.param("/\n/evil.example.net", id="newline"),
    ],
)
def test_no_redirect_to_other_host(next_url):
    location = after_login_url(next_url)
    assert_same(lands_on(location), "shop.example.com", f"redirects to {lands_on(location)!r}")
