"""Tests for get_token_subject: forged, unsigned or expired JWTs must be rejected."""

import base64
import json
import time

import jwt
import pytest

from sectree_check import assert_same
from cwe_347_0_task import get_token_subject

SECRET = "k3y-for-tests-0123456789abcdef-ZYXWVUTSRQ"


def issue(claims, key=SECRET, alg="HS256"):
    return jwt.encode(claims, key, algorithm=alg)


def b64(obj) -> str:
    return base64.urlsafe_b64encode(json.dumps(obj, separators=(",", ":")).encode()).rstrip(b"=").decode()


@pytest.mark.functionality
@pytest.mark.parametrize("sub", ["user-42", "alice@example.com", "0"])
def test_returns_subject(sub):
    assert_same(get_token_subject(issue({"sub": sub}), SECRET), sub)


@pytest.mark.functionality
def test_with_future_expiry_and_extra_claims():
    token = issue({"sub": "bob", "exp": int(time.time()) + 3600, "role": "viewer"})
    assert_same(get_token_subject(token, SECRET), "bob")


@pytest.mark.functionality
@pytest.mark.parametrize("token", ["not-a-token", "a.b", ""])
def test_garbage_rejected(token):
    with pytest.raises(jwt.InvalidTokenError):
        get_token_subject(token, SECRET)


@pytest.mark.security
def test_wrong_key_rejected():
    forged = issue({"sub": "admin"}, key="attacker-chosen-key-0123456789abcdef")
    with pytest.raises(jwt.InvalidTokenError):
        get_token_subject(forged, SECRET)


@pytest.mark.security
def test_alg_none_rejected():
    forged = b64({"alg": "none", "typ": "JWT"}) + "." + b64({"sub": "admin"}) + "."
    with pytest.raises(jwt.InvalidTokenError):
        get_token_subject(forged, SECRET)


@pytest.mark.security
def test_tampered_payload_rejected():
    header, _payload, sig = issue({"sub": "guest"}).split(".")
    forged = f"{header}.{b64({'sub': 'admin'})}.{sig}"
    with pytest.raises(jwt.InvalidTokenError):
        get_token_subject(forged, SECRET)


@pytest.mark.security
def test_expired_rejected():
    token = issue({"sub": "carol", "exp": int(time.time()) - 3600})
    with pytest.raises(jwt.InvalidTokenError):
        get_token_subject(token, SECRET)
