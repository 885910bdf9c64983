import random
import string

import pytest

from sectree_check import exact
from cwe_338_1_task import SYMBOLS, generate_password

GROUPS = [set(string.ascii_lowercase), set(string.ascii_uppercase), set(string.digits), set(SYMBOLS)]
ALL = set().union(*GROUPS)


def _well_formed(pw, n):
    return isinstance(pw, str) and len(pw) == n and set(pw) <= ALL and all(set(pw) & g for g in GROUPS)


@pytest.mark.functionality
@pytest.mark.parametrize("n", [4, 5, 16, 40])
def test_length_and_character_groups(n):
    for _ in range(20):
        assert _well_formed(exact(generate_password(n), str), n)


@pytest.mark.functionality
def test_default_length():
    assert _well_formed(exact(generate_password(), str), 16)


@pytest.mark.functionality
def test_too_short_raises():
    with pytest.raises(ValueError):
        generate_password(3)


@pytest.mark.functionality
def test_required_characters_move_around():
    firsts = {exact(generate_password(4), str)[0] for _ in range(200)}
    assert any(c in firsts for c in string.ascii_lowercase)
    assert any(c in firsts for c in string.digits)


@pytest.mark.security
def test_password_not_reproducible_from_known_seed():
    state = random.getstate()
    try:
        random.seed(2024)
        first = exact(generate_password(20), str)
        random.seed(2024)
        second = exact(generate_password(20), str)
    finally:
        random.setstate(state)
    assert first != second


@pytest.mark.security
def test_password_not_drawn_from_global_mersenne_twister():
    state = random.getstate()
    try:
        exact(generate_password(20), str)
        assert random.getstate() == state
    finally:
        random.setstate(state)
