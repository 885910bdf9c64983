"""The candidate of a Python pytest job runs in a process of its own (sandbox/runner/candidate_proxy.py): the
report key never enters it, only plain data comes back, and the wire refuses anything else."""

from __future__ import annotations

import ast
import os
import re
import secrets
import sys

import pytest

from sectree.oracle.judge import read_channel
from sectree.oracle.runners import PYTEST_ARGS
from sectree.sandbox import SandboxConfig, Worker
from sectree.sandbox import RUNNER_DIR

sys.path.insert(0, str(RUNNER_DIR))
import candidate_wire as wire  # noqa: E402 - lives in the sandbox's runner folder

UID_BASE = 63000 + (os.getpid() % 500) * 2
CFG = SandboxConfig(wall_seconds=10, cpu_seconds=8, memory_mb=1024, processes=32, job_uid_base=UID_BASE)

# every 64-hex-digit string (a key's form) in this process's writable memory and in any other's it can read
SNOOP = r'''
import gc, os, re

HEX = re.compile(rb"[0-9a-f]{64}")


def scan(pid):
    """Our own memory through ctypes (a nondumpable process may not open its own /proc/self/mem), another
    process's through /proc/<pid>/mem."""
    found, ok = set(), False
    try:
        maps = open(f"/proc/{pid}/maps").read().splitlines()
        mem = None if pid == "self" else open(f"/proc/{pid}/mem", "rb", buffering=0)
        for line in maps:
            addr, perms = line.split()[:2]
            if not perms.startswith("rw"):
                continue
            lo, hi = (int(x, 16) for x in addr.split("-"))
            if hi - lo > 256 << 20:
                continue
            try:
                if mem is None:
                    import ctypes

                    data = ctypes.string_at(lo, hi - lo)
                else:
                    mem.seek(lo)
                    data = mem.read(hi - lo)
                found.update(HEX.findall(data))
                ok = True
            except OSError:
                pass
    except OSError as e:
        return f"{pid}: {type(e).__name__}", set()
    return f"{pid}: read={ok}", found


def snoop():
    report = []
    others = [p for p in os.listdir("/proc") if p.isdigit() and int(p) != os.getpid()]
    for pid in ["self"] + others:  # the test process, the zygote, bwrap's init
        what, found = scan(pid)
        report.append(what)
        for h in sorted(found):
            print("HEX", h.decode(), flush=True)
    channels = [type(o).__name__ for o in gc.get_objects() if type(o).__name__ == "Channel"]
    report.append(f"channels={len(channels)}")
    try:
        os.write(3, b"x")
        report.append("fd3=open")
    except OSError:
        report.append("fd3=closed")
    return report
'''

TEST = '''
from m_task import snoop, echo, same, Eq


def test_snoop():
    report = snoop()
    print("REPORT", report, flush=True)
    assert type(report) is list and "fd3=closed" in report and "channels=0" in report


def test_data_crosses_with_exact_types():
    value = {"a": [1, 2.5, True, None], (1, "x"): {b"k", frozenset({3})}, "s": bytearray(b"q")}
    out = echo(value)
    assert out == value and type(out[(1, "x")]) is set and type(out["s"]) is bytearray


def test_always_equal_object_is_a_handle():
    x = same()
    assert type(x) is not str and not (x == "anything") and x != "anything"
    assert isinstance(x, Eq)


def test_mutated_argument_comes_back():
    d = {"inner": {"n": 1}}
    inner = d["inner"]
    echo(d, bump=True)
    assert inner == {"n": 2} and d["inner"] is inner
'''

CANDIDATE = SNOOP + '''

def echo(value, bump=False):
    if bump:
        value["inner"]["n"] += 1
    return value


class Eq(str):
    def __eq__(self, other):
        return True

    __hash__ = str.__hash__


def same():
    return Eq("x")
'''


@pytest.fixture(scope="module")
def worker():
    w = Worker(CFG)
    yield w
    w.close()


def run_job(worker: Worker, key: bytes, candidate: str = CANDIDATE, test: str = TEST):
    files = {"m_task.py": candidate.encode(), "m_test.py": test.encode()}
    res = worker.run(files, kind="pytest", argv=[*PYTEST_ARGS, "-s", "m_test.py"], key=key.hex(),
                     candidate="m_task")
    records, problem = read_channel(res.report, key)
    return res, records, problem


def assert_one_test_passes(worker: Worker, candidate: str, test: str) -> None:
    """Run the job under a fresh key: the report channel is intact and the test file's one test passed."""
    res, records, problem = run_job(worker, secrets.token_bytes(32), candidate, test)
    assert problem is None
    assert [r["outcome"] for r in records if r.get("ev") == "test"] == ["passed"], res.output[-2000:]


def test_key_never_enters_the_candidate_process(worker):
    """The candidate reads its own memory and its parent's (the test process), looks for the report plugin on
    its heap and writes to fd 3: none of it finds the key (a candidate process forked from the test process,
    or one that may read the test process's memory, would print it)."""
    key = secrets.token_bytes(32)
    res, records, problem = run_job(worker, key)
    assert problem is None, res.output[-2000:]
    outcomes = {r["id"]: r["outcome"] for r in records if r.get("ev") == "test"}
    assert outcomes and set(outcomes.values()) == {"passed"}, (outcomes, res.output[-3000:])
    assert key.hex() not in res.output
    report = ast.literal_eval(re.search(r"REPORT (\[.*\])", res.output).group(1))
    assert report[0] == "self: read=True", report  # the scan works (it would find a key there)
    others = [r for r in report[1:] if ": " in r]
    assert len(others) >= 2 and not any("read=True" in r for r in others), report  # no other process's memory


def test_candidate_death_ends_the_run(worker):
    key = secrets.token_bytes(32)
    cand = "import os\n\ndef f():\n    os._exit(0)\n"
    test = "from m_task import f\n\ndef test_a():\n    f()\n\ndef test_b():\n    pass\n"
    res, records, problem = run_job(worker, key, cand, test)
    assert problem is None
    assert not any(r.get("ev") == "done" for r in records), records  # broken, never a pass of the rest
    assert "the candidate process ended" in res.output


def test_candidate_exceptions_keep_builtin_types(worker):
    cand = ("class Denied(PermissionError):\n    pass\n\ndef f(x):\n    if x == 1:\n        raise ValueError('bad')\n"
            "    raise Denied('no')\n")
    test = ("import pytest\nimport m_task\nfrom m_task import f\n\ndef test_a():\n"
            "    with pytest.raises(ValueError, match='bad'):\n        f(1)\n"
            "    with pytest.raises(m_task.Denied):\n        f(2)\n    with pytest.raises(PermissionError):\n        f(2)\n")
    assert_one_test_passes(worker, cand, test)


@pytest.mark.parametrize("frame", [
    ["x", [1]], ["l", "notalist"], ["H", "Z", 1, "t"], ["d", [[["l", []], 1]]], ["b", "!!"], ["q", 1], {"a": 1},
])
def test_wire_refuses_what_is_not_data(frame):
    with pytest.raises(wire.WireError):
        wire.decode(frame, lambda *a: pytest.fail("no handle expected"))


def test_wire_encodes_exact_types_only():
    class S(str):
        pass

    handles = []
    out = wire.encode(["a", S("b"), (1, True)], lambda x: handles.append(x) or ["H", "C", 1, "S"])
    assert out == ["l", ["a", ["H", "C", 1, "S"], ["t", [1, True]]]] and len(handles) == 1
    back = wire.decode(out, lambda owner, hid, t: ("handle", owner, hid))
    assert back == ["a", ("handle", "C", 1), (1, True)]


def test_interrupted_call_restarts_the_candidate(worker):
    """A test's own timeout (an alarm handler raising, as CWEval's wrapt_timeout_decorator does) interrupts a
    call: the candidate process is ended, as the interrupt would stop the candidate in-process, and a fresh one
    serves the next call (the module's functions follow by name)."""
    cand = "import time\n\ndef slow():\n    time.sleep(30)\n\ndef fast():\n    return 1\n"
    test = ("import signal, pytest\nfrom m_task import slow, fast\n\ndef test_a():\n"
            "    def boom(*a):\n        raise TimeoutError('too slow')\n"
            "    signal.signal(signal.SIGALRM, boom)\n    signal.setitimer(signal.ITIMER_REAL, 0.5)\n"
            "    with pytest.raises(TimeoutError):\n        slow()\n    assert fast() == 1\n")
    assert_one_test_passes(worker, cand, test)


def test_module_files_the_candidate_writes_are_not_imported_by_the_tests(worker):
    """The job folder is first on the test process's import path while it imports the test file; once the
    candidate process runs, no folder the job can write to is on it: a module file the candidate drops there is
    never imported by the process that holds the key."""
    cand = ("import os\n\ndef plant():\n    for d in (os.getcwd(), '/tmp'):\n"
            "        with open(os.path.join(d, 'sx_planted.py'), 'w') as f:\n"
            "            f.write('PLANTED = True\\n')\n    return os.getcwd()\n")
    test = ("import os, sys, pytest\nfrom m_task import plant\n\ndef test_a():\n    where = plant()\n"
            "    assert os.path.exists(os.path.join(where, 'sx_planted.py'))\n"
            "    with pytest.raises(ImportError):\n        import sx_planted  # noqa: F401\n")
    assert_one_test_passes(worker, cand, test)
