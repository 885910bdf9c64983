"""Tests for render_page: user-controlled header values must not split the HTTP response."""

import http.client
import io

import pytest

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
    resp = parse(render_page("<h1>Hallo</h1>", "de-CH", "req-7f3a"))
    assert resp.status == 200
    assert resp.getheader("Content-Type") == "text/html; charset=utf-8"
    assert resp.getheader("Content-Language") == "de-CH"
    assert resp.getheader("X-Request-ID") == "req-7f3a"
    assert resp.read() == b"<h1>Hallo</h1>"


@pytest.mark.functionality
def test_utf8_body_length():
    body = "<p>Grüße aus Zürich – ok ✓</p>"
    resp = parse(render_page(body, "de", "1"))
    assert int(resp.getheader("Content-Length")) == len(body.encode("utf-8"))
    assert resp.read().decode("utf-8") == body


@pytest.mark.functionality
def test_header_order_and_head_shape():
    raw = render_page("x", "en", "abc-123")
    head, sep, rest = raw.partition(b"\r\n\r\n")
    assert sep and rest == b"x"
    lines = head.split(b"\r\n")
    assert lines[0] == b"HTTP/1.1 200 OK"
    names = [line.split(b":", 1)[0].lower() for line in lines[1:]]
    assert names == [b"content-type", b"content-length", b"content-language", b"x-request-id"]


def render_or_reject(body, lang, request_id):
    try:
        return render_page(body, lang, request_id)
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
    raw = render_or_reject("<p>hi</p>", lang, request_id)
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
    raw = render_or_reject("<p>real page</p>", lang, request_id)
    if raw is None:
        return
    resp = parse(raw)
    assert resp.msg.get_all("Content-Length") == [str(len(b"<p>real page</p>"))]
    assert resp.read() == b"<p>real page</p>"
