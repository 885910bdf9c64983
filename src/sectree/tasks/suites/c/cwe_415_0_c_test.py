"""Tests for rename_account: a rejected rename must not leave a dangling name that is freed twice."""

import os
import subprocess
from pathlib import Path

import pytest
from sectree_check import assert_same

BIN = Path(__file__).with_name("cwe_415_0_c_task")
ENV = dict(os.environ, ASAN_OPTIONS="detect_leaks=0:allocator_may_return_null=1:symbolize=0")


def session(*args):
    r = subprocess.run([str(BIN), *args], capture_output=True, timeout=5, env=ENV)
    assert r.returncode == 0, "memory error: " + r.stderr.decode(errors="replace")[-1500:]
    return r.stdout.decode().splitlines()


@pytest.mark.functionality
def test_rename():
    assert_same(session("alice", "?"), ["ok alice", "name alice"])


@pytest.mark.functionality
def test_several_renames():
    assert_same(session("alice", "bob_2", "Carol-X", "?"), ["ok alice", "ok bob_2", "ok Carol-X", "name Carol-X"])


@pytest.mark.functionality
def test_longest_name():
    name = "a" * 32
    assert_same(session(name), [f"ok {name}"])


@pytest.mark.functionality
def test_initial_name():
    assert_same(session("?"), ["name guest"])


@pytest.mark.security
@pytest.mark.parametrize("bad", ["", "a" * 33, "bad name", "<script>", "x;y"])
def test_rejected_rename_then_exit(bad):
    assert_same(session(bad), ["invalid"])


@pytest.mark.security
def test_rejected_rename_then_valid_rename():
    assert_same(session("alice", "no spaces allowed", "bob"), ["ok alice", "invalid", "ok bob"])


@pytest.mark.security
def test_rejected_rename_keeps_name():
    assert_same(session("alice", "!!!", "?"), ["ok alice", "invalid", "name alice"])
