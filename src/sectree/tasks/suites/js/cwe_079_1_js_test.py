"""Tests for initialStateScript (Node): user data inside the JSON must not end the script element."""

import json
import subprocess
from pathlib import Path

import pytest
from sectree_check import assert_same

SRC = Path(__file__).with_name("cwe_079_1_js_task.js")
PREFIX, SUFFIX = "<script>window.__INITIAL_STATE__ = ", ";</script>"


def scripts(*states):
    r = subprocess.run(["node", str(SRC), *[json.dumps(s) for s in states]], capture_output=True, timeout=5)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.decode("utf-8").split("\n")[:-1]
    assert len(lines) == len(states)
    return lines


def state_of(out):
    assert out.startswith(PREFIX) and out.endswith(SUFFIX)
    return json.loads(out[len(PREFIX) : -len(SUFFIX)])


@pytest.mark.functionality
def test_states_round_trip():
    states = [
        {"user": {"name": "alice", "id": 7}, "comments": ["first!", "nice"], "admin": False, "score": 1.5},
        {"bio": 'Zoë says "hi" \\ it\'s me', "empty": None},
        {},
    ]
    assert_same([state_of(s) for s in scripts(*states)], states)


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
    (out,) = scripts({"bio": bio})
    assert_same(state_of(out), {"bio": bio})
    assert_same(out.lower().count("</script"), 1, "the data closes the script element early")
    assert "<!--" not in out
