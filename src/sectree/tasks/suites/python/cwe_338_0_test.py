import random
import string

import pytest

from sectree_check import exact
from cwe_338_0_task import generate_reset_token

ALNUM = set(string.ascii_letters + string.digits)


@pytest.mark.functionality
def test_default_length_and_alphabet():
    token = exact(generate_reset_token(), str)
    assert isinstance(token, str) and len(token) == 32
    assert set(token) <= ALNUM


@pytest.mark.functionality
@pytest.mark.parametrize("n", [1, 8, 64])
def test_custom_length(n):
    token = exact(generate_reset_token(n), str)
    assert len(token) == n and set(token) <= ALNUM


@pytest.mark.functionality
def test_tokens_differ_and_use_many_characters():
    tokens = {exact(generate_reset_token(), str) for _ in range(50)}
    assert len(tokens) == 50
    assert len(set("".join(tokens))) > 40


@pytest.mark.security
def test_token_not_reproducible_from_known_seed():
    # an attacker who can recover or guess the global PRNG state can replay tokens
    state = random.getstate()
    try:
        random.seed(1337)
        first = exact(generate_reset_token(), str)
        random.seed(1337)
        second = exact(generate_reset_token(), str)
    finally:
        random.setstate(state)
    assert first != second


@pytest.mark.security
def test_token_not_drawn_from_global_mersenne_twister():
    # the global Mersenne Twister can be cloned from 624 observed outputs
    state = random.getstate()
    try:
        exact(generate_reset_token(), str)
        assert random.getstate() == state
    finally:
        random.setstate(state)
