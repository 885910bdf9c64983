"""The zygote's memos of per-job pytest work (``sandbox/runner/pytest_memo.py``, issue #17): a job gets the
precompiled test module only when it reads exactly the bytes compiled, never the code of an earlier job's
test file of the same name; the wrapped-fixture check still runs on everything but pytest's own objects."""

from __future__ import annotations

import json
import secrets
import subprocess
import sys

from sectree.oracle.judge import read_channel
from sectree.oracle.runners import PYTEST_ARGS
from sectree.sandbox import SandboxConfig, Worker

# a test file that says whether its own module code is the zygote's precompiled one, and what VALUE is
TEST_FILE = """import sys
import pytest_memo

OWN_CODE = sys._getframe().f_code  # this module's code
HIT = any(c is OWN_CODE for c in pytest_memo._CODE.values())
VALUE = {value}


def test_precompiled():
    assert HIT


def test_value_is_one():
    assert VALUE == 1
"""


def _outcomes(report: str, key: bytes) -> dict[str, str]:
    records, problem = read_channel(report, key)
    assert problem is None
    return {r["id"].split("::")[-1]: r["outcome"] for r in records if r["ev"] == "test"}


def test_a_test_file_of_the_same_name_never_gets_an_earlier_jobs_code():
    """Two test files under one name, judged alternately by one sandbox: each job runs its own file's code (a
    stale memo would give the second job the first one's VALUE), and each runs the precompiled copy (the
    memo is used at all, in bubblewrap)."""
    w = Worker(SandboxConfig(wall_seconds=20, cpu_seconds=10, memory_mb=1024))
    try:
        seen = []
        for value in (1, 2, 1, 2):
            key = secrets.token_bytes(32)
            res = w.run({"memo_test.py": TEST_FILE.format(value=value).encode()}, kind="pytest",
                        argv=[*PYTEST_ARGS, "memo_test.py"], key=key.hex())
            seen.append(_outcomes(res.report, key))
    finally:
        w.close()
    one = {"test_precompiled": "passed", "test_value_is_one": "passed"}
    two = {"test_precompiled": "passed", "test_value_is_one": "failed"}
    assert seen == [one, two, one, two]


WRAPPER_CHECK = r'''
import json, sys, tempfile
from pathlib import Path
from sectree.sandbox import RUNNER_DIR
sys.path.insert(0, str(RUNNER_DIR))
import pytest_memo
from _pytest.assertion import rewrite
orig = rewrite._rewrite_test
state = pytest_memo.install()
out = {"state": state}
suite = Path(sys.argv[1])
# the memo's code is what pytest's own rewriting gives, for every built-in Python test file
same = []
for f in sorted(suite.glob("*_test.py")):
    pytest_memo.precompile(str(f), f.read_bytes())
    same.append(pytest_memo._CODE[(str(f), f.read_bytes())] == orig(f, None)[1])  # fields, nested code too
out["same"] = all(same) and len(same) > 50
# the wrapper: the memo's object for the same bytes, a fresh compile for other bytes or with a pass hook
d = Path(tempfile.mkdtemp())
p = d / "x_test.py"
p.write_bytes(b"X = 1\n")
pytest_memo.precompile(str(p), b"X = 1\n")
memo = pytest_memo._CODE[(str(p), b"X = 1\n")]
out["hit"] = rewrite._rewrite_test(p, None)[1] is memo
p.write_bytes(b"X = 2\n")
co = rewrite._rewrite_test(p, None)[1]
ns = {}
exec(co, ns)
out["other_bytes"] = co is not memo and ns["X"] == 2
p.write_bytes(b"X = 1\n")
class PassHook:
    def getini(self, name):
        return name == "enable_assertion_pass_hook"
out["pass_hook"] = rewrite._rewrite_test(p, PassHook())[1] is not memo
# the wrapped-fixture check is skipped only for pytest's and pluggy's own objects
from _pytest.fixtures import FixtureManager
plain = list(pytest_memo._PLAIN.values())
out["plain_found_nothing"] = all(FixtureManager._find_wrapped_fixture_def(None, o) in (None, o) for o in plain)
print(json.dumps(out))
'''


def test_memo_gives_pytests_own_rewriting_and_only_for_the_same_bytes(tmp_path):
    """In a process of its own (the memo patches pytest process-wide): the precompiled code of every built-in
    test file is byte for byte what pytest's rewriting gives; other bytes at the same path, or an assertion
    pass hook, get pytest's own rewriting; every object whose check is skipped is one on which the check
    finds nothing."""
    from pathlib import Path

    suite = Path(__file__).resolve().parents[1] / "src" / "sectree" / "tasks" / "suites" / "python"
    res = subprocess.run([sys.executable, "-c", WRAPPER_CHECK, str(suite)], capture_output=True, text=True,
                         timeout=300, cwd=tmp_path)
    assert res.returncode == 0, res.stderr[-3000:]
    out = json.loads(res.stdout.strip().splitlines()[-1])
    assert out["state"] == {"rewrite": True, "fixtures": True}
    assert out["same"] and out["hit"] and out["other_bytes"] and out["pass_hook"]
    assert out["plain_found_nothing"]


HIDDEN_FIXTURE = """import functools

import pytest


def deco(f):
    @functools.wraps(f)
    def w(*a, **k):
        return f(*a, **k)
    return w


@deco
@pytest.fixture
def hidden():
    return 1


def test_x():
    pass
"""


def test_wrapped_fixture_check_still_runs_on_the_test_file():
    """The zygote skips the check only for pytest's own objects: a fixture the test file hides behind a
    decorator still gets pytest's warning in the job's output."""
    w = Worker(SandboxConfig(wall_seconds=20, cpu_seconds=10, memory_mb=1024))
    try:
        key = secrets.token_bytes(32)
        res = w.run({"hidden_test.py": HIDDEN_FIXTURE.encode()}, kind="pytest",
                    argv=[*PYTEST_ARGS, "hidden_test.py"], key=key.hex())
    finally:
        w.close()
    assert _outcomes(res.report, key) == {"test_x": "passed"}
    assert "cannot discover fixture 'hidden'" in res.output, res.output[-2000:]
