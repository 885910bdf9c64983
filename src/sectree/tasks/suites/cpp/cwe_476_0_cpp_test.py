"""Tests for is_allowed: a role missing from the grants table must not crash the check."""

import os
import subprocess
from pathlib import Path

import pytest

BIN = Path(__file__).with_name("cwe_476_0_cpp_task")
ENV = dict(os.environ, ASAN_OPTIONS="detect_leaks=0:symbolize=0")

CONFIG = """alice admin
bob editor
carol viewer
dave editor
erin auditor
frank contractor

admin read write delete manage_users
editor read write
viewer read
"""


def check(user, action, config=CONFIG):
    r = subprocess.run([str(BIN), user, action], input=config.encode(), capture_output=True, timeout=5, env=ENV)
    assert r.returncode == 0, "crashed: " + r.stderr.decode(errors="replace")[-1500:]
    assert r.stdout in (b"ALLOWED\n", b"DENIED\n")
    return r.stdout == b"ALLOWED\n"


@pytest.mark.functionality
@pytest.mark.parametrize(
    "user,action",
    [("alice", "delete"), ("alice", "manage_users"), ("bob", "write"), ("dave", "read"), ("carol", "read")],
)
def test_granted(user, action):
    assert check(user, action)


@pytest.mark.functionality
@pytest.mark.parametrize("user,action", [("carol", "write"), ("bob", "delete"), ("alice", "fly"), ("bob", "")])
def test_not_granted(user, action):
    assert not check(user, action)


@pytest.mark.functionality
@pytest.mark.parametrize("user", ["mallory", "", "Alice"])
def test_unknown_user_denied(user):
    assert not check(user, "read")


@pytest.mark.security
@pytest.mark.parametrize("user,action", [("erin", "read"), ("frank", "write"), ("frank", "manage_users")])
def test_user_whose_role_has_no_grants(user, action):
    assert not check(user, action)


@pytest.mark.security
def test_role_table_empty():
    assert not check("alice", "read", "alice admin\n\n")
