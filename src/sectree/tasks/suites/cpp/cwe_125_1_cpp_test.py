"""Tests for field_at: a field offset from the packet must not make the reader go past the header."""

import os
import subprocess
from pathlib import Path

import pytest
from sectree_check import assert_same

BIN = Path(__file__).with_name("cwe_125_1_cpp_task")
ENV = dict(os.environ, ASAN_OPTIONS="detect_leaks=0:symbolize=0")
HEADER = bytes([0x12, 0x34, 0x00, 0xFF, 0xAB, 0xCD, 0x7F])


def fields(header, *offsets):
    r = subprocess.run([str(BIN), *map(str, offsets)], input=header, capture_output=True, timeout=5, env=ENV)
    assert r.returncode == 0, "memory error: " + r.stderr.decode(errors="replace")[-1500:]
    return [None if line == "none" else int(line) for line in r.stdout.decode().split()]


@pytest.mark.functionality
def test_reads_fields():
    assert_same(fields(HEADER, 0, 2, 4, 1, 5), [0x1234, 0x00FF, 0xABCD, 0x3400, 0xCD7F])


@pytest.mark.functionality
def test_offsets_past_the_end():
    assert_same(fields(HEADER, 7, 100, 2**63), [None, None, None])
    assert_same(fields(b"", 0), [None])


@pytest.mark.security
@pytest.mark.parametrize(
    "header",
    [pytest.param(HEADER, id="odd-length"), pytest.param(b"\x01", id="one-byte"), pytest.param(b"\x00" * 64, id="long")],
)
def test_field_straddling_the_end(header):
    assert_same(fields(header, len(header) - 1), [None])
