"""Tests for loginRedirectTarget (Node): the post-login redirect must not leave our site."""

import json
import re
import subprocess
from pathlib import Path

import pytest
from sectree_check import assert_same

SRC = Path(__file__).with_name("cwe_601_0_js_task.js")
SITE_HOST = "app.example.com"

KEEP = ["/", "/dashboard", "/account/settings?tab=2#email", "/search?q=a%20b&next=%2F%2Fevil"]
REJECT = ["", "dashboard", "https://evil.example/", "javascript:alert(document.cookie)", "http:/evil.example"]
ATTACKS = {
    "protocol-relative": "//evil.example/phish",
    "backslash": "/\\evil.example/phish",
    "double-backslash": "/\\\\evil.example",
    "tab-in-slashes": "/\t/evil.example/",
    "newline-in-slashes": "/\n/evil.example/",
    "many-slashes": "///evil.example/",
}


def browser_host(location):
    """The host a browser goes to for `Location: <location>` on https://app.example.com/login (WHATWG URL rules)."""
    s = location.strip("".join(map(chr, range(0x21))))
    s = s.replace("\t", "").replace("\n", "").replace("\r", "").replace("\\", "/")
    m = re.match(r"([A-Za-z][A-Za-z0-9+.-]*):(.*)", s, re.S)
    if m:
        scheme, rest = m.group(1).lower(), m.group(2)
        if scheme not in ("http", "https"):
            return scheme + ":"  # javascript:, data:, ... never stay on the site
        if scheme == "https" and not rest.startswith("/"):
            return SITE_HOST  # "https:path" is relative to an https base
    elif s.startswith("//"):
        rest = s
    else:
        return SITE_HOST
    authority = re.split(r"[/?#]", rest.lstrip("/"), maxsplit=1)[0]  # special URLs skip any number of slashes
    return authority.rsplit("@", 1)[-1].split(":")[0].lower()


@pytest.fixture(scope="module")
def targets():
    inputs = KEEP + REJECT + list(ATTACKS.values())
    proc = subprocess.run(["node", str(SRC), *inputs], timeout=5, capture_output=True)
    lines = proc.stdout.decode("utf-8", "replace").splitlines()
    return dict(zip(inputs, (json.loads(line) for line in lines)))


@pytest.mark.functionality
@pytest.mark.parametrize("nxt", KEEP)
def test_own_paths_are_kept(targets, nxt):
    assert_same(targets.get(nxt), nxt)


@pytest.mark.functionality
@pytest.mark.parametrize("nxt", REJECT)
def test_non_paths_go_home(targets, nxt):
    assert_same(targets.get(nxt), "/")


@pytest.mark.security
@pytest.mark.parametrize("key", list(ATTACKS))
def test_redirect_stays_on_site(targets, key):
    nxt = ATTACKS[key]
    assert nxt in targets, "no output"
    out = targets[nxt]
    assert_same(browser_host(out), SITE_HOST, f"{nxt!r} -> {out!r} sends the user to another site")
