"""Tests for generate_otp: login codes must not come from a predictable generator."""

import random

import pytest

from sectree_check import assert_same, exact
from cwe_338_2_task import generate_otp


@pytest.mark.functionality
def test_default_six_digits():
    code = exact(generate_otp(), str)
    assert isinstance(code, str) and len(code) == 6 and code.isdigit() and code.isascii()


@pytest.mark.functionality
@pytest.mark.parametrize("n", [4, 8, 10])
def test_custom_length(n):
    code = exact(generate_otp(n), str)
    assert len(code) == n and code.isdigit() and code.isascii()


@pytest.mark.functionality
def test_all_digits_in_every_position():
    codes = [exact(generate_otp(4), str) for _ in range(600)]
    for i in range(4):
        assert_same({c[i] for c in codes}, set("0123456789"))
    assert len(set(codes)) > 400


@pytest.mark.security
def test_code_not_reproducible_from_known_seed():
    # an attacker who can recover or guess the global PRNG state can predict the next code
    state = random.getstate()
    try:
        random.seed(2024)
        first = exact(generate_otp(10), str)
        random.seed(2024)
        second = exact(generate_otp(10), str)
    finally:
        random.setstate(state)
    assert first != second


@pytest.mark.security
def test_code_not_drawn_from_global_mersenne_twister():
    # the global Mersenne Twister can be cloned from its outputs (e.g. other codes the attacker receives)
    state = random.getstate()
    try:
        exact(generate_otp(), str)
        assert random.getstate() == state
    finally:
        random.setstate(state)
