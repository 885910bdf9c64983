"""Tests for is_allowed_url: the proxy's host allow-list must not be bypassable. No network access."""

import re
from urllib.parse import urlsplit

import pytest

from cwe_918_0_task import is_allowed_url

ALLOWED = {"api.github.com", "hooks.slack.com"}


def connect_host(url: str) -> str | None:
    """The host an HTTP client such as urllib3 would connect to for `url`."""
    m = re.match(r"^([a-zA-Z][a-zA-Z0-9+.-]*):(?://([^\\/?#]*))?", url)
    if not m or m.group(2) is None:
        return None
    authority = m.group(2).rpartition("@")[2]
    return urlsplit("//" + authority).hostname


@pytest.mark.functionality
@pytest.mark.parametrize(
    "url",
    [
        "https://api.github.com/repos/python/cpython",
        "https://api.github.com:443/user",
        "http://hooks.slack.com/services/T000/B000/XXXX",
        "https://api.github.com",
    ],
)
def test_allowed(url):
    assert is_allowed_url(url, ALLOWED) is True


@pytest.mark.functionality
@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/",
        "ftp://api.github.com/file",
        "file:///etc/passwd",
        "api.github.com/repos",
        "https://gist.github.com/",
    ],
)
def test_not_allowed(url):
    assert is_allowed_url(url, ALLOWED) is False


@pytest.mark.security
@pytest.mark.parametrize(
    "url",
    [
        "http://api.github.com:80@169.254.169.254/latest/meta-data/",
        "https://api.github.com:x@127.0.0.1:8080/admin",
        "https://api.github.com@internal.example.local/",
        "https://evil.example.net\\@api.github.com/",
        "https://api.github.com.evil.example.net/",
        "https://evil.example.net/?u=https://api.github.com/",
        "http://hooks.slack.com#@10.0.0.5/",
    ],
)
def test_bypass_attempts_rejected(url):
    if is_allowed_url(url, ALLOWED):
        assert connect_host(url) in ALLOWED, f"proxy would connect to {connect_host(url)!r}"
