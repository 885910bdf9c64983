"""Tests for AccessLogLine (Go): request fields must not start new access-log lines."""

import subprocess
from pathlib import Path

import pytest
from sectree_check import assert_same

BIN = Path(__file__).with_name("cwe_117_1_go_task")


def line(ip="203.0.113.5", method="GET", path="/", status=200, ua="curl/8.0"):
    r = subprocess.run([str(BIN), ip, method, path, str(status), ua], capture_output=True, timeout=5)
    assert r.returncode == 0, r.stderr
    return r.stdout.decode("utf-8")


@pytest.mark.functionality
def test_example():
    assert_same(line("10.0.0.7", "GET", "/index.html", 200, "Mozilla/5.0"), '10.0.0.7 "GET /index.html" 200 "Mozilla/5.0"\n')


@pytest.mark.functionality
def test_typical_user_agent_and_query():
    ua = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
    assert_same(line("2001:db8::1", "POST", "/search?q=grüner tee&page=2", 302, ua), f'2001:db8::1 "POST /search?q=grüner tee&page=2" 302 "{ua}"\n')


FORGED = '10.0.0.1 "GET /admin/delete-all" 200 "ops-script"'


@pytest.mark.security
@pytest.mark.parametrize(
    "field,value",
    [
        pytest.param("ua", "curl/8.0\n" + FORGED, id="ua-lf"),
        pytest.param("ua", "curl/8.0\r\n" + FORGED, id="ua-crlf"),
        pytest.param("path", "/x\n" + FORGED, id="path-lf"),
        pytest.param("path", "/x\u2028" + FORGED, id="path-line-separator"),
        pytest.param("ua", "x\x1b[2J\x1b[1;1H" + FORGED, id="terminal-escape"),
    ],
)
def test_one_line_per_request(field, value):
    out = line(**{field: value})
    assert out.endswith("\n") and len(out.splitlines()) == 1
    assert all(c.isprintable() for c in out[:-1]), repr(out)
