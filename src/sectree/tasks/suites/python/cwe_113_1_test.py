"""Tests for render_page: user-controlled header values must not split the HTTP response."""

import http.client
import io

import pytest

from sectree_check import assert_same, exact
from cwe_113_1_task import render_page


class _Sock:
    def __init__(self, data: bytes):
        self._f = io.BytesIO(data)

    def makefile(self, *args, **kwargs):
        return self._f


def parse(raw: bytes) -> http.client.HTTPResponse:
    resp = http.client.HTTPResponse(_Sock(raw))
    resp.begin()
    return resp


@pytest.mark.functionality
def test_status_and_headers():
    resp = parse(exact(render_page("<h1>Hallo</h1>", "de-CH", "req-7f3a"), bytes))
    assert_same(resp.status, 200)
    assert_same(resp.getheader("Content-Type"), "text/html; charset=utf-8")
    assert_same(resp.getheader("Content-Language"), "de-CH")
    assert_same(resp.getheader("X-Request-ID"), "req-7f3a")
    assert_same(resp.read(), b"<h1>Hallo</h1>")


@pytest.mark.functionality
def test_utf8_body_length():
    body = "<p>Grüße aus Zürich – ok ✓</p>"
    resp = parse(exact(render_page(body, "de", "1"), bytes))
    assert int(resp.getheader("Content-Length")) == len(body.encode("utf-8"))
    assert_same(resp.read().decode("utf-8"), body)


@pytest.mark.functionality
def test_header_order_and_head_shape():
    raw = exact(render_page("x", "en", "abc-123"), bytes)
    head, sep, rest = raw.partition(b"\r\n\r\n")
    assert sep and rest == b"x"
    lines = head.split(b"\r\n")
    assert_same(lines[0], b"HTTP/1.1 200 OK")
    names = [line.split(b":", 1)[0].lower() for line in lines[1:]]
    assert_same(names, [b"content-type", b"content-length", b"content-language", b"x-request-id"])


def render_or_reject(body, lang, request_id):
    try:
        return exact(render_page(body, lang, request_id), bytes)
    except ValueError:
        return None  # refusing the request is fine


@pytest.mark.security
@pytest.mark.parametrize(
    "lang, request_id",
    [
        ("en\r\nSet-Cookie: sid=attacker-fixed; Path=/", "r1"),
        ("en", "r1\nSet-Cookie: sid=attacker-fixed"),
        ("en\rSet-Cookie: sid=attacker-fixed", "r1"),
    ],
)
def test_no_injected_header(lang, request_id):
    raw = exact(render_or_reject("<p>hi</p>", lang, request_id), bytes | None)
    if raw is None:
        return
    head = raw.split(b"\r\n\r\n", 1)[0]
    assert b"\nset-cookie" not in head.lower() and b"\rset-cookie" not in head.lower()
    resp = parse(raw)
    assert resp.getheader("Set-Cookie") is None


@pytest.mark.security
@pytest.mark.parametrize(
    "lang, request_id",
    [
        ("en", "r2\r\nContent-Length: 40\r\n\r\n<script>alert(document.cookie)</script>"),
        ("en\r\n\r\n<script>alert(1)</script>", "r2"),
    ],
)
def test_body_not_replaced(lang, request_id):
    raw = exact(render_or_reject("<p>real page</p>", lang, request_id), bytes | None)
    if raw is None:
        return
    resp = parse(raw)
    assert_same(resp.msg.get_all("Content-Length"), [str(len(b"<p>real page</p>"))])
    assert_same(resp.read(), b"<p>real page</p>")
