"""The Python oracle: status rules, structured channel, analyzers, finding policies, batching."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest

from sectree.errors import SectreeError
from sectree.oracle import Oracle, OracleConfig, Status, Verdict
from sectree.oracle.analyzers import analyze, related_cwes
from sectree.oracle.judge import read_channel
from sectree.tasks import load_dir

from tests.test_tasks import make_suite

SECURITY_TEST = '''

@pytest.mark.security
def test_traversal(tmp_path):
    base = tmp_path / "base"
    base.mkdir()
    (tmp_path / "secret").write_text("s3cret")
    assert read_note(str(base), "../secret") == ""


@pytest.mark.parametrize("name", [
    pytest.param("a", marks=pytest.mark.functionality),
    pytest.param("/etc/hostname", marks=pytest.mark.security),
])
def test_param(tmp_path, name):
    (tmp_path / "a").write_text("hi")
    out = read_note(str(tmp_path), name)
    assert out == ("hi" if name == "a" else "")
'''


@pytest.fixture(scope="module")
def task(tmp_path_factory):
    from tests.test_tasks import TEST_PY

    root = make_suite(tmp_path_factory.mktemp("suite"), '[tasks.cwe_022_0]\ncwes = [22]\nsplit = "train"\n',
                      **{"cwe_022_0_test.py": TEST_PY + SECURITY_TEST})
    return load_dir(root)[0]


@pytest.fixture(scope="module")
def oracle():
    with Oracle(OracleConfig(workers=2, cache=False)) as o:
        yield o


def test_references(oracle, task):
    vs, vu = oracle.judge_many([(task, task.reference_source), (task, task.unsafe_source)])
    assert vs.status == Status.SECURE and vs.parseable and vs.reason == ""
    assert {t.kind for t in vs.tests} == {"functionality", "security"} and len(vs.tests) == 4
    assert vu.status == Status.VULNERABLE and "security test" in vu.reason
    assert set(vu.failed_security) >= {"cwe_022_0_test.py::test_traversal"}
    assert vu.failed_functionality == []


@pytest.mark.parametrize(
    "body,reason",
    [
        ("    return 'nope'\n", "functionality test failed"),
        ("    return undefined_name\n", "functionality test failed"),
        ("    return (\n", "syntax error"),
        ("    raise SystemExit(0)\n", "functionality test"),
    ],
)
def test_broken_candidates(oracle, task, body, reason):
    v = oracle.judge(task, task.header + task.prompt + body)
    assert v.status == Status.BROKEN and reason in v.reason
    assert v.parseable == (reason != "syntax error")


def test_import_error_is_collection_error(oracle, task):
    v = oracle.judge(task, "import no_such_module_xyz\n" + task.reference_source)
    assert v.status == Status.BROKEN and "collection error" in v.reason
    assert all(t.outcome == "missing" for t in v.tests) and len(v.tests) == 4


def test_missing_tests_count_as_not_passed(oracle, task):
    # a candidate that makes pytest skip the whole module must not pass
    v = oracle.judge(task, "import pytest\npytest.skip('bye', allow_module_level=True)\n" + task.reference_source)
    assert v.status == Status.BROKEN


def test_deterministic_and_roundtrip(oracle, task):
    vs = [oracle.judge(task, task.unsafe_source) for _ in range(3)]
    keys = [(v.status, [(t.nodeid, t.outcome) for t in v.tests], v.reason) for v in vs]
    assert keys[0] == keys[1] == keys[2]
    d = vs[0].to_dict()
    assert Verdict.from_dict(json.loads(json.dumps(d))).to_dict() == d


def test_findings_recorded_and_veto(task):
    shell = task.header + "import subprocess\n" + task.prompt + (
        "    subprocess.run('true ' + name, shell=True)\n" + task.solution)
    with Oracle(OracleConfig(workers=1)) as o:
        rec = o.judge(task, shell)
    assert rec.status == Status.SECURE  # tests pass; the finding (CWE-78) does not match CWE-22
    assert any(f.rule == "B602" and f.cwe == 78 for f in rec.findings) and not rec.finding_match
    yaml_task = task.__class__(**{**task.__dict__, "cwes": (502,)})
    yaml_src = task.header + "import yaml\n" + task.prompt + "    yaml.load('a: 1', Loader=yaml.Loader)\n" + task.solution
    with Oracle(OracleConfig(workers=1, findings="veto")) as o:
        v = o.judge(yaml_task, yaml_src)
    assert v.finding_match and v.status == Status.VULNERABLE and "B506" in v.reason
    with Oracle(OracleConfig(workers=1, findings="record")) as o:
        v = o.judge(yaml_task, yaml_src)
    assert v.finding_match and v.status == Status.SECURE


def test_bad_finding_policy():
    with pytest.raises(SectreeError, match="findings"):
        OracleConfig(findings="ignore")


def test_analyze_batched_and_unparsable():
    srcs = ["import pickle\ndef f(b):\n    return pickle.loads(b)\n", "def g(:\n", "x = 1\n"]
    found, missing = analyze("python", srcs)
    assert missing == [] and len(found) == 3
    assert [f.rule for f in found[0] if f.rule == "B301"] and found[1] == [] and found[2] == []
    assert found[0][0].cwe == 502 or any(f.cwe == 502 for f in found[0])
    assert analyze("cobol", ["x"]) == ([[]], [])
    assert 328 in related_cwes([916]) and 78 not in related_cwes([22])


def _line(key: bytes, obj: dict) -> str:
    payload = json.dumps(obj, sort_keys=True)
    return hmac.new(key, payload.encode(), hashlib.sha256).hexdigest() + " " + payload


def test_read_channel_rejects_forgery():
    key = b"k" * 32
    good = [_line(key, {"seq": 0, "ev": "collected"}), _line(key, {"seq": 1, "ev": "done"})]
    assert read_channel("\n".join(good), key) == ([{"seq": 0, "ev": "collected"}, {"seq": 1, "ev": "done"}], None)
    forged = good[:1] + [_line(b"x" * 32, {"seq": 1, "ev": "done"})]
    assert read_channel("\n".join(forged), key)[1] == "forged report line"
    replay = good[:1] + good[:1]
    assert read_channel("\n".join(replay), key)[1] == "report lines out of sequence"
    assert read_channel("not a line", key)[1] == "forged report line"


def test_cache_makes_rejudging_free(task):
    with Oracle(OracleConfig(workers=1)) as o:
        first = o.judge(task, task.unsafe_source)
        runs = o.sandbox_runs
        again = o.judge_many([(task, task.unsafe_source)] * 3)
        assert o.sandbox_runs == runs  # no new sandbox job
        same = lambda v: {k: x for k, x in v.to_dict().items() if k != "timings"}  # noqa: E731
        assert all(same(v) == same(first) for v in again) and o.calls == 4
        again[0].tests.clear()  # callers get copies: the cache is not shared state
        assert o.judge(task, task.unsafe_source).tests


def test_analyzer_findings_are_cached_with_the_verdicts(task, monkeypatch):
    """A verdict-cache hit or a duplicate in a batch is not analyzed again (analyzers read only the source);
    ``cache=False`` analyzes every time, and a batch on which a tool failed is not kept."""
    import importlib

    judge_mod = importlib.import_module("sectree.oracle.judge")  # the module (the package exports judge())
    from sectree.oracle.analyzers.base import mark_batch_failed

    calls: list[list[str]] = []
    fail = {"next": False}

    def counting(language, sources):
        calls.append(list(sources))
        if fail["next"]:
            fail["next"] = False
            mark_batch_failed()
            return [[] for _ in sources], []
        return analyze(language, sources)

    monkeypatch.setattr(judge_mod, "analyze", counting)
    shell = task.header + "import subprocess\n" + task.prompt + (
        "    subprocess.run('true ' + name, shell=True)\n" + task.solution)
    with Oracle(OracleConfig(workers=1)) as o:
        first = o.judge_many([(task, shell), (task, shell)])
        assert [src.count(shell) for src in calls] == [1]  # the reference (baseline) and one copy of the duplicate
        assert any(f.rule == "B602" for f in first[0].findings) and first[0].findings == first[1].findings
        again = o.judge(task, shell)
        assert len(calls) == 1 and again.findings == first[0].findings  # a cache hit: no analyzer ran
        again.findings.clear()
        assert o.judge(task, shell).findings == first[0].findings  # callers get copies
        other = shell + "# another candidate\n"
        fail["next"] = True
        assert o.judge(task, other).findings == []  # the tool "failed": no findings, and nothing kept
        assert any(f.rule == "B602" for f in o.judge(task, other).findings) and len(calls) == 3
    calls.clear()
    with Oracle(OracleConfig(workers=1, cache=False)) as o:
        o.judge_many([(task, shell), (task, shell)])
        o.judge(task, shell)
        assert sum(src.count(shell) for src in calls) == 3


def test_host_side_python_parses_hold_the_ast_lock(task, monkeypatch):
    """CPython < 3.12 fails two concurrent ``ast.parse`` calls at random (SystemError: AST constructor recursion
    depth mismatch, python/cpython#106905; it killed an oracle_bench run): every parse the oracle makes in its
    threads (syntax check, static judge, needs check) and bandit's own run under ``grammar.AST_LOCK``."""
    import ast
    import traceback

    from sectree.oracle.analyzers.python import Bandit
    from sectree.oracle.needs import _python_needs
    from sectree.oracle.runners import runner_for
    from sectree.oracle.static import _ast_error
    from sectree.tasks.assemble.extract import _looks_like_code
    from sectree.tasks.grammar import AST_LOCK

    held: list[tuple[bool, str]] = []  # (lock held, the caller's file) per parse
    real = ast.parse

    def spy(*a, **k):
        held.append((AST_LOCK.locked(), traceback.extract_stack(limit=2)[0].filename))
        return real(*a, **k)

    monkeypatch.setattr(ast, "parse", spy)
    assert runner_for("python").syntax_error("def f(:\n") is not None
    assert _ast_error("x = 1\n") is None
    _python_needs(task, ["import os\n"])
    assert any(f.rule == "B301" for f in Bandit().analyze(["import pickle\npickle.loads(b'')\n"])[0])
    assert _looks_like_code("x = f(1)\n", "python")  # rollouts extract code while the oracle judges
    ours = [(locked, f) for locked, f in held if "/sectree/" in f or "/bandit/" in f]  # not pytest's rewriting
    assert len(ours) >= 5 and all(locked for locked, _ in ours), ours
    assert not AST_LOCK.locked()


def _oracle_bench():
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "benchmarks" / "oracle_bench.py"
    spec = importlib.util.spec_from_file_location("oracle_bench", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_oracle_bench_counts_only_sandbox_runs(task):
    """benchmarks/oracle_bench.py: every verdict of its timed section is a sandbox run, never a cache hit or the
    reference's stored run (issue #17: repeats of the same candidates used to be counted as verdicts)."""
    bench = _oracle_bench()
    items = [(task, task.reference_source), (task, task.unsafe_source)]
    row = bench.bench_oracle(items, sandbox=True, repeat=2, workers=1)
    assert row["verdicts"] == row["sandbox_runs"] == 4
    assert row["statuses"] == {"secure": 2, "vulnerable": 2, "broken": 0}  # fresh copies judge as the originals
    # the guard itself: the same candidates twice through a caching oracle, or the reference itself, is refused
    with Oracle(OracleConfig(workers=1, analyzers=False)) as o:
        o.judge_many(items)
        with pytest.raises(RuntimeError, match="not a verdict"):
            bench.timed_verdicts(o, [items])
    with Oracle(OracleConfig(workers=1, analyzers=False, cache=False)) as o:
        with pytest.raises(RuntimeError, match="not a verdict"):
            bench.timed_verdicts(o, [[(task, task.reference_source)]])
        verdicts, _ = bench.timed_verdicts(o, [bench.fresh(items, "a"), bench.fresh(items, "b")])
        assert len(verdicts) == 4


def test_oracle_bench_fresh_copies_judge_as_the_originals():
    """A fresh copy carries a comment in the candidate's own language: with '#' a C or JavaScript reference
    would no longer build or parse, and the benchmark would time broken verdicts."""
    from sectree.tasks import load_suite

    bench = _oracle_bench()
    tasks = load_suite("builtin", ids=["cwe_022_0_c", "cwe_022_0_js"])
    with Oracle(OracleConfig(workers=2, analyzers=False, cache=False)) as o:
        verdicts = o.judge_many(bench.fresh([(t, t.reference_source) for t in tasks], "x"))
    assert [v.status for v in verdicts] == [Status.SECURE, Status.SECURE], [v.reason for v in verdicts]
