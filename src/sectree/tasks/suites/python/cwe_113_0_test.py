"""Tests for content_disposition_header: a user-chosen file name must not break out of the header."""

import email.parser

import pytest

from sectree_check import assert_same, exact
from cwe_113_0_task import content_disposition_header


def parse_block(header_line: str):
    """Parse the header line as an HTTP server would emit it in a response head."""
    head = "HTTP/1.1 200 OK\r\nContent-Type: application/pdf\r\n" + header_line + "Content-Length: 0\r\n\r\n"
    _status, _, rest = head.partition("\r\n")
    return email.parser.Parser().parsestr(rest, headersonly=True)


@pytest.mark.functionality
def test_exact_format():
    assert_same(content_disposition_header("report.pdf"), 'Content-Disposition: attachment; filename="report.pdf"\r\n')


@pytest.mark.functionality
@pytest.mark.parametrize("name", ["Q3 summary (final).xlsx", "notes-2024_v2.txt", "photo.JPG"])
def test_filename_round_trips(name):
    msg = parse_block(content_disposition_header(name))
    assert msg.get_all("Content-Disposition") is not None
    assert len(msg.get_all("Content-Disposition")) == 1
    assert_same(msg.get_filename(), name)


@pytest.mark.functionality
def test_single_line_with_crlf():
    line = content_disposition_header("a.txt")
    assert line.endswith("\r\n")
    assert_same(line.count("\n"), 1)


def produced_or_rejected(name: str):
    try:
        return content_disposition_header(name)
    except ValueError:
        return None  # refusing the name is fine


@pytest.mark.security
@pytest.mark.parametrize(
    "name",
    [
        "invoice.pdf\r\nSet-Cookie: session=attacker-fixed",
        "invoice.pdf\nSet-Cookie: session=attacker-fixed",
        "invoice.pdf\rSet-Cookie: session=attacker-fixed",
        "x.html\r\n\r\n<script>alert(document.domain)</script>",
    ],
)
def test_no_injected_headers(name):
    line = exact(produced_or_rejected(name), str | None)
    if line is None:
        return
    body = line[:-2]
    assert "\r" not in body and "\n" not in body, "CR/LF from the file name ends the header early"
    msg = parse_block(line)
    assert msg.get_all("Set-Cookie") is None
    assert msg.get_payload() in ("", None)
