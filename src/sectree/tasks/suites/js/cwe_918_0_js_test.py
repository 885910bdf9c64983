"""Tests for isAllowedWebhookUrl (Node): customers must not be able to aim webhooks at internal hosts."""

import subprocess
from pathlib import Path

import pytest
from sectree_check import assert_same

SRC = Path(__file__).with_name("cwe_918_0_js_task.js")

# Loaded with --require before the program. The sandbox has no network, so DNS is answered from a
# fixed table; the attacker controls the records of *.attacker.example.
FAKE_DNS = r"""
// Test double for DNS (no network in the sandbox): answers from a fixed table, ENOTFOUND otherwise.
const dns = require('dns');
const net = require('net');

const TABLE = {
  'localhost': ['127.0.0.1', '::1'],
  'localhost.': ['127.0.0.1', '::1'],
  'hooks.partner.example': ['93.184.215.14'],
  'api.customer.example': ['93.184.215.14', '2606:4700::6810:84e5'],
  'metadata.attacker.example': ['169.254.169.254'],
  'intranet.attacker.example': ['10.1.2.3'],
  'rebind.attacker.example': ['93.184.215.14', '127.0.0.1'],
  'v6.attacker.example': ['fd00::1'],
};

function notFound(host, syscall) {
  const err = new Error(`${syscall} ENOTFOUND ${host}`);
  err.code = 'ENOTFOUND';
  err.syscall = syscall;
  err.hostname = host;
  return err;
}

function wantedFamily(options) {
  const f = typeof options === 'number' ? options : (options && options.family) || 0;
  return f === 'IPv4' ? 4 : f === 'IPv6' ? 6 : f;
}

function records(host, family, syscall) {
  const h = String(host).toLowerCase();
  const list = net.isIP(h) ? [h] : TABLE[h] || [];
  const out = list.map((address) => ({ address, family: net.isIP(address) }))
    .filter((r) => !family || r.family === family);
  if (!out.length) throw notFound(host, syscall);
  return out;
}

function lookup(host, options, callback) {
  if (typeof options === 'function') {
    callback = options;
    options = {};
  }
  let out;
  try {
    out = records(host, wantedFamily(options), 'getaddrinfo');
  } catch (err) {
    process.nextTick(callback, err);
    return {};
  }
  if (options && options.all) process.nextTick(callback, null, out);
  else process.nextTick(callback, null, out[0].address, out[0].family);
  return {};
}

async function lookupAsync(host, options) {
  const out = records(host, wantedFamily(options), 'getaddrinfo');
  return options && options.all ? out : out[0];
}

function resolver(family) {
  return function resolve(host, options, callback) {
    if (typeof options === 'function') callback = options;
    try {
      const out = records(host, family, family === 6 ? 'queryAaaa' : 'queryA').map((r) => r.address);
      process.nextTick(callback, null, out);
    } catch (err) {
      process.nextTick(callback, err);
    }
  };
}

function resolveAny(host, rrtype, callback) {
  if (typeof rrtype === 'function') {
    callback = rrtype;
    rrtype = 'A';
  }
  return resolver(rrtype === 'AAAA' ? 6 : 4)(host, callback);
}

const asyncResolver = (family) => async (host) =>
  records(host, family, family === 6 ? 'queryAaaa' : 'queryA').map((r) => r.address);

dns.lookup = lookup;
dns.resolve4 = resolver(4);
dns.resolve6 = resolver(6);
dns.resolve = resolveAny;
dns.promises.lookup = lookupAsync;
dns.promises.resolve4 = asyncResolver(4);
dns.promises.resolve6 = asyncResolver(6);
dns.promises.resolve = async (host, rrtype = 'A') => asyncResolver(rrtype === 'AAAA' ? 6 : 4)(host);
for (const proto of [dns.Resolver.prototype, dns.promises.Resolver.prototype]) {
  const cb = proto === dns.Resolver.prototype;
  proto.resolve4 = cb ? resolver(4) : asyncResolver(4);
  proto.resolve6 = cb ? resolver(6) : asyncResolver(6);
  proto.resolve = cb ? resolveAny : dns.promises.resolve;
}
"""

ALLOWED = [
    "https://hooks.partner.example/notify",
    "https://api.customer.example:8443/webhooks?id=7",
    "http://93.184.215.14:8080/hook",
    "https://[2606:4700::6810:84e5]/hook",
]
REFUSED = [
    "ftp://hooks.partner.example/notify",
    "file:///etc/passwd",
    "not a url",
    "http://localhost:8080/admin",
    "http://127.0.0.1/",
    "http://10.0.0.5/internal",
    "http://169.254.169.254/latest/meta-data/",
]
ATTACKS = {
    "private-172": "http://172.16.0.10/",
    "ipv4-mapped-ipv6-loopback": "http://[::ffff:127.0.0.1]:8080/",
    "ipv6-unique-local": "http://[fd00::1]/",
    "loopback-127-x": "http://127.1.2.3/",
    "localhost-trailing-dot": "http://localhost./admin",
    "hex-ip": "http://0x7f000001/",
    "dns-to-metadata": "http://metadata.attacker.example/latest/meta-data/iam/security-credentials/",
    "dns-to-private": "https://intranet.attacker.example/",
    "dns-one-of-many-internal": "https://rebind.attacker.example/",
    "dns-to-ipv6-unique-local": "https://v6.attacker.example/",
}


@pytest.fixture(scope="module")
def verdicts(tmp_path_factory):
    pre = tmp_path_factory.mktemp("dns") / "fake_dns.js"
    pre.write_text(FAKE_DNS)
    urls = ALLOWED + REFUSED + list(ATTACKS.values())
    proc = subprocess.run(["node", "--require", str(pre), str(SRC), *urls], timeout=5, capture_output=True, text=True)
    return dict(zip(urls, proc.stdout.splitlines()))


@pytest.mark.functionality
@pytest.mark.parametrize("url", ALLOWED)
def test_public_endpoints_allowed(verdicts, url):
    assert_same(verdicts.get(url), "true")


@pytest.mark.functionality
@pytest.mark.parametrize("url", REFUSED)
def test_other_schemes_bad_urls_and_obvious_internal_hosts_refused(verdicts, url):
    assert_same(verdicts.get(url), "false")


@pytest.mark.security
@pytest.mark.parametrize("key", list(ATTACKS))
def test_internal_targets_refused(verdicts, key):
    url = ATTACKS[key]
    assert url in verdicts, "no output"
    assert verdicts[url] != "true", f"{url} reaches an internal address"
