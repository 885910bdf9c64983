"""Tests for LogFailedLogin (Go): user input must not forge extra auth-log entries."""

import subprocess
from pathlib import Path

import pytest
from sectree_check import assert_same

BIN = Path(__file__).with_name("cwe_117_0_go_task")


def log_failed_login(username, ip):
    r = subprocess.run([str(BIN), username, ip], timeout=5, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return r.stdout


@pytest.mark.functionality
def test_one_line_with_user_and_ip():
    assert_same(log_failed_login("alice", "10.0.0.7"), "auth: failed login for user alice from 10.0.0.7\n")


@pytest.mark.functionality
@pytest.mark.parametrize("user", ["bob.smith@example.com", "O'Brien", "Zoë", "user name with spaces"])
def test_ordinary_names_kept_verbatim(user):
    assert_same(log_failed_login(user, "192.168.1.20"), f"auth: failed login for user {user} from 192.168.1.20\n")


@pytest.mark.functionality
def test_ipv6_address():
    assert_same(log_failed_login("carol", "2001:db8::1"), "auth: failed login for user carol from 2001:db8::1\n")


FORGED = "auth: login succeeded for user admin from 10.0.0.1"


def assert_single_entry(out):
    lines = out.split("\n")
    assert lines[-1] == "" and len(lines) == 2, f"log entry was split: {out!r}"
    assert "\r" not in out, f"carriage return reached the log: {out!r}"
    assert lines[0].startswith("auth: failed login for user ")


@pytest.mark.security
@pytest.mark.parametrize(
    "user",
    [
        pytest.param("alice\n" + FORGED, id="lf"),
        pytest.param("alice\r\n" + FORGED, id="crlf"),
        pytest.param("alice\r" + FORGED, id="cr"),
    ],
)
def test_username_cannot_forge_entries(user):
    assert_single_entry(log_failed_login(user, "10.0.0.7"))


@pytest.mark.security
def test_forwarded_ip_cannot_forge_entries():
    assert_single_entry(log_failed_login("alice", "10.0.0.7\n" + FORGED))
