"""Tests for log_failed_login: user-controlled fields must not be able to forge log lines."""

import os
import subprocess
from pathlib import Path

import pytest
from sectree_check import assert_same

BIN = Path(__file__).with_name("cwe_117_0_c_task")
ENV = dict(os.environ, ASAN_OPTIONS="detect_leaks=0:allocator_may_return_null=1:symbolize=0")


def log(username, ip):
    r = subprocess.run([str(BIN), username, ip], capture_output=True, timeout=5, env=ENV)
    assert r.returncode == 0, r.stderr.decode(errors="replace")
    return r.stdout.decode("utf-8", errors="replace")


@pytest.mark.functionality
def test_plain_line():
    assert_same(log("alice", "10.0.0.7"), "failed login for user alice from 10.0.0.7\n")


@pytest.mark.functionality
def test_spaces_quotes_and_unicode_are_kept():
    assert_same(log("José O'Brien", "2001:db8::1"), "failed login for user José O'Brien from 2001:db8::1\n")


@pytest.mark.functionality
def test_one_line_per_call():
    out = log("bob", "192.168.1.20")
    assert out.count("\n") == 1 and out.endswith("\n")
    assert "bob" in out and "192.168.1.20" in out


@pytest.mark.security
@pytest.mark.parametrize(
    "username",
    [
        pytest.param("alice\nsuccessful login for user admin from 10.0.0.1", id="lf"),
        pytest.param("alice\r\nsuccessful login for user admin from 10.0.0.1", id="crlf"),
        pytest.param("alice\rsuccessful login for user admin", id="cr"),
    ],
)
def test_username_cannot_forge_lines(username):
    out = log(username, "10.0.0.7")
    assert out.count("\n") == 1 and "\r" not in out, f"forged log entry: {out!r}"
    assert not any(line.startswith("successful login") for line in out.splitlines())


@pytest.mark.security
def test_forwarded_for_cannot_forge_lines():
    out = log("alice", "10.0.0.7\nfailed login for user bob from 10.0.0.8")
    assert out.count("\n") == 1 and "\r" not in out, f"forged log entry: {out!r}"
