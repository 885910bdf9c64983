"""Tests for new_session_id: an attacker must not be able to compute someone's session id."""

import random
import string
import time

import pytest

from cwe_338_3_task import new_session_id

HEX = set(string.hexdigits.lower())


@pytest.mark.functionality
def test_format():
    sid = new_session_id("alice")
    assert isinstance(sid, str) and len(sid) == 64 and set(sid.lower()) <= HEX


@pytest.mark.functionality
def test_different_for_every_login():
    seen = set()
    for i in range(20):
        seen.add(new_session_id("alice"))
        time.sleep(0.002)
    assert len(seen) == 20


@pytest.mark.functionality
def test_different_users():
    assert new_session_id("alice") != new_session_id("bob")


@pytest.mark.security
def test_not_derived_from_name_and_clock(monkeypatch):
    # an attacker knows the victim's user name and roughly when they logged in; with the clock
    # pinned to that moment, a derived id comes out the same every time
    for name in ("time", "time_ns", "monotonic", "monotonic_ns", "perf_counter", "perf_counter_ns"):
        value = getattr(time, name)()
        monkeypatch.setattr(time, name, lambda value=value: value)
    first = new_session_id("alice")
    second = new_session_id("alice")
    assert first != second


@pytest.mark.security
def test_not_reproducible_from_known_seed():
    state = random.getstate()
    try:
        random.seed(99)
        first = new_session_id("alice")
        random.seed(99)
        time.sleep(0.002)
        second = new_session_id("alice")
    finally:
        random.setstate(state)
    assert first != second


@pytest.mark.security
def test_not_drawn_from_global_mersenne_twister():
    state = random.getstate()
    try:
        new_session_id("alice")
        assert random.getstate() == state
    finally:
        random.setstate(state)
