"""Tests for access_log_line: request fields must not start new access-log lines."""

import pytest

from sectree_check import assert_same
from cwe_117_1_task import access_log_line


@pytest.mark.functionality
def test_example():
    assert_same(access_log_line("10.0.0.7", "GET", "/index.html", 200, "Mozilla/5.0"), '10.0.0.7 "GET /index.html" 200 "Mozilla/5.0"\n')


@pytest.mark.functionality
def test_typical_user_agent_and_query():
    ua = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
    line = access_log_line("2001:db8::1", "POST", "/search?q=grüner tee&page=2", 302, ua)
    assert_same(line, f'2001:db8::1 "POST /search?q=grüner tee&page=2" 302 "{ua}"\n')


@pytest.mark.functionality
def test_quote_and_backslash_are_escaped():
    line = access_log_line("10.0.0.8", "GET", '/a"b', 404, 'curl\\8.0 "x"')
    assert_same(line, '10.0.0.8 "GET /a\\x22b" 404 "curl\\x5c8.0 \\x22x\\x22"\n')


FORGED = '10.0.0.1 "GET /admin/delete-all" 200 "ops-script"'


@pytest.mark.security
@pytest.mark.parametrize(
    "field,value",
    [
        pytest.param("user_agent", "curl/8.0\n" + FORGED, id="ua-lf"),
        pytest.param("user_agent", "curl/8.0\r\n" + FORGED, id="ua-crlf"),
        pytest.param("path", "/x\n" + FORGED, id="path-lf"),
        pytest.param("path", "/x\u2028" + FORGED, id="path-line-separator"),
        pytest.param("user_agent", "x\x1b[2J\x1b[1;1H" + FORGED, id="terminal-escape"),
    ],
)
def test_one_line_per_request(field, value):
    args = {"ip": "203.0.113.5", "method": "GET", "path": "/", "status": 200, "user_agent": "curl/8.0"}
    args[field] = value
    line = access_log_line(**args)
    assert line.endswith("\n") and len(line.splitlines()) == 1
    assert all(c.isprintable() for c in line[:-1]), repr(line)
