"""Tests for WriteDownloadResponse (Go): the user's file name must not add headers or split the response."""

import email.message
import re
import subprocess
from pathlib import Path

import pytest
from sectree_check import assert_same

BIN = Path(__file__).with_name("cwe_113_0_go_task")
BODY = b"%PDF-1.7 fake document\n\x00\x01binary"


def respond(filename, body=BODY):
    r = subprocess.run([str(BIN), filename], input=body, timeout=5, capture_output=True)
    assert r.returncode == 0, r.stderr
    return r.stdout


def parse(raw):
    """Parse like a lenient client: a header line ends at CRLF, bare LF or bare CR."""
    head, sep, body = raw.partition(b"\r\n\r\n")
    assert sep, "no end of headers"
    lines = re.split(rb"\r\n|\n|\r", head)
    headers = []
    for line in lines[1:]:
        name, colon, value = line.partition(b":")
        assert colon, f"not a header line: {line!r}"
        headers.append((name.decode().lower(), value.strip().decode("utf-8", "replace")))
    return lines[0], headers, body


@pytest.mark.functionality
def test_exact_response():
    assert_same(respond("report.pdf"), b"HTTP/1.1 200 OK\r\n"
        b"Content-Type: application/octet-stream\r\n"
        b"Content-Length: " + str(len(BODY)).encode() + b"\r\n"
        b'Content-Disposition: attachment; filename="report.pdf"\r\n'
        b"\r\n" + BODY)


@pytest.mark.functionality
@pytest.mark.parametrize("name", ["Q3 budget (final).xlsx", "notes_2024-05-01.txt", "résumé.pdf"])
def test_ordinary_names_kept(name):
    status, headers, body = parse(respond(name))
    assert_same(status, b"HTTP/1.1 200 OK")
    assert_same(dict(headers)["content-disposition"], f'attachment; filename="{name}"')
    assert_same(body, BODY)


@pytest.mark.functionality
def test_empty_body():
    status, headers, body = parse(respond("empty.txt", b""))
    assert_same(dict(headers)["content-length"], "0")
    assert_same(body, b"")


@pytest.mark.security
@pytest.mark.parametrize(
    "name",
    [
        pytest.param("a.pdf\r\nSet-Cookie: session=attacker; Path=/", id="crlf-header"),
        pytest.param("a.pdf\nSet-Cookie: session=attacker", id="lf-header"),
        pytest.param("a.pdf\rSet-Cookie: session=attacker", id="cr-header"),
        pytest.param(
            "a.pdf\r\nContent-Length: 0\r\n\r\nHTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<script>alert(1)</script>",
            id="response-splitting",
        ),
    ],
)
def test_filename_cannot_add_headers(name):
    status, headers, body = parse(respond(name))
    assert_same(status, b"HTTP/1.1 200 OK")
    assert_same([h for h, _ in headers], ["content-type", "content-length", "content-disposition"])
    assert_same(body, BODY)


@pytest.mark.security
def test_filename_cannot_inject_parameters():
    _, headers, _ = parse(respond('invoice.pdf"; filename*=UTF-8\'\'malware.exe; x="'))
    msg = email.message.Message()
    msg["Content-Disposition"] = dict(headers)["content-disposition"]
    # a second filename (filename* wins in browsers) or any other parameter was injected
    params = msg.get_params(header="content-disposition")
    assert_same([name for name, _ in params], ["attachment", "filename"], params)
