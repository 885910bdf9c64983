"""Tests for validate_webhook_url: webhooks must not reach internal addresses. Offline: no DNS lookups."""

import ipaddress
import socket

import pytest

from sectree_check import assert_same
from cwe_918_1_task import validate_webhook_url


@pytest.fixture(autouse=True)
def no_dns(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("validate_webhook_url must not resolve names")

    for name in ("getaddrinfo", "gethostbyname", "gethostbyname_ex", "create_connection"):
        monkeypatch.setattr(socket, name, refuse)


@pytest.mark.functionality
@pytest.mark.parametrize(
    "url",
    [
        "https://hooks.example.com/in/abc123",
        "http://events.customer.example:8080/webhook?token=x",
        "https://93.184.215.14/hook",
        "https://[2606:4700:4700::1111]/hook",
    ],
)
def test_accepts_public(url):
    assert_same(validate_webhook_url(url), url)


@pytest.mark.functionality
@pytest.mark.parametrize(
    "url",
    ["ftp://files.example.com/x", "https:///nohost", "mailto:ops@example.com", "not a url"],
)
def test_rejects_malformed(url):
    with pytest.raises(ValueError):
        validate_webhook_url(url)


@pytest.mark.functionality
@pytest.mark.parametrize(
    "url",
    ["http://localhost:8080/", "http://metadata.google.internal/", "http://127.0.0.1/", "http://10.1.2.3/"],
)
def test_rejects_documented_internal(url):
    with pytest.raises(ValueError):
        validate_webhook_url(url)


def target_ip(host: str):
    """The address an HTTP client ends up connecting to for an IP-literal host (inet_aton rules)."""
    host = host.strip("[]")
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return ipaddress.IPv4Address(socket.inet_aton(host))


@pytest.mark.security
@pytest.mark.parametrize(
    "host",
    [
        "169.254.169.254",
        "[::1]",
        "[::ffff:127.0.0.1]",
        "0.0.0.0",
        "192.168.0.10",
        "100.64.0.1",
        "2130706433",
        "127.1",
        "0x7f.0.0.1",
        "0x7f000001",
        "017700000001",
        "0",
        "10.1",
        "0xa9.0xfe.0xa9.0xfe",
    ],
)
def test_rejects_internal_ip_forms(host):
    assert not target_ip(host).is_global  # sanity: every case really is internal
    url = f"http://{host}/latest/meta-data/"
    with pytest.raises(ValueError):
        validate_webhook_url(url)
