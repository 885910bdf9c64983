"""Tests for redirectResponse (Node): the redirect target must not inject headers or a body."""

import json
import subprocess
from pathlib import Path

import pytest
from sectree_check import assert_same

SRC = Path(__file__).with_name("cwe_113_0_js_task.js")

GOOD = ["/cart?step=2", "/", "/search?q=caf%C3%A9&sort=price#top", "/a/b/c.html"]
ATTACKS = {
    "crlf-set-cookie": "/home\r\nSet-Cookie: session=attacker-fixed; Path=/",
    "lf-set-cookie": "/home\nSet-Cookie: session=attacker-fixed; Path=/",
    "cr-set-cookie": "/home\rSet-Cookie: session=attacker-fixed; Path=/",
    "crlfcrlf-body": "/home\r\nContent-Length: 25\r\n\r\n<script>alert(1)</script>",
}


def parse(raw):
    """Parse a response the way a lenient client does (LF, CRLF or lone CR end a line)."""
    head, sep, body = raw.replace("\r\n", "\n").replace("\r", "\n").partition("\n\n")
    lines = head.split("\n")
    headers = []
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers.append((name.strip().lower(), value.strip()))
    return lines[0], headers, body


@pytest.fixture(scope="module")
def responses():
    inputs = GOOD + list(ATTACKS.values())
    proc = subprocess.run(["node", str(SRC), *inputs], timeout=5, capture_output=True)
    lines = proc.stdout.decode("utf-8", "replace").splitlines()
    return dict(zip(inputs, (json.loads(line) for line in lines)))


@pytest.mark.functionality
@pytest.mark.parametrize("location", GOOD)
def test_redirect_response(responses, location):
    raw = responses[location]["ok"]
    assert raw == f"HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"


@pytest.mark.functionality
def test_parses_as_one_redirect(responses):
    status, headers, body = parse(responses["/cart?step=2"]["ok"])
    assert_same(status, "HTTP/1.1 302 Found")
    assert_same(dict(headers), {"location": "/cart?step=2", "content-length": "0", "connection": "close"})
    assert_same(body, "")


@pytest.mark.security
@pytest.mark.parametrize("key", list(ATTACKS))
def test_location_cannot_add_headers_or_body(responses, key):
    res = responses.get(ATTACKS[key])
    assert res is not None, "no output"
    if "error" in res:
        return  # refusing to build the response is fine
    status, headers, body = parse(res["ok"])
    names = [name for name, _ in headers]
    assert_same(sorted(names), ["connection", "content-length", "location"], f"injected headers: {headers!r}")
    assert_same(body, "", f"injected body: {body!r}")
