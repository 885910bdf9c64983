"""Tests for read_setting_value: long lines must not leave the parser using freed memory."""

import os
import subprocess
from pathlib import Path

import pytest
from sectree_check import assert_same

BIN = Path(__file__).with_name("cwe_416_0_c_task")
ENV = dict(os.environ, ASAN_OPTIONS="detect_leaks=0:allocator_may_return_null=1:symbolize=0")


def value_of(data):
    r = subprocess.run([str(BIN)], input=data, capture_output=True, timeout=5, env=ENV)
    assert r.returncode == 0, "memory error: " + r.stderr.decode(errors="replace")[-1500:]
    out = r.stdout
    if out == b"NONE\n":
        return None
    assert out.startswith(b"VALUE ") and out.endswith(b"\n")
    return out[6:-1]


@pytest.mark.functionality
@pytest.mark.parametrize(
    "data,expected",
    [
        (b"name=alice\n", b"alice"),
        (b"url=https://example.com/?a=b\n", b"https://example.com/?a=b"),
        (b"empty=\n", b""),
        (b"no_newline=at end", b"at end"),
        (b"first=1\nsecond=2\n", b"1"),
    ],
)
def test_values(data, expected):
    assert_same(value_of(data), expected)


@pytest.mark.functionality
@pytest.mark.parametrize("data", [b"", b"no equals sign\n", b"\nkey=value\n"])
def test_no_value(data):
    assert value_of(data) is None


@pytest.mark.functionality
def test_long_key():
    key = b"k" * 5000
    assert_same(value_of(key + b"=short\n"), b"short")


@pytest.mark.security
@pytest.mark.parametrize("length", [100, 1000, 100_000])
def test_long_value(length):
    value = bytes(b"abcdefghij"[i % 10] for i in range(length))
    assert_same(value_of(b"token=" + value + b"\n"), value)


@pytest.mark.security
def test_equals_before_growth_and_after():
    line = b"a=" + b"x" * 300 + b"=y" + b"z" * 300
    assert_same(value_of(line + b"\n"), line[2:])
