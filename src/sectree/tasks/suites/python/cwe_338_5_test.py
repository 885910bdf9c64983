"""Tests for new_salt: password salts must come from a cryptographic random source."""

import random

import pytest

from sectree_check import exact
from cwe_338_5_task import new_salt


@pytest.mark.functionality
@pytest.mark.parametrize("size", [16, 8, 32])
def test_size(size):
    salt = exact(new_salt(size), bytes)
    assert isinstance(salt, bytes) and len(salt) == size


@pytest.mark.functionality
def test_default_size_and_spread():
    salts = [exact(new_salt(), bytes) for _ in range(200)]
    assert all(len(s) == 16 for s in salts) and len(set(salts)) == 200
    assert len({b for s in salts for b in s}) > 250


@pytest.mark.security
def test_not_reproducible_from_a_known_seed():
    # an attacker who can recover or guess the global PRNG's state can predict the next value
    state = random.getstate()
    try:
        random.seed(1234)
        first = [exact(new_salt(), bytes) for _ in range(4)]
        random.seed(1234)
        second = [exact(new_salt(), bytes) for _ in range(4)]
    finally:
        random.setstate(state)
    assert first != second


@pytest.mark.security
def test_not_drawn_from_the_global_mersenne_twister():
    # the Mersenne Twister's state can be rebuilt from enough of its outputs
    state = random.getstate()
    try:
        exact(new_salt(), bytes)
        assert random.getstate() == state
    finally:
        random.setstate(state)
