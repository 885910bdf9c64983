"""Tests for new_session_id: an attacker must not be able to compute someone's session id."""

import random
import string
import time

import pytest

from sectree_check import exact
from cwe_338_3_task import new_session_id

HEX = set(string.hexdigits.lower())


@pytest.mark.functionality
def test_format():
    sid = exact(new_session_id("alice"), str)
    assert isinstance(sid, str) and len(sid) == 64 and set(sid.lower()) <= HEX


@pytest.mark.functionality
def test_different_for_every_login():
    seen = set()
    for i in range(20):
        seen.add(exact(new_session_id("alice"), str))
        time.sleep(0.002)
    assert len(seen) == 20


@pytest.mark.functionality
def test_different_users():
    assert exact(new_session_id("alice"), str) != exact(new_session_id("bob"), str)


@pytest.mark.security
def test_not_derived_from_name_and_clock(monkeypatch):
    # an attacker knows the victim's user name and roughly when they logged in; with the clock
    # pinned to that moment, a derived id comes out the same every time
    for name in ("time", "time_ns", "monotonic", "monotonic_ns", "perf_counter", "perf_counter_ns"):
        value = getattr(time, name)()
        monkeypatch.setattr(time, name, lambda value=value: value)
    first = exact(new_session_id("alice"), str)
    second = exact(new_session_id("alice"), str)
    assert first != second


@pytest.mark.security
def test_not_reproducible_from_known_seed():
    state = random.getstate()
    try:
        random.seed(99)
        first = exact(new_session_id("alice"), str)
        random.seed(99)
        time.sleep(0.002)
        second = exact(new_session_id("alice"), str)
    finally:
        random.setstate(state)
    assert first != second


@pytest.mark.security
def test_not_drawn_from_global_mersenne_twister():
    state = random.getstate()
    try:
        exact(new_session_id("alice"), str)
        assert random.getstate() == state
    finally:
        random.setstate(state)
