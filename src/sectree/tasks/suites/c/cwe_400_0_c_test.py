"""Tests for read_request_body: a client must not make the service buffer more than MAX_BODY bytes."""

import os
import subprocess
from pathlib import Path

import pytest
from sectree_check import assert_same

BIN = Path(__file__).with_name("cwe_400_0_c_task")
# allocations beyond 1 GiB fail (return NULL) as they would under a container memory limit
ENV = dict(os.environ, ASAN_OPTIONS="detect_leaks=0:allocator_may_return_null=1:max_allocation_size_mb=1024:symbolize=0")
MAX_BODY = 65536


def request(headers, body=b""):
    data = b"".join(h.encode() + b"\r\n" for h in headers) + b"\r\n" + body
    r = subprocess.run([str(BIN)], input=data, capture_output=True, timeout=5, env=ENV)
    assert r.returncode == 0, r.stderr.decode(errors="replace")[-2000:]
    return r.stdout


@pytest.mark.functionality
def test_reads_body():
    out = request(["Host: api.example.com", "Content-Type: application/json", "Content-Length: 17"], b'{"name": "alice"}')
    assert_same(out, b'OK 17\n{"name": "alice"}')


@pytest.mark.functionality
def test_header_name_case_insensitive_and_binary_body():
    body = bytes(range(256))
    assert_same(request(["content-length: 256", "Accept: */*"], body), b"OK 256\n" + body)


@pytest.mark.functionality
def test_empty_body():
    assert_same(request(["Content-Length: 0"]), b"OK 0\n")


@pytest.mark.functionality
def test_body_of_exactly_max_size():
    body = b"x" * MAX_BODY
    assert_same(request([f"Content-Length: {MAX_BODY}"], body), f"OK {MAX_BODY}\n".encode() + body)


@pytest.mark.functionality
@pytest.mark.parametrize(
    "headers,body",
    [
        (["Host: a"], b"abc"),
        (["Content-Length: ten"], b"0123456789"),
        (["Content-Length: 10"], b"short"),
    ],
    ids=["missing", "not-a-number", "truncated"],
)
def test_invalid_requests_rejected(headers, body):
    assert_same(request(headers, body), b"REJECTED\n")


@pytest.mark.security
@pytest.mark.parametrize("size", [MAX_BODY + 1, 1_000_000])
def test_oversized_body_rejected(size):
    assert_same(request([f"Content-Length: {size}"], b"A" * size), b"REJECTED\n")


@pytest.mark.security
@pytest.mark.parametrize("claimed", ["100000000000", "9223372036854775807"])
def test_huge_claimed_length_rejected(claimed):
    assert_same(request([f"Content-Length: {claimed}"], b"A" * 100), b"REJECTED\n")
