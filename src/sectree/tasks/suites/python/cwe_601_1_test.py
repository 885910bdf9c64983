"""Tests for login_redirect: the post-login redirect must stay on this site."""

from urllib.parse import quote, urljoin, urlsplit

import pytest

from sectree_check import assert_same, exact
from cwe_601_1_task import login_redirect

SITE = "https://shop.example.com/login"


def location_of(query: str) -> str:
    status, headers, body = exact(login_redirect(query), tuple[str, list[tuple[str, str]], bytes])
    assert status.startswith("302")
    values = [v for k, v in headers if k.lower() == "location"]
    assert len(values) == 1
    return values[0]


def browser_destination(location: str) -> str | None:
    """Roughly how a browser resolves a Location header sent by SITE (WHATWG URL rules)."""
    cleaned = "".join(ch for ch in location if ch not in "\t\r\n").strip("\x00 \x1f")
    cleaned = cleaned.replace("\\", "/")
    if cleaned.startswith("//"):
        cleaned = "https://" + cleaned.lstrip("/")
    resolved = urljoin(SITE, cleaned)
    parts = urlsplit(resolved)
    if parts.scheme not in ("http", "https"):
        return parts.scheme + ":"  # javascript:, data:, ...
    return parts.hostname


@pytest.mark.functionality
@pytest.mark.parametrize(
    "query, expected",
    [
        ("next=/orders%3Fpage%3D2", "/orders?page=2"),
        ("next=%2Fcart", "/cart"),
        ("next=settings", "/account/settings"),
        ("user=bob&next=/help/faq%23returns", "/help/faq#returns"),
    ],
)
def test_redirects_to_next(query, expected):
    assert_same(location_of(query), expected)


@pytest.mark.functionality
@pytest.mark.parametrize("query", ["", "next=", "foo=bar"])
def test_default_is_root(query):
    assert_same(location_of(query), "/")


@pytest.mark.functionality
def test_headers_and_body():
    status, headers, body = exact(login_redirect("next=/a%26b"), tuple[str, list[tuple[str, str]], bytes])
    h = {k.lower(): v for k, v in headers}
    assert_same(status, "302 Found")
    assert h["content-type"].startswith("text/html")
    assert int(h["content-length"]) == len(body)
    assert b'href="/a&amp;b"' in body


@pytest.mark.security
@pytest.mark.parametrize(
    "next_value",
    [
        "https://evil.example.net/phish",
        "//evil.example.net/",
        "///evil.example.net/",
        "/\\evil.example.net/",
        "\\\\evil.example.net",
        "/\t/evil.example.net/",
        "https:evil.example.net",
        "javascript:alert(document.cookie)",
        " //evil.example.net",
    ],
)
def test_stays_on_site(next_value):
    location = location_of("next=" + quote(next_value, safe=""))
    assert_same(browser_destination(location), "shop.example.com", f"Location {location!r} leaves the site")
