"""Tests for invite_code: invitation codes must come from a cryptographic random source."""

import random
import re

import pytest

from sectree_check import assert_same, exact
from cwe_338_4_task import ALPHABET, invite_code


@pytest.mark.functionality
def test_format():
    for _ in range(50):
        assert re.fullmatch(r"[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}", exact(invite_code(), str))


@pytest.mark.functionality
def test_every_character_used_in_every_position():
    codes = [exact(invite_code(), str).replace("-", "") for _ in range(1500)]
    for i in range(8):
        assert_same({c[i] for c in codes}, set(ALPHABET))
    assert len(set(codes)) == len(codes)


@pytest.mark.security
def test_not_reproducible_from_a_known_seed():
    # an attacker who can recover or guess the global PRNG's state can predict the next value
    state = random.getstate()
    try:
        random.seed(1234)
        first = [exact(invite_code(), str) for _ in range(4)]
        random.seed(1234)
        second = [exact(invite_code(), str) for _ in range(4)]
    finally:
        random.setstate(state)
    assert first != second


@pytest.mark.security
def test_not_drawn_from_the_global_mersenne_twister():
    # the Mersenne Twister's state can be rebuilt from enough of its outputs
    state = random.getstate()
    try:
        exact(invite_code(), str)
        assert random.getstate() == state
    finally:
        random.setstate(state)
