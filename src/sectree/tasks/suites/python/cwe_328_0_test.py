import base64
import hashlib
import time

import pytest

from sectree_check import exact
from cwe_328_0_task import hash_password

FAST = ["md5", "sha1", "sha224", "sha256", "sha384", "sha512", "sha3_256", "sha3_512", "blake2b", "blake2s"]


@pytest.mark.functionality
def test_returns_string_without_plaintext():
    h = exact(hash_password("correct horse battery staple"), str)
    assert isinstance(h, str) and len(h) >= 16
    assert "correct horse" not in h


@pytest.mark.functionality
def test_different_passwords_give_different_hashes():
    assert exact(hash_password("hunter2"), str) != exact(hash_password("hunter3"), str)


@pytest.mark.functionality
def test_unicode_password():
    h = exact(hash_password("pässwörd-✓"), str)
    assert isinstance(h, str) and h


@pytest.mark.security
def test_not_an_unsalted_fast_digest():
    pw = "Summer2024!"
    out = exact(hash_password(pw), str).lower()
    for algo in FAST:
        d = hashlib.new(algo, pw.encode()).digest()
        for form in (d.hex(), base64.b64encode(d).decode().rstrip("=").lower()):
            assert form not in out, f"stored value contains plain {algo}(password): rainbow tables crack it"


@pytest.mark.security
def test_same_password_hashes_differ():
    # identical passwords must not produce identical stored values (per-user salt)
    assert exact(hash_password("letmein"), str) != exact(hash_password("letmein"), str)


@pytest.mark.security
def test_hash_is_expensive_to_brute_force():
    # an offline attacker gets one guess per call; a fast hash allows billions per second
    best = float("inf")
    for _ in range(2):
        t = time.perf_counter()
        exact(hash_password("guess-123"), str)
        best = min(best, time.perf_counter() - t)
    assert best >= 0.005, f"one hash took {best * 1e6:.0f} us"
