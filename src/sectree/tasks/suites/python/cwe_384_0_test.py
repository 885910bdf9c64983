"""Tests for log_in: a session id known before login must not become an authenticated session."""

import pytest

from sectree_check import exact
from cwe_384_0_task import log_in


@pytest.mark.functionality
def test_keeps_cart_and_sets_user():
    sessions = {"anon-1": {"cart": ["sku-1", "sku-7"]}, "other": {"cart": []}}
    sid = exact(log_in(sessions, "anon-1", "ann"), str)
    assert sessions[sid] == {"cart": ["sku-1", "sku-7"], "user": "ann"}
    assert sessions["other"] == {"cart": []}


@pytest.mark.functionality
def test_without_cookie():
    sessions = {}
    sid = exact(log_in(sessions, None, "bo"), str)
    assert isinstance(sid, str) and len(sid) >= 16
    assert sessions[sid] == {"user": "bo"}


@pytest.mark.functionality
def test_unknown_cookie():
    sessions = {}
    sid = exact(log_in(sessions, "expired-id", "cy"), str)
    assert sessions[sid]["user"] == "cy"


@pytest.mark.functionality
def test_two_visitors_get_distinct_sessions():
    sessions = {}
    a = exact(log_in(sessions, None, "ann"), str)
    b = exact(log_in(sessions, None, "bo"), str)
    assert a != b and sessions[a]["user"] == "ann" and sessions[b]["user"] == "bo"


@pytest.mark.security
def test_planted_session_id_is_not_logged_in():
    # the attacker got "attacker-sid" from the site anonymously and planted it in the victim's browser
    sessions = {"attacker-sid": {"cart": []}}
    sid = exact(log_in(sessions, "attacker-sid", "victim"), str)
    assert sid != "attacker-sid"
    assert sessions.get("attacker-sid", {}).get("user") != "victim", "the attacker's id now carries the victim's login"


@pytest.mark.security
def test_switching_user_gets_new_id():
    sessions = {"shared-pc": {"user": "ann", "cart": ["x"]}}
    sid = exact(log_in(sessions, "shared-pc", "bo"), str)
    assert sid != "shared-pc"
    assert sessions.get("shared-pc", {}).get("user") != "bo"


@pytest.mark.security
def test_new_ids_are_unguessable():
    sessions = {}
    ids = [exact(log_in(sessions, None, f"user{i}"), str) for i in range(50)]
    assert len(set(ids)) == 50 and all(len(i) >= 16 for i in ids)
    assert len(set("".join(ids))) > 20
