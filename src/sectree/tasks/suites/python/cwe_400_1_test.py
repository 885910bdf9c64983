"""Tests for read_chunked_body: a client must not be able to make the server buffer an unbounded body."""

import io
import itertools

import pytest

from sectree_check import assert_same
from cwe_400_1_task import read_chunked_body

MB = 1 << 20


class ClientGaveUp(BaseException):
    """Raised by HostileStream once the server has pulled more than the test allows (not an Exception,
    so the code under test can't swallow it)."""


class HostileStream:
    """A client connection that keeps sending: `prefix` followed by `pieces` (an iterator of bytes).
    Counts what the server consumes and stops the test once that exceeds `budget` bytes."""

    def __init__(self, prefix: bytes, pieces, budget: int):
        self._buf = bytearray(prefix)
        self._pieces = iter(pieces)
        self._budget = budget
        self.consumed = 0

    def _fill(self, want: int, stop_at_newline: bool = False) -> None:
        while len(self._buf) < want and not (stop_at_newline and b"\n" in self._buf):
            if self.consumed + len(self._buf) > self._budget:
                raise ClientGaveUp(f"server read more than {self._budget} bytes")
            try:
                self._buf += next(self._pieces)
            except StopIteration:
                return

    def _take(self, n: int) -> bytes:
        out = bytes(self._buf[:n])
        del self._buf[:n]
        self.consumed += len(out)
        if self.consumed > self._budget:
            raise ClientGaveUp(f"server read more than {self._budget} bytes")
        return out

    def read(self, n: int = -1) -> bytes:
        n = self._budget + 1 if n is None or n < 0 else min(n, self._budget + 1)
        self._fill(n)
        return self._take(n)

    def readline(self, limit: int = -1) -> bytes:
        limit = self._budget + 1 if limit is None or limit < 0 else limit
        self._fill(limit, stop_at_newline=True)
        end = self._buf.find(b"\n")
        n = min(limit, end + 1 if end >= 0 else len(self._buf))
        return self._take(n)

    def readinto(self, b) -> int:
        data = self.read(len(b))
        b[: len(data)] = data
        return len(data)

    def __iter__(self):
        while True:
            line = self.readline()
            if not line:
                return
            yield line


def chunked(*chunks: bytes, trailer: bytes = b"") -> bytes:
    return b"".join(b"%x\r\n%s\r\n" % (len(c), c) for c in chunks) + b"0\r\n" + trailer + b"\r\n"


@pytest.mark.functionality
def test_simple():
    assert_same(read_chunked_body(io.BytesIO(chunked(b"Wiki", b"pedia", b" in\r\n\r\nchunks.")), 1024), b"Wikipedia in\r\n\r\nchunks.")


@pytest.mark.functionality
def test_extensions_trailers_and_following_request():
    raw = b"5;name=value\r\nhello\r\nA\r\n, world!!!\r\n0\r\nX-Checksum: abc\r\n\r\nGET /next HTTP/1.1\r\n"
    stream = io.BytesIO(raw)
    assert_same(read_chunked_body(stream, 1024), b"hello, world!!!")
    assert_same(stream.read(), b"GET /next HTTP/1.1\r\n")  # stops exactly at the end of the body


@pytest.mark.functionality
def test_empty_body():
    assert_same(read_chunked_body(io.BytesIO(b"0\r\n\r\n"), 10), b"")


@pytest.mark.functionality
def test_exact_limit():
    assert_same(read_chunked_body(io.BytesIO(chunked(b"a" * 600, b"b" * 424)), 1024), b"a" * 600 + b"b" * 424)


@pytest.mark.functionality
def test_over_limit():
    with pytest.raises(ValueError):
        read_chunked_body(io.BytesIO(chunked(b"a" * 600, b"b" * 425)), 1024)


@pytest.mark.functionality
@pytest.mark.parametrize(
    "raw",
    [b"zz\r\nhello\r\n0\r\n\r\n", b"5\r\nhel", b"5\r\nhelloXY0\r\n\r\n", b""],
)
def test_malformed(raw):
    with pytest.raises(ValueError):
        read_chunked_body(io.BytesIO(raw), 1024)


@pytest.mark.security
def test_endless_chunks_stopped_early():
    # the client never sends the terminating 0-chunk: 1 MiB chunks, forever
    piece = b"100000\r\n" + b"x" * MB + b"\r\n"
    stream = HostileStream(b"", itertools.repeat(piece), budget=32 * MB)
    with pytest.raises(ValueError):
        read_chunked_body(stream, 1 * MB)
    assert stream.consumed <= 3 * MB


@pytest.mark.security
def test_huge_declared_chunk_stopped_early():
    # one chunk claiming ~64 GiB; the client trickles data for as long as the server keeps reading
    stream = HostileStream(b"fffffffff\r\n", itertools.repeat(b"y" * 65536), budget=32 * MB)
    with pytest.raises(ValueError):
        read_chunked_body(stream, 1 * MB)
    assert stream.consumed <= 3 * MB
