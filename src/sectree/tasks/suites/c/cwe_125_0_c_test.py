"""Tests for find_record: a record's length byte must not make the parser read past the message."""

import os
import subprocess
from pathlib import Path

import pytest
from sectree_check import assert_same

BIN = Path(__file__).with_name("cwe_125_0_c_task")
ENV = dict(os.environ, ASAN_OPTIONS="detect_leaks=0:allocator_may_return_null=1:symbolize=0")


def rec(t, value):
    return bytes([t, len(value)]) + value


def find(t, msg):
    r = subprocess.run([str(BIN), str(t), msg.hex()], capture_output=True, timeout=5, env=ENV)
    assert r.returncode == 0, "memory error: " + r.stderr.decode(errors="replace")[-1500:]
    out = r.stdout.decode().strip()
    return None if out == "NOT FOUND" else bytes.fromhex(out)


MSG = rec(1, b"alice") + rec(2, b"\x00\x01\x02") + rec(3, b"") + rec(2, b"second")


@pytest.mark.functionality
@pytest.mark.parametrize("t,expected", [(1, b"alice"), (2, b"\x00\x01\x02"), (3, b"")])
def test_finds_first_record(t, expected):
    assert_same(find(t, MSG), expected)


@pytest.mark.functionality
def test_missing_type():
    assert find(9, MSG) is None
    assert find(1, b"") is None


@pytest.mark.functionality
def test_longest_value():
    value = bytes(range(255))
    assert_same(find(4, rec(1, b"x") + rec(4, value)), value)


@pytest.mark.security
@pytest.mark.parametrize(
    "msg",
    [
        pytest.param(bytes([5, 0x40]) + b"hi", id="length-past-end"),
        pytest.param(rec(1, b"alice") + bytes([5, 0xFF]), id="length-at-end"),
        pytest.param(rec(1, b"bob") + bytes([5, 0x10]) + b"0123456789abcde", id="one-byte-short"),
    ],
)
def test_length_beyond_message_is_rejected(msg):
    assert find(5, msg) is None


@pytest.mark.security
def test_truncated_record_before_match():
    # the record of another type claims more bytes than remain; nothing valid follows
    assert find(7, rec(1, b"a") + bytes([2, 0x30]) + rec(7, b"z")) is None
