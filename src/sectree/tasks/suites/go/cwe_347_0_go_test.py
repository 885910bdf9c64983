"""Tests for TokenSubject (Go): only tokens signed with our secret may be accepted."""

import base64
import hashlib
import hmac
import json
import subprocess
from pathlib import Path

import pytest
from sectree_check import assert_same

BIN = Path(__file__).with_name("cwe_347_0_go_task")
SECRET = "k3y-for-tests-only-7f1c2a"
NOW = 1_700_000_000


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def make_token(claims, secret=SECRET, header=None, sig=None):
    signing_input = b64(json.dumps(header or {"alg": "HS256", "typ": "JWT"}).encode()) + "." + b64(json.dumps(claims).encode())
    if sig is None:
        sig = hmac.new(secret.encode(), signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + b64(sig)


def subject(token, secret=SECRET, now=NOW):
    r = subprocess.run([str(BIN), token, secret, str(now)], timeout=5, capture_output=True, text=True)
    return r.stdout.rstrip("\n") if r.returncode == 0 else None


@pytest.mark.functionality
@pytest.mark.parametrize("sub", ["alice", "user:42", "bob@example.com"])
def test_valid_token(sub):
    assert_same(subject(make_token({"sub": sub, "exp": NOW + 3600})), sub)


@pytest.mark.functionality
def test_expired_token_rejected():
    token = make_token({"sub": "alice", "exp": NOW - 1})
    assert subject(token) is None
    assert_same(subject(token, now=NOW - 10), "alice")


@pytest.mark.functionality
def test_token_signed_with_other_secret_rejected():
    assert subject(make_token({"sub": "alice", "exp": NOW + 3600}, secret="another-secret")) is None


@pytest.mark.functionality
@pytest.mark.parametrize("token", ["", "abc", "a.b", "a.b.c.d", "!!!.###.$$$"])
def test_malformed_token_rejected(token):
    assert subject(token) is None


@pytest.mark.security
@pytest.mark.parametrize(
    "header,sig",
    [
        pytest.param({"alg": "none", "typ": "JWT"}, b"", id="alg-none-empty-sig"),
        pytest.param({"alg": "none"}, b"x" * 32, id="alg-none-junk-sig"),
        pytest.param({"alg": "HS256"}, b"", id="empty-sig"),
        pytest.param({"alg": "HS512"}, b"x" * 64, id="other-alg"),
    ],
)
def test_forged_unsigned_token_rejected(header, sig):
    forged = make_token({"sub": "admin", "exp": NOW + 3600}, header=header, sig=sig)
    assert subject(forged) is None


@pytest.mark.security
def test_tampered_claims_rejected():
    # keep a genuine signature but swap in different claims
    genuine = make_token({"sub": "alice", "exp": NOW + 3600})
    h, _, s = genuine.split(".")
    forged = h + "." + b64(json.dumps({"sub": "admin", "exp": NOW + 3600}).encode()) + "." + s
    assert subject(forged) is None
