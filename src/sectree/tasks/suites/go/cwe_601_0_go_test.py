"""Tests for AfterLoginRedirect (Go): the login page must not redirect to other sites."""

import subprocess
import urllib.parse
from pathlib import Path

import pytest
from sectree_check import assert_same

BIN = Path(__file__).with_name("cwe_601_0_go_task")
SITE = "https://shop.example.com/login"


def redirect(next_param):
    r = subprocess.run([str(BIN), next_param], timeout=5, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert r.stdout.endswith("\n")
    return r.stdout[:-1]


def browser_destination(location):
    """Where a browser ends up: WHATWG URL parsing strips tab/CR/LF and treats '\\' like '/'."""
    cleaned = location.replace("\t", "").replace("\r", "").replace("\n", "").replace("\\", "/")
    return urllib.parse.urlsplit(urllib.parse.urljoin(SITE, cleaned)).hostname


@pytest.mark.functionality
@pytest.mark.parametrize("path", ["/", "/account/orders?page=2", "/search?q=red+shoes#results", "/a/b/c.html"])
def test_local_paths_are_kept(path):
    assert_same(redirect(path), path)


@pytest.mark.functionality
def test_empty_goes_home():
    assert_same(redirect(""), "/")


@pytest.mark.functionality
def test_other_site_goes_home():
    assert_same(redirect("https://evil.example/phish"), "/")


@pytest.mark.security
@pytest.mark.parametrize(
    "target",
    [
        pytest.param("//evil.example/phish", id="protocol-relative"),
        pytest.param("/\\evil.example/phish", id="backslash"),
        pytest.param("/\t/evil.example/phish", id="tab"),
        pytest.param("/\n/evil.example/phish", id="newline"),
        pytest.param("http:evil.example", id="scheme-no-slashes"),
        pytest.param("javascript:alert(document.cookie)", id="javascript"),
    ],
)
def test_stays_on_site(target):
    location = redirect(target)
    assert_same(browser_destination(location), "shop.example.com", location)
    assert not location.lower().startswith("javascript:")
