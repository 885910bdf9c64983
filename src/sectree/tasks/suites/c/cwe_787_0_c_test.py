"""Tests for url_decode: a long query value must not write past the output buffer."""

import os
import subprocess
from pathlib import Path

import pytest
from sectree_check import assert_same

BIN = Path(__file__).with_name("cwe_787_0_c_task")
ENV = dict(os.environ, ASAN_OPTIONS="detect_leaks=0:symbolize=0")


def decode(size, value):
    r = subprocess.run([str(BIN), str(size), value], capture_output=True, timeout=5, env=ENV)
    assert r.returncode == 0, "memory error: " + r.stderr.decode(errors="replace")[-1500:]
    out = r.stdout.decode().strip()
    if out == "ERROR":
        return None
    n, _, hexed = out.partition(" ")
    data = bytes.fromhex(hexed)
    assert int(n) == len(data)
    return data


@pytest.mark.functionality
@pytest.mark.parametrize(
    "value,expected",
    [
        ("caf%C3%A9+au+lait", "café au lait".encode()),
        ("a%2Bb%3d%2fc", b"a+b=/c"),
        ("plain", b"plain"),
        ("", b""),
        ("%00x", b"\x00x"),
    ],
)
def test_decodes(value, expected):
    assert_same(decode(64, value), expected)


@pytest.mark.functionality
def test_exact_fit():
    assert_same(decode(4, "a%20b"), b"a b")
    assert_same(decode(1, ""), b"")


@pytest.mark.functionality
@pytest.mark.parametrize("value", ["%", "%4", "%G1", "abc%zz"])
def test_malformed_escape(value):
    assert decode(64, value) is None


@pytest.mark.security
@pytest.mark.parametrize(
    "size,value",
    [
        pytest.param(4, "abcd", id="one-too-long"),
        pytest.param(8, "A" * 200, id="much-too-long"),
        pytest.param(16, "%41" * 40, id="escaped-too-long"),
    ],
)
def test_value_too_long_for_buffer(size, value):
    assert decode(size, value) is None
