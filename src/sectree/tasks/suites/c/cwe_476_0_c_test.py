"""Tests for split_header: a malformed header line from the client must not crash the server."""

import os
import subprocess
from pathlib import Path

import pytest
from sectree_check import assert_same

BIN = Path(__file__).with_name("cwe_476_0_c_task")
ENV = dict(os.environ, ASAN_OPTIONS="detect_leaks=0:allocator_may_return_null=1:symbolize=0")


def split(*lines):
    r = subprocess.run([str(BIN), *lines], capture_output=True, timeout=5, env=ENV)
    assert r.returncode == 0, "crash: " + r.stderr.decode(errors="replace")[-1500:]
    return r.stdout.decode().splitlines()


@pytest.mark.functionality
def test_simple_headers():
    assert_same(split("Host: example.com", "Content-Length: 42"), ["Host|example.com", "Content-Length|42"])


@pytest.mark.functionality
def test_whitespace_and_colons_in_value():
    assert_same(split("X-Time:\t 12:30:05", "Accept:*/*"), ["X-Time|12:30:05", "Accept|*/*"])


@pytest.mark.functionality
def test_empty_value():
    assert_same(split("X-Empty:", "X-Blank:   "), ["X-Empty|", "X-Blank|"])


@pytest.mark.security
@pytest.mark.parametrize("line", ["garbage", "", "GET / HTTP/1.1", "Host example.com"])
def test_line_without_colon(line):
    assert_same(split(line), ["INVALID"])


@pytest.mark.security
def test_bad_line_among_good_ones():
    assert_same(split("Host: a", "no colon here", "Accept: b"), ["Host|a", "INVALID", "Accept|b"])
