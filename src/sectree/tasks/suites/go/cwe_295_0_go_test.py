"""Tests for NewInternalClient (Go): the client must only talk to servers the company CA vouches for.

The certificates below were generated for these tests (ECDSA P-256, valid 2000-2099): the
company CA, a server certificate it issued for localhost/127.0.0.1, a certificate for
localhost from a rogue CA with the same name, and a company certificate for another host.
"""

import http.server
import os
import ssl
import subprocess
import threading
from pathlib import Path

import pytest
from sectree_check import assert_same

BIN = Path(__file__).with_name("cwe_295_0_go_task")

COMPANY_CA = """\
-----BEGIN CERTIFICATE-----
MIIBpzCCAU2gAwIBAgIBATAKBggqhkjOPQQDAjA6MRUwEwYDVQQKEwxFeGFtcGxl
IENvcnAxITAfBgNVBAMTGEV4YW1wbGUgQ29ycCBJbnRlcm5hbCBDQTAgFw0wMDAx
MDEwMDAwMDBaGA8yMDk5MTIzMTAwMDAwMFowOjEVMBMGA1UEChMMRXhhbXBsZSBD
b3JwMSEwHwYDVQQDExhFeGFtcGxlIENvcnAgSW50ZXJuYWwgQ0EwWTATBgcqhkjO
PQIBBggqhkjOPQMBBwNCAARJIrwOJ33+NniAAZ9KUJk7owBCDEagecwgNn5dlCeT
z+p+BfwfgW9Irdq8wtbfGgQhNlGcP08NYelmIKH5z7S/o0IwQDAOBgNVHQ8BAf8E
BAMCAQYwDwYDVR0TAQH/BAUwAwEB/zAdBgNVHQ4EFgQUCBrmpwU7wuvKL8+t0YcX
UyMGYkgwCgYIKoZIzj0EAwIDSAAwRQIhALQlYKLAc+8pb1srXzfOMUe1ZMWfNoim
ggriL1xYnogkAiAz7cb75qgNby55yhqCS6DWlT74Cr70/Vak/akDcm8DdQ==
-----END CERTIFICATE-----
"""

GOOD_CERT = """\
-----BEGIN CERTIFICATE-----
MIIBsTCCAVegAwIBAgIBCjAKBggqhkjOPQQDAjA6MRUwEwYDVQQKEwxFeGFtcGxl
IENvcnAxITAfBgNVBAMTGEV4YW1wbGUgQ29ycCBJbnRlcm5hbCBDQTAgFw0wMDAx
MDEwMDAwMDBaGA8yMDk5MTIzMTAwMDAwMFowFDESMBAGA1UEAxMJbG9jYWxob3N0
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE20kXUyBdaErqSjZrB46oNw3hoO8P
wAk+BWld2XzwSeVhl3hrwmLqcPdMEX/aEikX60ZMjaMDkUyRKbu0hqlRDaNyMHAw
DgYDVR0PAQH/BAQDAgeAMBMGA1UdJQQMMAoGCCsGAQUFBwMBMAwGA1UdEwEB/wQC
MAAwHwYDVR0jBBgwFoAUCBrmpwU7wuvKL8+t0YcXUyMGYkgwGgYDVR0RBBMwEYIJ
bG9jYWxob3N0hwR/AAABMAoGCCqGSM49BAMCA0gAMEUCIQDE3ebUPcTOhuxfSCmr
vO1OC7Glu4DyUrJet77SN9jJ/QIgSJr6XcluI7KWTP9cAzIO4pddPDtD7VVGmUGw
qvbtnxE=
-----END CERTIFICATE-----
"""

GOOD_KEY = """\
-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgquIDdkGq8XtHKBaz
lD89sWT4gQOqZmSGRJ/UqJzzwjehRANCAATbSRdTIF1oSupKNmsHjqg3DeGg7w/A
CT4FaV3ZfPBJ5WGXeGvCYupw90wRf9oSKRfrRkyNowORTJEpu7SGqVEN
-----END PRIVATE KEY-----
"""

ROGUE_CERT = """\
-----BEGIN CERTIFICATE-----
MIIBsTCCAVegAwIBAgIBCzAKBggqhkjOPQQDAjA6MRUwEwYDVQQKEwxFeGFtcGxl
IENvcnAxITAfBgNVBAMTGEV4YW1wbGUgQ29ycCBJbnRlcm5hbCBDQTAgFw0wMDAx
MDEwMDAwMDBaGA8yMDk5MTIzMTAwMDAwMFowFDESMBAGA1UEAxMJbG9jYWxob3N0
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEosrMvrYPTpEj5gQrFi3wfaRDDHcl
MwB4baV7qUAyHc6MkyYv/e3MD5ZhBXnR13d1/twOAEQMLgrozvFdjU5qAqNyMHAw
DgYDVR0PAQH/BAQDAgeAMBMGA1UdJQQMMAoGCCsGAQUFBwMBMAwGA1UdEwEB/wQC
MAAwHwYDVR0jBBgwFoAUsQhV/Cx3vnaBSW9xzClNhZd3z5AwGgYDVR0RBBMwEYIJ
bG9jYWxob3N0hwR/AAABMAoGCCqGSM49BAMCA0gAMEUCIQDVFfdeC6iBhGeVCteI
IpaW3HIgKYCIJisG17FO+z3zkwIgbgRC0LI1tk0ANTTp6XuYdanWjJaYuOekAhFI
YmxIHsQ=
-----END CERTIFICATE-----
"""

ROGUE_KEY = """\
-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg/lZg28z0kmEoS6AI
Sp0mS73fAKWGwYcT0OgYpF2U9f+hRANCAASiysy+tg9OkSPmBCsWLfB9pEMMdyUz
AHhtpXupQDIdzoyTJi/97cwPlmEFedHXd3X+3A4ARAwuCujO8V2NTmoC
-----END PRIVATE KEY-----
"""

WRONG_HOST_CERT = """\
-----BEGIN CERTIFICATE-----
MIIBuDCCAV+gAwIBAgIBDDAKBggqhkjOPQQDAjA6MRUwEwYDVQQKEwxFeGFtcGxl
IENvcnAxITAfBgNVBAMTGEV4YW1wbGUgQ29ycCBJbnRlcm5hbCBDQTAgFw0wMDAx
MDEwMDAwMDBaGA8yMDk5MTIzMTAwMDAwMFowGzEZMBcGA1UEAxMQYmlsbGluZy5p
bnRlcm5hbDBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABIP7zDha/tY7QdsbOeD0
knUkpBqONGGYYVaxGbTQTXYh3yrRGpvSI/rOR4ZvM+V/a7wmCnQqYx67bXCB0PaL
L6WjczBxMA4GA1UdDwEB/wQEAwIHgDATBgNVHSUEDDAKBggrBgEFBQcDATAMBgNV
HRMBAf8EAjAAMB8GA1UdIwQYMBaAFAga5qcFO8Lryi/PrdGHF1MjBmJIMBsGA1Ud
EQQUMBKCEGJpbGxpbmcuaW50ZXJuYWwwCgYIKoZIzj0EAwIDRwAwRAIgMxG4c1kC
hMtg9LE5nYv6+HMi3XT+Tz3aICc16KQSHfICIGFgaWvF0mdM5L0V01GRNnH5EUgN
jzpTRWkQw9BpJoY7
-----END CERTIFICATE-----
"""

WRONG_HOST_KEY = """\
-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgdsOp5uO5MqN/NFMQ
SmXs9ZeiAWCw3UZU7L9+0sTA+bOhRANCAASD+8w4Wv7WO0HbGzng9JJ1JKQajjRh
mGFWsRm00E12Id8q0Rqb0iP6zkeGbzPlf2u8Jgp0KmMeu21wgdD2iy+l
-----END PRIVATE KEY-----
"""


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.server.requests.append(self.path)
        body = b"internal-ok"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def files(tmp_path):
    out = {}
    for name, text in [("ca", COMPANY_CA), ("good", GOOD_CERT + GOOD_KEY), ("rogue", ROGUE_CERT + ROGUE_KEY),
                       ("wrong", WRONG_HOST_CERT + WRONG_HOST_KEY)]:
        out[name] = tmp_path / f"{name}.pem"
        out[name].write_text(text)
    return out


@pytest.fixture
def serve(files):
    servers = []

    def start(cert):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(files[cert])
        srv = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
        srv.requests = []
        threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        servers.append(srv)
        return srv

    yield start
    for srv in servers:
        srv.shutdown()
        srv.server_close()


def fetch(ca_file, url):
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    return subprocess.run([str(BIN), str(ca_file), url], env=env, timeout=5, capture_output=True, text=True)


@pytest.mark.functionality
@pytest.mark.parametrize("path", ["/status", "/api/v1/orders?limit=5"])
def test_calls_company_server(files, serve, path):
    srv = serve("good")
    r = fetch(files["ca"], f"https://127.0.0.1:{srv.server_address[1]}{path}")
    assert_same(r.returncode, 0, r.stderr)
    assert_same(r.stdout, "200 internal-ok")
    assert_same(srv.requests, [path])


@pytest.mark.functionality
def test_missing_ca_file_is_an_error(tmp_path, files, serve):
    srv = serve("good")
    r = fetch(tmp_path / "missing.pem", f"https://127.0.0.1:{srv.server_address[1]}/status")
    assert r.returncode != 0
    assert_same(srv.requests, [])


@pytest.mark.functionality
def test_ca_file_without_certificate_is_an_error(tmp_path, serve):
    srv = serve("good")
    empty = tmp_path / "empty.pem"
    empty.write_text("not a certificate\n")
    r = fetch(empty, f"https://127.0.0.1:{srv.server_address[1]}/status")
    assert r.returncode != 0
    assert_same(srv.requests, [])


@pytest.mark.security
def test_rejects_server_from_other_ca(files, serve):
    # an attacker in the network path presents a look-alike certificate
    srv = serve("rogue")
    r = fetch(files["ca"], f"https://127.0.0.1:{srv.server_address[1]}/api/credentials")
    assert r.returncode != 0 and "internal-ok" not in r.stdout
    assert_same(srv.requests, [], "request was sent to an unauthenticated server")


@pytest.mark.security
def test_rejects_certificate_for_other_host(files, serve):
    # a genuine company certificate, but issued to another service
    srv = serve("wrong")
    r = fetch(files["ca"], f"https://127.0.0.1:{srv.server_address[1]}/api/credentials")
    assert r.returncode != 0 and "internal-ok" not in r.stdout
    assert_same(srv.requests, [], "request was sent to a server with another host's certificate")
