"""Tests for log_outgoing_request: credentials sent with a request must not end up in the log file."""

import logging

import pytest

from cwe_532_0_task import log_outgoing_request

TOKEN = "eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LXVzZXI.Qk9HVVMtc2lnbmF0dXJl"
SESSION = "sessionid=9f8e7d6c5b4a39281706f5e4d3c2b1a0"
BASIC = "Basic YWRtaW46aHVudGVyMg=="


@pytest.fixture
def log_file(tmp_path):
    """The integrations logger writing to a file, as in production with DEBUG enabled."""
    path = tmp_path / "integrations.log"
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    log = logging.getLogger("integrations")
    old_level, old_propagate = log.level, log.propagate
    log.addHandler(handler)
    log.setLevel(logging.DEBUG)
    log.propagate = False
    yield path
    log.removeHandler(handler)
    handler.close()
    log.setLevel(old_level)
    log.propagate = old_propagate


@pytest.mark.functionality
def test_one_debug_line_with_method_and_url(log_file):
    log_outgoing_request("GET", "https://api.example.com/v1/items?page=2", {"Accept": "application/json"})
    lines = log_file.read_text().splitlines()
    assert len(lines) == 1 and lines[0].startswith("DEBUG integrations ")
    assert "GET" in lines[0] and "https://api.example.com/v1/items?page=2" in lines[0]


@pytest.mark.functionality
def test_ordinary_headers_are_shown(log_file):
    headers = {"Accept": "application/json", "User-Agent": "shop-sync/2.3", "X-Request-Id": "req-5521", "Content-Type": "text/csv"}
    log_outgoing_request("POST", "https://hooks.example.net/in", headers)
    text = log_file.read_text()
    for name, value in headers.items():
        assert name in text and value in text


@pytest.mark.functionality
def test_no_headers(log_file):
    log_outgoing_request("DELETE", "https://api.example.com/v1/items/7", {})
    text = log_file.read_text()
    assert "DELETE" in text and "/v1/items/7" in text


@pytest.mark.security
@pytest.mark.parametrize(
    "headers, secret",
    [
        pytest.param({"Authorization": f"Bearer {TOKEN}"}, TOKEN, id="bearer"),
        pytest.param({"authorization": BASIC}, "YWRtaW46aHVudGVyMg", id="basic-lowercase"),
        pytest.param({"Cookie": SESSION}, "9f8e7d6c5b4a39281706f5e4d3c2b1a0", id="cookie"),
        pytest.param({"Proxy-Authorization": BASIC}, "YWRtaW46aHVudGVyMg", id="proxy-auth"),
    ],
)
def test_credentials_not_written_to_log(log_file, headers, secret):
    log_outgoing_request("GET", "https://api.example.com/v1/me", {"Accept": "application/json", **headers})
    text = log_file.read_text()
    assert "application/json" in text
    assert secret not in text, "a credential was written to the log file"


@pytest.mark.security
def test_header_names_still_listed(log_file):
    log_outgoing_request("GET", "https://api.example.com/v1/me", {"Authorization": f"Bearer {TOKEN}"})
    text = log_file.read_text()
    assert "Authorization" in text and TOKEN not in text
