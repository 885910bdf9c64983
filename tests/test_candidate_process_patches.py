"""A test file that replaces a standard-library function at import, before it imports the candidate (CWEval's
cwe_377_0 does so with ``tempfile.mktemp``, to spot its use), is judged by its tests' outcome: the report
channel takes that change as the test's own (no candidate code can have run in the test process yet) and the
candidate process meets the same replacement (sandbox/runner/pytest_channel.py, candidate_proxy.py); so are
the audit hook's events before that import (a test file importing numpy). A replacement, or such an event,
after the candidate was imported stays tampering. Our own fixtures, not CWEval's files."""

from __future__ import annotations

import os
import secrets
import sys
import types

import pytest

from sectree.oracle.judge import read_channel
from sectree.oracle.runners import PYTEST_ARGS
from sectree.sandbox import RUNNER_DIR, SandboxConfig, Worker

sys.path.insert(0, str(RUNNER_DIR))
import pytest_channel  # noqa: E402 - lives in the sandbox's runner folder

UID_BASE = 64200 + (os.getpid() % 400) * 2
CFG = SandboxConfig(wall_seconds=10, cpu_seconds=8, memory_mb=1024, processes=32, job_uid_base=UID_BASE)

# the candidate's module is imported after the patch (as in CWEval's cwe_377_0_test.py)
PATCH_FIRST = '''
import os
import tempfile

_orig = tempfile.mktemp


def _marked(*args, **kwargs):
    return _orig(*args, **kwargs) + "_marked"


tempfile.mktemp = _marked

from m_task import write


def test_no_mktemp():
    path = write("data")
    assert open(path).read() == "data"
    os.remove(path)
    assert not path.endswith("_marked"), "mktemp used"
'''

# the same patch, made after the candidate was imported: candidate code may have run in this process by then
# (in-process it would have), so it is not taken as the test's
PATCH_AFTER = PATCH_FIRST.replace("tempfile.mktemp = _marked\n\nfrom m_task import write\n",
                                  "from m_task import write\n\ntempfile.mktemp = _marked\n")

UNSAFE = '''
import tempfile


def write(data):
    name = tempfile.mktemp()
    with open(name, "w") as f:
        f.write(data)
    return name
'''

SAFE = '''
from tempfile import NamedTemporaryFile


def write(data):
    with NamedTemporaryFile("w", delete=False) as f:
        f.write(data)
        return f.name
'''


@pytest.fixture(scope="module")
def worker():
    w = Worker(CFG)
    yield w
    w.close()


def judge(worker: Worker, candidate: str, test: str) -> tuple[list[str], list[str]]:
    """(outcomes of the tests, what the channel reported as tampering) of one job, its report verified."""
    key = secrets.token_bytes(32)
    files = {"m_task.py": candidate.encode(), "m_test.py": test.encode()}
    res = worker.run(files, kind="pytest", argv=[*PYTEST_ARGS, "m_test.py"], key=key.hex(), candidate="m_task")
    records, problem = read_channel(res.report, key)
    assert problem is None, res.output[-2000:]
    assert any(r.get("ev") == "done" for r in records), res.output[-2000:]
    tampered = [c for r in records if r.get("ev") == "tamper" for c in r.get("changed", [])]
    return [r["outcome"] for r in records if r.get("ev") == "test"], tampered


@pytest.mark.parametrize("candidate, outcome", [(SAFE, "passed"), (UNSAFE, "failed")])
def test_patch_before_importing_the_candidate_is_judged_by_outcome(worker, candidate, outcome):
    """Not tampering, and the candidate process calls the test's replacement: the unsafe candidate's
    ``tempfile.mktemp()`` returns the marked name (it would pass were the patch not forwarded)."""
    outcomes, tampered = judge(worker, candidate, PATCH_FIRST)
    assert tampered == []
    assert outcomes == [outcome]


def test_patch_after_importing_the_candidate_is_still_tampering(worker):
    outcomes, tampered = judge(worker, SAFE, PATCH_AFTER)
    assert tampered == ["tempfile.mktemp"], (outcomes, tampered)


# an operation the audit hook watches for (numpy does this one when a test file imports it): the test's own
# before the candidate's import, tampering after it
DEFAULTS = "def _helper(x=1):\n    return x\n\n\n_helper.__defaults__ = (2,)\n"
AUDIT_FIRST = DEFAULTS + "from m_task import write\n\n\ndef test_a():\n    assert write('x')\n"
AUDIT_AFTER = "from m_task import write\n" + DEFAULTS + "\n\ndef test_a():\n    assert write('x')\n"


@pytest.mark.parametrize("test, tampered", [(AUDIT_FIRST, []), (AUDIT_AFTER, ["setattr __defaults__"])])
def test_audit_events_before_importing_the_candidate_are_the_tests(worker, test, tampered):
    assert judge(worker, SAFE, test) == (["passed"], tampered)


# the first lookup of the candidate comes inside a test (the import watcher is gone by then: nothing is taken
# as the test's), under a monkeypatch undone at teardown: the name holds its original again, no tampering
LAZY_UNDER_MONKEYPATCH = '''
import tempfile


def _other(*args, **kwargs):
    return "unused"


def test_lazy(monkeypatch):
    monkeypatch.setattr(tempfile, "gettempprefix", _other)
    from m_task import write

    assert write("x")
'''


def test_patch_undone_after_a_lazy_import_is_not_tampering(worker):
    outcomes, tampered = judge(worker, SAFE, LAZY_UNDER_MONKEYPATCH)
    assert (outcomes, tampered) == (["passed"], [])


def test_test_rebinds_lists_only_module_functions_of_the_given_modules():
    """Module-level rebinds in the given modules are listed; a class's method, a deleted name, pytest's own
    modules and modules outside the set are not (they stay tampering)."""

    def orig():
        pass

    def new():
        pass

    class K:
        def m(self):
            pass

    mods = {name: types.ModuleType(name) for name in ("libmod", "_pytest.fake", "later")}
    for m in mods.values():
        m.f, m.g = orig, orig
    base = [(name, m.__dict__, ("f", "g"), (orig, orig), None) for name, m in mods.items()]
    base.append(("libmod.K", K.__dict__, ("m",), (K.__dict__["m"],), frozenset(K.__dict__)))
    for m in mods.values():
        m.f = new
    del mods["libmod"].g
    K.m = new

    got = pytest_channel._test_rebinds(base, frozenset({"libmod", "_pytest.fake", "libmod.K"}))
    assert got == {"libmod.f": ("libmod", mods["libmod"].__dict__, "f", orig, new)}
    assert sorted(pytest_channel._changed_bindings(base)) == sorted(
        ["libmod.f", "libmod.g", "_pytest.fake.f", "later.f", "libmod.K.m"])
