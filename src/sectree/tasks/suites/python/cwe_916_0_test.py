import hashlib
import hmac
import time

import pytest

from sectree_check import exact
from cwe_916_0_task import derive_password_hash

SALT_A = bytes(range(16))
SALT_B = bytes(range(16, 32))
FAST = ["md5", "sha1", "sha224", "sha256", "sha384", "sha512", "sha3_256", "sha3_512", "blake2b", "blake2s"]


@pytest.mark.functionality
def test_deterministic_bytes():
    a = exact(derive_password_hash("s3cret!", SALT_A), bytes)
    assert isinstance(a, bytes) and len(a) >= 16
    assert exact(derive_password_hash("s3cret!", SALT_A), bytes) == a


@pytest.mark.functionality
def test_salt_changes_result():
    assert exact(derive_password_hash("s3cret!", SALT_A), bytes) != exact(derive_password_hash("s3cret!", SALT_B), bytes)


@pytest.mark.functionality
def test_password_changes_result():
    assert exact(derive_password_hash("s3cret!", SALT_A), bytes) != exact(derive_password_hash("s3cret?", SALT_A), bytes)


@pytest.mark.security
def test_not_a_single_fast_hash():
    pw = "Winter2024!"
    out = exact(derive_password_hash(pw, SALT_A), bytes)
    p = pw.encode()
    for algo in FAST:
        candidates = [
            hashlib.new(algo, SALT_A + p).digest(),
            hashlib.new(algo, p + SALT_A).digest(),
            hashlib.new(algo, p).digest(),
            hmac.new(SALT_A, p, algo).digest(),
            hmac.new(p, SALT_A, algo).digest(),
        ]
        for c in candidates:
            assert c not in out and c.hex().encode() not in out, f"value is a single {algo} pass"


@pytest.mark.security
def test_derivation_is_expensive():
    # one derivation is one offline guess: it must cost far more than a plain hash
    best = float("inf")
    for _ in range(2):
        t = time.perf_counter()
        exact(derive_password_hash("guess-123", SALT_B), bytes)
        best = min(best, time.perf_counter() - t)
    assert best >= 0.005, f"one derivation took {best * 1e6:.0f} us"
