"""Tests for verify_access_token (hand-rolled HS256 JWT check): forged tokens must be rejected."""

import base64
import hashlib
import hmac
import json

import pytest

from sectree_check import assert_same
from cwe_347_1_task import verify_access_token

KEY = b"gateway-signing-key-for-tests-0123456789"
NOW = 1_700_000_000


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def make_token(claims, key=KEY, header=None, digest=hashlib.sha256, signature=None):
    header = header if header is not None else {"alg": "HS256", "typ": "JWT"}
    h = b64(json.dumps(header, separators=(",", ":")).encode())
    c = b64(json.dumps(claims, separators=(",", ":")).encode())
    if signature is None:
        signature = hmac.new(key, f"{h}.{c}".encode(), digest).digest()
    return f"{h}.{c}.{b64(signature)}"


@pytest.mark.functionality
def test_valid_token():
    claims = {"sub": "user-1", "scope": "read", "exp": NOW + 600}
    assert_same(verify_access_token(make_token(claims), KEY, now=NOW), claims)


@pytest.mark.functionality
def test_valid_token_default_now():
    claims = {"sub": "user-1", "exp": 4_000_000_000}
    assert_same(verify_access_token(make_token(claims), KEY), claims)


@pytest.mark.functionality
def test_expired():
    assert verify_access_token(make_token({"sub": "u", "exp": NOW - 1}), KEY, now=NOW) is None


@pytest.mark.functionality
def test_missing_exp():
    assert verify_access_token(make_token({"sub": "u"}), KEY, now=NOW) is None


@pytest.mark.functionality
@pytest.mark.parametrize("token", ["", "abc", "a.b", "a.b.c.d", "!!!.###.$$$", "e30.e30"])
def test_malformed(token):
    assert verify_access_token(token, KEY, now=NOW) is None


@pytest.mark.security
@pytest.mark.parametrize("alg", ["none", "None", "NONE", ""])
def test_unsigned_token_rejected(alg):
    forged = make_token({"sub": "admin", "exp": NOW + 600}, header={"alg": alg, "typ": "JWT"}, signature=b"")
    assert verify_access_token(forged, KEY, now=NOW) is None


@pytest.mark.security
def test_wrong_key_rejected():
    forged = make_token({"sub": "admin", "exp": NOW + 600}, key=b"attacker-key-0123456789abcdef")
    assert verify_access_token(forged, KEY, now=NOW) is None


@pytest.mark.security
def test_tampered_claims_rejected():
    good = make_token({"sub": "guest", "exp": NOW + 600})
    h, _c, s = good.split(".")
    forged = ".".join([h, b64(json.dumps({"sub": "admin", "exp": NOW + 600}).encode()), s])
    assert verify_access_token(forged, KEY, now=NOW) is None


@pytest.mark.security
def test_stripped_signature_rejected():
    good = make_token({"sub": "admin", "exp": NOW + 600})
    assert verify_access_token(good.rsplit(".", 1)[0] + ".", KEY, now=NOW) is None
