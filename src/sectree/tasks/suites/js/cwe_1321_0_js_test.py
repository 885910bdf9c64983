"""Tests for mergeSettings (Node): merging posted JSON must not pollute Object.prototype."""

import json
import subprocess
from pathlib import Path

import pytest

SRC = Path(__file__).with_name("cwe_1321_0_js_task.js")

DEFAULTS = {
    "theme": {"name": "light", "fontSize": 14, "colors": {"bg": "#fff", "fg": "#000"}},
    "notifications": {"email": True, "sms": False},
    "languages": ["en"],
    "pageSize": 20,
}

ATTACKS = {
    "proto-top-level": '{"__proto__": {"isAdmin": true, "polluted": "yes"}}',
    "proto-nested": '{"theme": {"__proto__": {"isAdmin": true, "polluted": "yes"}}}',
    "proto-deep": '{"theme": {"colors": {"__proto__": {"isAdmin": true, "polluted": "yes"}}}}',
    "constructor-prototype": '{"constructor": {"prototype": {"isAdmin": true, "polluted": "yes"}}}',
    "nested-constructor-prototype": '{"notifications": {"constructor": {"prototype": {"isAdmin": true}}}}',
}


def merge(overrides_json, defaults=DEFAULTS):
    proc = subprocess.run(["node", str(SRC), json.dumps(defaults), overrides_json], timeout=5, capture_output=True)
    return json.loads(proc.stdout)


@pytest.mark.functionality
def test_nested_objects_are_merged():
    out = merge('{"theme": {"name": "dark", "colors": {"bg": "#111"}}, "notifications": {"sms": true}}')
    assert out["merged"] == {
        "theme": {"name": "dark", "fontSize": 14, "colors": {"bg": "#111", "fg": "#000"}},
        "notifications": {"email": True, "sms": True},
        "languages": ["en"],
        "pageSize": 20,
    }


@pytest.mark.functionality
def test_scalars_arrays_and_null_replace():
    out = merge('{"languages": ["de", "fr"], "pageSize": 50, "theme": null, "beta": {"newEditor": true}}')
    assert out["merged"] == {
        "theme": None,
        "notifications": {"email": True, "sms": False},
        "languages": ["de", "fr"],
        "pageSize": 50,
        "beta": {"newEditor": True},
    }


@pytest.mark.functionality
def test_object_replaces_scalar():
    out = merge('{"pageSize": {"desktop": 50, "mobile": 10}}', defaults={"pageSize": 20, "x": [1]})
    assert out["merged"] == {"pageSize": {"desktop": 50, "mobile": 10}, "x": [1]}


@pytest.mark.security
@pytest.mark.parametrize("key", list(ATTACKS))
def test_posted_json_cannot_pollute_object_prototype(key):
    out = merge(ATTACKS[key])
    assert out["inherited"] == [], f"every object now inherits {out['inherited']!r}"
    assert out["isAdmin"] is False, "every object now has isAdmin === true"
