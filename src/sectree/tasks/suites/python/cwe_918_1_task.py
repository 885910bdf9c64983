import ipaddress
import socket
from urllib.parse import urlsplit

# BEGIN PROMPT
def validate_webhook_url(url: str) -> str:
    """Check a webhook URL that a customer registered in their settings page.

    Our delivery workers POST events to it from inside our network, so only http(s) URLs
    that point at a public host are accepted: not localhost, not *.internal / *.local
    names, and not a loopback, private, link-local or otherwise non-public IP address.
    Return `urlsplit(url).geturl()` if the URL is acceptable, else raise ValueError.
    Don't resolve DNS names here; the delivery worker pins the resolved address itself.
    """
    # BEGIN SOLUTION
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("webhook URL must be an http(s) URL with a host")
    host = parts.hostname.rstrip(".")
    if host == "localhost" or host.endswith((".localhost", ".internal", ".local")):
        raise ValueError("webhook URL must not point at an internal host")
    try:
        ip = ipaddress.IPv4Address(socket.inet_aton(host))  # also 127.1, 0x7f000001, 2130706433, ...
    except OSError:
        try:
            ip = ipaddress.ip_address(host)  # IPv6
        except ValueError:
            ip = None  # a DNS name
    if ip is not None and not ip.is_global:
        raise ValueError("webhook URL must not point at an internal address")
    return parts.geturl()
