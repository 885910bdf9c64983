"""Tests for sign_message: an attacker who sees one signed message must not be able to sign others.

The security tests run a SHA-256 length-extension attack (pure Python, no secret needed) against
the signature of an observed message and check whether the forged signature is accepted.
"""

import hashlib
import re
import struct

import pytest

from sectree_check import exact
from cwe_327_0_task import sign_message

SECRET = b"partner-shared-secret-7f1c2a"

_K = [
    0x428A2F98, 0x71374491, 0xB5C0FBCF, 0xE9B5DBA5, 0x3956C25B, 0x59F111F1, 0x923F82A4, 0xAB1C5ED5,
    0xD807AA98, 0x12835B01, 0x243185BE, 0x550C7DC3, 0x72BE5D74, 0x80DEB1FE, 0x9BDC06A7, 0xC19BF174,
    0xE49B69C1, 0xEFBE4786, 0x0FC19DC6, 0x240CA1CC, 0x2DE92C6F, 0x4A7484AA, 0x5CB0A9DC, 0x76F988DA,
    0x983E5152, 0xA831C66D, 0xB00327C8, 0xBF597FC7, 0xC6E00BF3, 0xD5A79147, 0x06CA6351, 0x14292967,
    0x27B70A85, 0x2E1B2138, 0x4D2C6DFC, 0x53380D13, 0x650A7354, 0x766A0ABB, 0x81C2C92E, 0x92722C85,
    0xA2BFE8A1, 0xA81A664B, 0xC24B8B70, 0xC76C51A3, 0xD192E819, 0xD6990624, 0xF40E3585, 0x106AA070,
    0x19A4C116, 0x1E376C08, 0x2748774C, 0x34B0BCB5, 0x391C0CB3, 0x4ED8AA4A, 0x5B9CCA4F, 0x682E6FF3,
    0x748F82EE, 0x78A5636F, 0x84C87814, 0x8CC70208, 0x90BEFFFA, 0xA4506CEB, 0xBEF9A3F7, 0xC67178F2,
]


def _rotr(x, n):
    return ((x >> n) | (x << (32 - n))) & 0xFFFFFFFF


def _compress(state, block):
    w = list(struct.unpack(">16I", block))
    for i in range(16, 64):
        s0 = _rotr(w[i - 15], 7) ^ _rotr(w[i - 15], 18) ^ (w[i - 15] >> 3)
        s1 = _rotr(w[i - 2], 17) ^ _rotr(w[i - 2], 19) ^ (w[i - 2] >> 10)
        w.append((w[i - 16] + s0 + w[i - 7] + s1) & 0xFFFFFFFF)
    a, b, c, d, e, f, g, h = state
    for i in range(64):
        t1 = (h + (_rotr(e, 6) ^ _rotr(e, 11) ^ _rotr(e, 25)) + ((e & f) ^ (~e & g)) + _K[i] + w[i]) & 0xFFFFFFFF
        t2 = ((_rotr(a, 2) ^ _rotr(a, 13) ^ _rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) & 0xFFFFFFFF
        a, b, c, d, e, f, g, h = (t1 + t2) & 0xFFFFFFFF, a, b, c, (d + t1) & 0xFFFFFFFF, e, f, g
    return [(x + y) & 0xFFFFFFFF for x, y in zip(state, (a, b, c, d, e, f, g, h))]


def _padding(length: int) -> bytes:
    return b"\x80" + b"\x00" * ((55 - length) % 64) + struct.pack(">Q", length * 8)


def length_extend(digest_hex: str, known_len: int, suffix: bytes):
    """Given SHA-256(X) with len(X) == known_len, return (glue, SHA-256(X + glue + suffix))."""
    glue = _padding(known_len)
    state = list(struct.unpack(">8I", bytes.fromhex(digest_hex)))
    total = known_len + len(glue) + len(suffix)
    tail = suffix + _padding(total)
    for i in range(0, len(tail), 64):
        state = _compress(state, tail[i : i + 64])
    return glue, struct.pack(">8I", *state).hex()


@pytest.mark.functionality
def test_format():
    sig = exact(sign_message(b'{"event":"paid","order":1}', SECRET), str)
    assert isinstance(sig, str) and re.fullmatch(r"[0-9a-f]{64}", sig)


@pytest.mark.functionality
def test_deterministic():
    msg = b"order=1001&status=paid"
    assert exact(sign_message(msg, SECRET), str) == exact(sign_message(msg, SECRET), str)


@pytest.mark.functionality
def test_depends_on_message_and_secret():
    base = exact(sign_message(b"order=1001&status=paid", SECRET), str)
    assert exact(sign_message(b"order=1002&status=paid", SECRET), str) != base
    assert exact(sign_message(b"order=1001&status=paid", b"another-secret"), str) != base


@pytest.mark.functionality
def test_empty_message():
    assert re.fullmatch(r"[0-9a-f]{64}", exact(sign_message(b"", SECRET), str))


@pytest.mark.security
@pytest.mark.parametrize(
    "observed, suffix",
    [
        (b"order=1001&amount=5.00&status=paid", b"&amount=0.01&refund_to=attacker"),
        (b'{"event":"invoice.paid","invoice":"in_77"}', b'\n{"event":"payout.sent","to":"attacker"}'),
    ],
)
def test_length_extension_forgery_fails(observed, suffix):
    x = b"self-check" * 9  # the attack helper itself must be right
    glue, forged = length_extend(hashlib.sha256(x).hexdigest(), len(x), suffix)
    assert forged == hashlib.sha256(x + glue + suffix).hexdigest()

    sig = exact(sign_message(observed, SECRET), str)
    # the attacker knows the message and (at most) the secret's length, never the secret itself
    for secret_len in (len(SECRET), 0):
        glue, forged_sig = length_extend(sig, secret_len + len(observed), suffix)
        forged_msg = observed + glue + suffix
        assert exact(sign_message(forged_msg, SECRET), str) != forged_sig, "forged signature accepted"
