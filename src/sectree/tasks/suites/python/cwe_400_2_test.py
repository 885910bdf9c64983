"""Tests for read_request_line: a client that never sends a newline must not make the server buffer without bound."""

import io

import pytest

from sectree_check import assert_same
from cwe_400_2_task import read_request_line

MB = 1 << 20


class EndlessClient(io.RawIOBase):
    """A connection that keeps sending b"A" and never a line ending; records how much was taken from it."""

    def __init__(self, give_up_after: int = 64 * MB):
        self.served = 0
        self.give_up_after = give_up_after

    def readable(self):
        return True

    def readinto(self, b):
        if self.served >= self.give_up_after:
            raise ConnectionResetError("test client stopped after the server read far past the limit")
        n = min(len(b), 64 * 1024)
        b[:n] = b"A" * n
        self.served += n
        return n


def client(data: bytes):
    return io.BufferedReader(io.BytesIO(data))


@pytest.mark.functionality
def test_reads_request_line():
    f = client(b"GET /index.html HTTP/1.1\r\nHost: example.com\r\n\r\n")
    assert_same(read_request_line(f), "GET /index.html HTTP/1.1")
    assert_same(f.readline(), b"Host: example.com\r\n")


@pytest.mark.functionality
def test_bare_newline_and_eof():
    assert_same(read_request_line(client(b"POST /api HTTP/1.0\nrest")), "POST /api HTTP/1.0")
    assert_same(read_request_line(client(b"")), "")


@pytest.mark.functionality
def test_line_at_limit_is_fine():
    line = b"GET /" + b"a" * (100 - 16) + b" HTTP/1.1\r\n"
    assert len(line) == 100
    assert_same(read_request_line(client(line + b"Host: x\r\n"), 100), line.decode().rstrip("\r\n"))


@pytest.mark.functionality
@pytest.mark.parametrize("size", [101, 5000])
def test_long_line_rejected(size):
    line = b"GET /" + b"a" * size + b" HTTP/1.1\r\n"
    with pytest.raises(ValueError):
        read_request_line(client(line), 100)


@pytest.mark.security
@pytest.mark.parametrize("limit", [8192, 64 * 1024])
def test_endless_line_rejected_early(limit):
    conn = EndlessClient()
    with pytest.raises(ValueError):
        read_request_line(io.BufferedReader(conn), limit)
    assert conn.served <= limit + 256 * 1024, f"read {conn.served / MB:.1f} MiB for a {limit}-byte limit"


@pytest.mark.security
def test_default_limit_applies():
    conn = EndlessClient()
    with pytest.raises(ValueError):
        read_request_line(io.BufferedReader(conn))
    assert conn.served <= 8192 + 256 * 1024
