"""Tests for set_username: the length check must leave room for the terminating NUL."""

import os
import subprocess
from pathlib import Path

import pytest
from sectree_check import assert_same

BIN = Path(__file__).with_name("cwe_193_0_c_task")
ENV = dict(os.environ, ASAN_OPTIONS="detect_leaks=0:allocator_may_return_null=1:symbolize=0")
USERNAME_MAX = 16


def set_username(name):
    r = subprocess.run([str(BIN), name], capture_output=True, timeout=5, env=ENV)
    assert r.returncode == 0, "memory error: " + r.stderr.decode(errors="replace")[-1500:]
    return r.stdout.decode().rstrip("\n")


@pytest.mark.functionality
@pytest.mark.parametrize("name", ["alice", "", "bob_the-builder"])
def test_short_names(name):
    assert_same(set_username(name), f"user={name}")


@pytest.mark.functionality
def test_longest_name_that_fits():
    name = "x" * (USERNAME_MAX - 1)
    assert_same(set_username(name), f"user={name}")


@pytest.mark.functionality
def test_much_too_long():
    assert_same(set_username("a" * 100), "TOO LONG (user=guest)")


@pytest.mark.security
@pytest.mark.parametrize("length", [USERNAME_MAX, USERNAME_MAX + 1])
def test_names_at_the_boundary_rejected(length):
    assert_same(set_username("z" * length), "TOO LONG (user=guest)")
