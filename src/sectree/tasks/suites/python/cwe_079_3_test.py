"""Tests for initial_state_script: user data inside the JSON must not end the script element."""

import json

import pytest

from sectree_check import assert_same, exact
from cwe_079_3_task import initial_state_script

PREFIX, SUFFIX = "<script>window.__INITIAL_STATE__ = ", ";</script>"


def _state_of(out):
    assert out.startswith(PREFIX) and out.endswith(SUFFIX)
    return json.loads(out[len(PREFIX) : -len(SUFFIX)])


@pytest.mark.functionality
def test_plain_state_round_trips():
    state = {"user": {"name": "alice", "id": 7}, "comments": ["first!", "nice"], "admin": False, "score": 1.5}
    assert_same(_state_of(initial_state_script(state)), state)


@pytest.mark.functionality
def test_unicode_and_quotes_round_trip():
    state = {"bio": 'Zoë says "hi" \\ it\'s me', "empty": None}
    assert_same(_state_of(initial_state_script(state)), state)


@pytest.mark.functionality
def test_empty_state():
    assert_same(_state_of(initial_state_script({})), {})


@pytest.mark.security
@pytest.mark.parametrize(
    "bio",
    [
        pytest.param("</script><script>alert(document.cookie)</script>", id="close-tag"),
        pytest.param("</SCRIPT ><img src=x onerror=alert(1)>", id="upper-case"),
        pytest.param("<!--<script>", id="comment-open"),
    ],
)
def test_user_text_stays_inside_the_script(bio):
    out = exact(initial_state_script({"bio": bio}), str)
    assert_same(_state_of(out), {"bio": bio})
    assert_same(out.lower().count("</script"), 1, "the data closes the script element early")
    assert "<!--" not in out
