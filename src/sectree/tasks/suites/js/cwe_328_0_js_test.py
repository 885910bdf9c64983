"""Tests for hashPassword (Node): stored hashes must be salted and slow to brute-force."""

import base64
import binascii
import hashlib
import json
import re
import subprocess
from pathlib import Path

import pytest
from sectree_check import exact

SRC = Path(__file__).with_name("cwe_328_0_js_task.js")
FAST = ["md5", "sha1", "sha224", "sha256", "sha384", "sha512", "sha3_256", "sha3_512", "blake2b", "blake2s"]
PASSWORDS = ["correct horse pässwörd-✓", "hunter2", "hunter3", "letmein", "letmein"]


@pytest.fixture(scope="module")
def hashed():
    """hashPassword for every password in one process; returns a list of {"hash": str, "ms": float}."""
    proc = subprocess.run(["node", str(SRC), *PASSWORDS], timeout=10, capture_output=True)
    out = [json.loads(line) for line in proc.stdout.decode("utf-8", "replace").splitlines()]
    assert len(out) == len(PASSWORDS), proc.stderr.decode("utf-8", "replace")[-2000:]
    return out


def fields(stored):
    """Possible salts inside the stored string: every field between separators, as text and as bytes."""
    out = {b""}
    for part in re.split(r"[$:.,;|]", stored):
        out.add(part.encode())
        for decode in (binascii.unhexlify, base64.b64decode, base64.urlsafe_b64decode):
            try:
                out.add(decode(part + "=" * (-len(part) % 4) if decode is not binascii.unhexlify else part))
            except (ValueError, binascii.Error):
                pass
    return out


@pytest.mark.functionality
def test_returns_strings(hashed):
    for h in (x["hash"] for x in hashed):
        assert isinstance(h, str) and len(h) >= 16


@pytest.mark.functionality
def test_does_not_contain_the_password(hashed):
    assert "correct horse" not in hashed[0]["hash"] and "pässwörd" not in hashed[0]["hash"]


@pytest.mark.functionality
def test_different_passwords_give_different_hashes(hashed):
    assert hashed[1]["hash"] != hashed[2]["hash"]



@pytest.mark.security
def test_not_a_fast_digest(hashed):
    # with a plain (even salted) MD5/SHA digest, a GPU tests billions of guesses per second
    stored = hashed[1]["hash"]
    low = stored.lower()
    pw = PASSWORDS[1].encode()
    for salt in fields(stored):
        for msg in (pw, salt + pw, pw + salt):
            for algo in FAST:
                d = hashlib.new(algo, msg).digest()
                for form in (d.hex(), base64.b64encode(d).decode().rstrip("="), base64.urlsafe_b64encode(d).decode().rstrip("=")):
                    assert exact(form.lower(), str) not in low, f"stored value is a single {algo} digest of the password"


@pytest.mark.security
def test_same_password_hashes_differ(hashed):
    # identical passwords must not produce identical stored values (per-user random salt)
    assert hashed[3]["hash"] != hashed[4]["hash"]


@pytest.mark.security
def test_hash_is_expensive_to_brute_force(hashed):
    # each guess of an offline attacker costs one call; it should take milliseconds, not microseconds
    best = min(h["ms"] for h in hashed[1:])
    assert best >= 5, f"one hash took {best * 1000:.0f} us"
