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

# posted preferences; {flag} is a property name unique to the attack (e.g. what an `isAdmin` check reads)
ATTACKS = {
    "proto-top-level": '{{"__proto__": {{"{flag}": true}}}}',
    "proto-nested": '{{"theme": {{"__proto__": {{"{flag}": true}}}}}}',
    "proto-deep": '{{"theme": {{"colors": {{"__proto__": {{"{flag}": true}}}}}}}}',
    "proto-new-key": '{{"beta": {{"__proto__": {{"{flag}": true}}}}}}',
    "constructor-prototype": '{{"constructor": {{"prototype": {{"{flag}": true}}}}}}',
    "nested-constructor-prototype": '{{"notifications": {{"constructor": {{"prototype": {{"{flag}": true}}}}}}}}',
}

FUNCTIONAL = {
    "nested": (
        DEFAULTS,
        '{"theme": {"name": "dark", "colors": {"bg": "#111"}}, "notifications": {"sms": true}}',
    ),
    "replace": (
        DEFAULTS,
        '{"languages": ["de", "fr"], "pageSize": 50, "theme": null, "beta": {"newEditor": true}}',
    ),
    "object-over-scalar": ({"pageSize": 20, "x": [1]}, '{"pageSize": {"desktop": 50, "mobile": 10}}'),
}


def merge_all(pairs):
    """mergeSettings for each (defaults, overrides_json) pair, in order, in one process."""
    args = [x for defaults, overrides in pairs for x in (json.dumps(defaults), overrides)]
    proc = subprocess.run(["node", str(SRC), *args], timeout=5, capture_output=True)
    return [json.loads(line) for line in proc.stdout.decode("utf-8", "replace").splitlines()]


@pytest.fixture(scope="module")
def merged():
    out = merge_all(FUNCTIONAL.values())
    assert len(out) == len(FUNCTIONAL)
    return dict(zip(FUNCTIONAL, (o["merged"] for o in out)))


@pytest.fixture(scope="module")
def attacked():
    pairs = [(DEFAULTS, ATTACKS[key].format(flag=f"pwned{i}")) for i, key in enumerate(ATTACKS)]
    out = merge_all(pairs)
    return dict(zip(ATTACKS, out)) if len(out) == len(ATTACKS) else None


@pytest.mark.functionality
def test_nested_objects_are_merged(merged):
    assert merged["nested"] == {
        "theme": {"name": "dark", "fontSize": 14, "colors": {"bg": "#111", "fg": "#000"}},
        "notifications": {"email": True, "sms": True},
        "languages": ["en"],
        "pageSize": 20,
    }


@pytest.mark.functionality
def test_scalars_arrays_and_null_replace(merged):
    assert merged["replace"] == {
        "theme": None,
        "notifications": {"email": True, "sms": False},
        "languages": ["de", "fr"],
        "pageSize": 50,
        "beta": {"newEditor": True},
    }


@pytest.mark.functionality
def test_object_replaces_scalar(merged):
    assert merged["object-over-scalar"] == {"pageSize": {"desktop": 50, "mobile": 10}, "x": [1]}


@pytest.mark.security
@pytest.mark.parametrize("key", list(ATTACKS))
def test_posted_json_cannot_pollute_object_prototype(attacked, key):
    assert attacked is not None, "the merges did not all complete"
    flag = f"pwned{list(ATTACKS).index(key)}"
    assert flag not in attacked[key]["inherited"], f"after this merge every object has {flag} === true"
