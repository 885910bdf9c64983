"""Tests for send_download_headers: a stored file name must not inject headers or split the response."""

import os
import subprocess
from pathlib import Path

import pytest
from sectree_check import assert_same

BIN = Path(__file__).with_name("cwe_113_0_c_task")
ENV = dict(os.environ, ASAN_OPTIONS="detect_leaks=0:allocator_may_return_null=1:symbolize=0")


def headers(filename):
    """The header lines the program wrote, checking the overall framing."""
    r = subprocess.run([str(BIN), filename], capture_output=True, timeout=5, env=ENV)
    assert r.returncode == 0, r.stderr.decode(errors="replace")[-2000:]
    out = r.stdout
    assert out.endswith(b"\r\n\r\n")
    block = out[: out.index(b"\r\n\r\n")]
    return block, out


@pytest.mark.functionality
def test_simple_name():
    block, out = headers("report.pdf")
    assert_same(out, b"Content-Type: application/octet-stream\r\n"
        b'Content-Disposition: attachment; filename="report.pdf"\r\n\r\n')


@pytest.mark.functionality
@pytest.mark.parametrize("name", ["Q1 report (final).pdf", "résumé-2024.docx", "a;b,c=d.txt"])
def test_ordinary_names_are_kept(name):
    block, _ = headers(name)
    assert_same(block.split(b"\r\n")[1], f'Content-Disposition: attachment; filename="{name}"'.encode())


@pytest.mark.functionality
def test_two_headers():
    block, _ = headers("data.csv")
    lines = block.split(b"\r\n")
    assert len(lines) == 2
    assert_same(lines[0], b"Content-Type: application/octet-stream")


def assert_single_disposition_header(block, out):
    lines = block.split(b"\r\n")
    assert len(lines) == 2, f"injected header lines: {lines!r}"
    assert_same(out.count(b"\r\n\r\n"), 1, "response split")
    assert b"\n" not in block.replace(b"\r\n", b"") and b"\r" not in block.replace(b"\r\n", b"")
    assert not any(l.lower().startswith(b"set-cookie") or l.lower().startswith(b"location") for l in lines)


@pytest.mark.security
@pytest.mark.parametrize(
    "name",
    [
        pytest.param("a.pdf\r\nSet-Cookie: session=attacker", id="crlf-header"),
        pytest.param("a.pdf\nLocation: https://evil.example/", id="lf-header"),
        pytest.param("a.pdf\r\n\r\n<script>alert(1)</script>", id="response-split"),
        pytest.param("a.pdf\rSet-Cookie: x=1", id="bare-cr"),
    ],
)
def test_line_breaks_cannot_inject(name):
    assert_single_disposition_header(*headers(name))


@pytest.mark.security
def test_quote_cannot_add_parameters():
    block, out = headers('a.pdf"; filename*=UTF-8\'\'evil.exe; x="')
    assert_single_disposition_header(block, out)
    disposition = block.split(b"\r\n")[1]
    value = disposition[len(b"Content-Disposition: attachment; filename="):]
    # the whole name stays inside one quoted string: no unescaped quote before the closing one
    assert value.startswith(b'"') and value.endswith(b'"')
    assert b'"' not in value[1:-1].replace(b'\\"', b""), f"parameter injection: {disposition!r}"
