"""Tests for split_fields: a length byte must not make the parser read past the record."""

import os
import subprocess
from pathlib import Path

import pytest
from sectree_check import assert_same

BIN = Path(__file__).with_name("cwe_125_0_cpp_task")
ENV = dict(os.environ, ASAN_OPTIONS="detect_leaks=0:symbolize=0")


def encode(*fields):
    return b"".join(bytes([len(f)]) + f for f in fields)


def split(record):
    r = subprocess.run([str(BIN)], input=record, capture_output=True, timeout=5, env=ENV)
    assert r.returncode == 0, "memory error: " + r.stderr.decode(errors="replace")[-1500:]
    lines = r.stdout.decode().splitlines()
    if lines == ["MALFORMED"]:
        return None
    assert_same(lines[0], f"FIELDS {len(lines) - 1}")
    return [bytes.fromhex(line) for line in lines[1:]]


@pytest.mark.functionality
@pytest.mark.parametrize(
    "fields",
    [
        [b"alice", b"admin", b"2024-05-01"],
        [b"single"],
        [b"", b"x", b""],
        [bytes(range(256))[:255], b"tail"],
        [],
    ],
    ids=["three", "one", "empty-fields", "binary-max-length", "no-fields"],
)
def test_splits_fields(fields):
    assert_same(split(encode(*fields)), fields)


@pytest.mark.functionality
def test_many_fields():
    fields = [str(i).encode() * (i % 7) for i in range(300)]
    assert_same(split(encode(*fields)), fields)


@pytest.mark.security
@pytest.mark.parametrize(
    "record",
    [
        pytest.param(encode(b"alice") + b"\x06admin", id="one-past-end"),
        pytest.param(b"\xff" + b"short", id="length-beyond-record"),
        pytest.param(encode(b"user", b"pw") + b"\xc8", id="length-with-no-data"),
    ],
)
def test_truncated_field_is_rejected(record):
    assert split(record) is None
