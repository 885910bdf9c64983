"""Tests for load_cache: an uploaded pickle must not be able to run code or build arbitrary objects."""

import os
import pickle
import subprocess

import pytest

from sectree_check import assert_same
from cwe_502_2_task import load_cache

REPORTS = {
    "version": 3,
    "owner": "ann",
    "reports": [
        {"name": "Q1 sales", "rows": [("north", 1200.5), ("south", 980)], "pinned": True},
        {"name": "Zürich visits", "rows": [], "pinned": False, "note": None},
    ],
    "thumbnail": b"\x89PNG\r\n\x1a\n",
    "big": 2**80,
}


def write(tmp_path, obj, protocol=pickle.DEFAULT_PROTOCOL, name="cache.pkl"):
    p = tmp_path / name
    with open(p, "wb") as f:
        pickle.dump(obj, f, protocol=protocol)
    return p


@pytest.mark.functionality
def test_roundtrip(tmp_path):
    assert_same(load_cache(str(write(tmp_path, REPORTS))), REPORTS)


@pytest.mark.functionality
@pytest.mark.parametrize("protocol", [3, 4, 5])
def test_protocols(tmp_path, protocol):
    assert_same(load_cache(str(write(tmp_path, REPORTS, protocol))), REPORTS)


@pytest.mark.functionality
@pytest.mark.parametrize("value", [[], {}, None, "just text", (1, 2.5, -3)])
def test_simple_values(tmp_path, value):
    assert_same(load_cache(str(write(tmp_path, value))), value)


class RunsMkdir:
    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (os.mkdir, (self.path,))


class RunsProcess:
    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (subprocess.call, (["mkdir", self.path],))


class RunsEval:
    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (eval, (f"__import__('os').mkdir({self.path!r})",))


def _attempt(path):
    try:
        return load_cache(str(path))
    except Exception:
        return None


@pytest.mark.security
@pytest.mark.parametrize("gadget", [RunsMkdir, RunsProcess, RunsEval])
def test_pickled_callables_do_not_run(tmp_path, gadget):
    pwn = tmp_path / "pwned"
    evil = write(tmp_path, {"version": 3, "reports": [gadget(str(pwn))]}, name="evil.pkl")
    _attempt(evil)
    assert not pwn.exists()


@pytest.mark.security
def test_no_arbitrary_objects(tmp_path):
    evil = write(tmp_path, {"handler": os.system}, name="evil.pkl")
    result = _attempt(evil)
    assert result is None or not callable(result.get("handler"))
