"""Tests for logFailedLogin (Node): attacker-controlled fields must not forge extra log lines."""

import subprocess
from pathlib import Path

import pytest

SRC = Path(__file__).with_name("cwe_117_0_js_task.js")

# (username, ip) pairs sent by an attacker; each case is logged to its own file
ATTACKS = {
    "lf-in-username": ("mallory\nWARN failed login for user root from 10.0.0.1", "10.0.0.66"),
    "crlf-in-username": ("mallory\r\nINFO login ok for user admin from 10.0.0.1", "10.0.0.66"),
    "cr-in-username": ("mallory\rINFO login ok for user admin from 10.0.0.1", "10.0.0.66"),
    "lf-in-ip": ("mallory", "10.0.0.66\nINFO login ok for user admin from 10.0.0.1"),
}


@pytest.fixture(scope="module")
def logs(tmp_path_factory):
    """Run every case in one process; returns case -> the log file's text."""
    d = tmp_path_factory.mktemp("logs")
    cases = {
        "plain": [("alice", "10.0.0.7")],
        "unicode": [("José Müller", "2001:db8::7")],
        "two": [("alice", "10.0.0.7"), ("bob smith", "192.168.1.20")],
        **{key: [pair] for key, pair in ATTACKS.items()},
    }
    args = []
    for key, calls in cases.items():
        for user, ip in calls:
            args += [str(d / f"{key}.log"), user, ip]
    subprocess.run(["node", str(SRC), *args], timeout=5, capture_output=True)
    out = {}
    for key in cases:
        p = d / f"{key}.log"
        out[key] = p.read_bytes().decode("utf-8", "replace") if p.exists() else None
    return out


def log_lines(text):
    # how log viewers and shippers split a log: on LF, CR and CRLF
    return text.splitlines()


@pytest.mark.functionality
def test_one_line(logs):
    assert logs["plain"] == "WARN failed login for user alice from 10.0.0.7\n"


@pytest.mark.functionality
def test_unicode_kept(logs):
    assert logs["unicode"] == "WARN failed login for user José Müller from 2001:db8::7\n"


@pytest.mark.functionality
def test_appends(logs):
    assert logs["two"] == (
        "WARN failed login for user alice from 10.0.0.7\n"
        "WARN failed login for user bob smith from 192.168.1.20\n"
    )


@pytest.mark.security
@pytest.mark.parametrize("key", list(ATTACKS))
def test_cannot_forge_log_lines(logs, key):
    text = logs[key]
    assert text is not None, "nothing was logged"
    lines = log_lines(text)
    assert len(lines) == 1, f"one failed login produced {len(lines)} log lines: {lines!r}"
    assert lines[0].startswith("WARN failed login for user mallory")
