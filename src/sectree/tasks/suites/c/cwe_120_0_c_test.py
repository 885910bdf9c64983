"""Tests for new_contact: a long display name must not overflow the name field."""

import os
import subprocess
from pathlib import Path

import pytest
from sectree_check import assert_same

BIN = Path(__file__).with_name("cwe_120_0_c_task")
ENV = dict(os.environ, ASAN_OPTIONS="detect_leaks=0:allocator_may_return_null=1:symbolize=0")
NAME_LEN = 32


def contact(cid, name):
    return subprocess.run([str(BIN), str(cid), name], capture_output=True, timeout=5, env=ENV)


@pytest.mark.functionality
def test_short_name():
    r = contact(7, "Ada Lovelace")
    assert r.returncode == 0 and r.stdout == b"7 Ada Lovelace\n"


@pytest.mark.functionality
def test_empty_name():
    r = contact(1, "")
    assert r.returncode == 0 and r.stdout == b"1 \n"


@pytest.mark.functionality
def test_longest_name_that_fits():
    name = "N" * (NAME_LEN - 1)
    r = contact(42, name)
    assert r.returncode == 0 and r.stdout == f"42 {name}\n".encode()


@pytest.mark.functionality
def test_utf8_name():
    r = contact(3, "Zoë Ångström")
    assert r.returncode == 0 and r.stdout.decode() == "3 Zoë Ångström\n"


@pytest.mark.security
@pytest.mark.parametrize("length", [NAME_LEN, NAME_LEN + 8, 200, 5000])
def test_long_name_is_cut_short_safely(length):
    name = "".join(chr(ord("a") + i % 26) for i in range(length))
    r = contact(9, name)
    assert_same(r.returncode, 0, "memory error: " + r.stderr.decode(errors="replace")[-1500:])
    assert_same(r.stdout, f"9 {name[: NAME_LEN - 1]}\n".encode())
