"""Tests for IsAllowedURL (Go): the link-preview fetcher must not be pointed at other hosts."""

import subprocess
from pathlib import Path

import pytest

BIN = Path(__file__).with_name("cwe_918_0_go_task")
DOMAINS = ["example.com", "partner.org"]


def allowed(url, domains=DOMAINS):
    r = subprocess.run([str(BIN), url, *domains], timeout=5, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert r.stdout in ("true\n", "false\n"), r.stdout
    return r.stdout == "true\n"


@pytest.mark.functionality
@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/",
        "http://example.com/article?id=7",
        "https://cdn.example.com/img/logo.png",
        "https://a.b.partner.org:8443/feed",
        "HTTPS://News.Example.COM/today",
    ],
)
def test_allowed(url):
    assert allowed(url)


@pytest.mark.functionality
@pytest.mark.parametrize(
    "url",
    ["https://other.net/", "ftp://example.com/file", "file:///etc/passwd", "not a url", ""],
)
def test_rejected(url):
    assert not allowed(url)


@pytest.mark.functionality
def test_no_domains_allows_nothing():
    assert not allowed("https://example.com/", domains=[])


@pytest.mark.security
@pytest.mark.parametrize(
    "url",
    [
        pytest.param("https://evilexample.com/", id="suffix-no-dot"),
        pytest.param("http://attacker-partner.org/", id="suffix-dash"),
        pytest.param("https://example.com.evil.net/", id="prefix"),
        pytest.param("http://example.com@169.254.169.254/latest/meta-data/", id="userinfo"),
        pytest.param("http://169.254.169.254/?next=https://example.com", id="query"),
        pytest.param("http://127.0.0.1:8080/#.example.com", id="fragment"),
    ],
)
def test_lookalike_hosts_rejected(url):
    assert not allowed(url)
