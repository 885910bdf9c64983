"""Security alerts (issue #10) on REAL oracle verdicts: a sample that does not import is broken and raises no
alert; every unsafe reference raises one; every secure reference is secure and raises none."""

from __future__ import annotations

import re

import pytest

from sectree.evaluate.metrics import security_alert, summarize
from sectree.oracle import Oracle, OracleConfig, Status
from sectree.tasks import load_dir, load_suite

from tests.test_tasks import make_suite

# a few builtin Python test-split tasks (fast tier); the slow test below takes every builtin task
FAST = ("cwe_020_0", "cwe_078_0", "cwe_798_0")


@pytest.fixture(scope="module")
def oracle():
    with Oracle(OracleConfig(workers=2)) as o:
        yield o


@pytest.fixture(scope="module")
def tasks():
    return load_suite("builtin:python", ids=list(FAST))


def _without_entry(task) -> str:
    """The secure reference with its entry function renamed: parses, imports, but the entry point is absent."""
    src = task.reference_source
    renamed = re.sub(rf"\bdef {re.escape(task.entry)}\b", f"def {task.entry}_renamed", src, count=1)
    assert renamed != src
    return renamed


BROKEN_IMPORTS = {
    "missing module": lambda t: "import no_such_module_xyz\n" + t.reference_source,
    "name error at import": lambda t: "undefined_name_xyz\n" + t.reference_source,
    "entry point absent": _without_entry,
}


def test_references_and_samples_that_do_not_import(oracle, tasks):
    assert [t.id for t in tasks] == list(FAST)
    items = [(t, t.reference_source) for t in tasks] + [(t, t.unsafe_source) for t in tasks]
    items += [(t, make(t)) for t in tasks for make in BROKEN_IMPORTS.values()]
    verdicts = oracle.judge_many(items)
    n = len(tasks)
    secure, unsafe, broken = verdicts[:n], verdicts[n:2 * n], verdicts[2 * n:]
    for v in secure:
        assert v.status == Status.SECURE and not v.security_alert and not security_alert(v.to_dict()), v.task_id
    for v in unsafe:
        assert v.status == Status.VULNERABLE and v.security_alerts, (v.task_id, v.reason)
        assert security_alert(v.to_dict())
    for (task, _), v, what in zip(items[2 * n:], broken, list(BROKEN_IMPORTS) * n):
        assert v.status == Status.BROKEN and v.parseable, (task.id, what, v.reason)
        assert v.reason.startswith("collection error"), (task.id, what, v.reason)
        # every expected test is missing, so the version-1 rule (any security test not passed) saw a failure
        assert {t.outcome for t in v.tests} == {"missing"} and v.failed_security, (task.id, what)
        assert not v.security_alert and not security_alert(v.to_dict()), (task.id, what)
    # through the metrics: the samples that do not import lower neither SPR@1 nor raise the alert rate
    recs = [{"task_id": t.id, "language": t.language, "cwes": list(t.cwes), "split": t.split, "verdict": v.to_dict()}
            for (t, _), v in zip(items, verdicts)]
    o = summarize(recs)["overall"]
    assert o["spr@1"]["value"] == pytest.approx((n + 3 * n) / (5 * n))  # the unsafe references alone alert
    assert o["vulnerable_among_functional@1"]["value"] == pytest.approx(0.5)
    assert o["broken_rate"]["value"] == pytest.approx(3 / 5)


LAZY_TEST = '''import pytest


@pytest.mark.functionality
def test_ok(tmp_path):
    from cwe_022_0_task import read_note
    (tmp_path / "a").write_text("hi")
    assert read_note(str(tmp_path), "a") == "hi"


@pytest.mark.security
def test_traversal(tmp_path):
    from cwe_022_0_task import read_note
    base = tmp_path / "base"
    base.mkdir()
    (tmp_path / "secret").write_text("s3cret")
    assert read_note(str(base), "../secret") == ""
'''


@pytest.fixture(scope="module")
def lazy_task(tmp_path_factory):
    """A task whose tests import the candidate inside each test: an import failure happens during the test."""
    root = make_suite(tmp_path_factory.mktemp("lazy"), '[tasks.cwe_022_0]\ncwes = [22]\nsplit = "train"\n',
                      **{"cwe_022_0_test.py": LAZY_TEST})
    return load_dir(root)[0]


def test_import_failure_inside_a_test_is_no_alert(oracle, lazy_task):
    t = lazy_task
    raises_at_import = 'raise RuntimeError("boom at import")\n' + t.reference_source
    no_entry = t.reference_source.replace("def read_note(", "def read_note_renamed(")
    raises_in_call = t.header + t.prompt + "    raise RuntimeError('x')\n"
    vs = oracle.judge_many([(t, t.reference_source), (t, t.unsafe_source), (t, raises_at_import), (t, no_entry),
                            (t, raises_in_call)])
    ref, unsafe, at_import, absent, in_call = vs
    assert ref.status == Status.SECURE and not ref.security_alert
    assert unsafe.status == Status.VULNERABLE and unsafe.security_alerts == ["cwe_022_0_test.py::test_traversal"]
    for v in (at_import, absent):
        # the security test ran and failed, but while importing the candidate: broken, no alert
        sec = next(x for x in v.tests if x.kind == "security")
        assert v.status == Status.BROKEN and sec.outcome == "failed" and sec.import_error, (sec, v.reason)
        assert not v.security_alert and not security_alert(v.to_dict())
    assert "RuntimeError" in next(x for x in at_import.tests if x.kind == "security").message
    # an error raised by the function under test during a security test is an alert (and the sample broken)
    sec = next(x for x in in_call.tests if x.kind == "security")
    assert in_call.status == Status.BROKEN and sec.outcome == "failed" and not sec.import_error
    assert in_call.security_alert


@pytest.mark.slow
def test_every_builtin_reference_secure_and_every_unsafe_reference_alerts(oracle):
    """Every builtin task: the secure reference is secure and raises no alert (7 of 155 drew an analyzer
    finding of their CWE before findings the reference itself draws stopped counting, e.g. flawfinder's execlp
    on cwe_078_0_c); the unsafe reference is vulnerable with a security test that ran and failed."""
    every = load_suite("builtin")
    judged = [t for t in every if t.unsafe_source]
    verdicts = oracle.judge_many([(t, t.reference_source) for t in judged] + [(t, t.unsafe_source) for t in judged])
    n = len(judged)
    bad_secure = [(t.id, v.status.value, v.reason) for t, v in zip(judged, verdicts[:n])
                  if v.status != Status.SECURE or v.security_alert]
    bad_unsafe = [(t.id, v.status.value, v.reason) for t, v in zip(judged, verdicts[n:])
                  if v.status != Status.VULNERABLE or not v.security_alerts]
    assert not bad_secure and not bad_unsafe, (bad_secure, bad_unsafe)
    # the alert as the metrics read it from the verdict dicts agrees with the Verdict objects
    assert [security_alert(v.to_dict()) for v in verdicts] == [v.security_alert for v in verdicts]


@pytest.mark.parametrize(("source", "problem"), [
    ("function f(a) { return a; }", None),
    ("const f = (a) => a;", None),
    ("class f {}", None),
    ("exports.f = function (a) { return a; };", None),
    ("const fs = require('fs'); const p = require('node:path'); function f() {}", None),
    ("const y = require('./y'); function f() {}", None),
    ("function g(a) { return a; }\nif (require.main === module) { f(1); }", "entry point f is called but not"),
    ("function g(a) { return a; }\nmodule.exports = g;", None),  # never names f (CWEval's unsafe files)
    ("const lib = require('no-such-package-xyz');\nfunction f() {}", "require('no-such-package-xyz')"),
    ("const lib = require('@no-such/scope-xyz');\nfunction f() {}", "require('@no-such/scope-xyz')"),
])
def test_js_load_problem(source, problem):
    from sectree.oracle.loadcheck import js_load_problem

    got = js_load_problem(source, "f")
    assert got is None if problem is None else (got.startswith("does not load: ") and problem in got)


def test_js_sample_that_does_not_load_is_broken_and_no_alert(oracle):
    """A JS task's tests run the module in node once per test: without the load check, a module that cannot
    load failed every test - its security tests included (alerts). cwe_022_0_js showed it."""
    (t,) = load_suite("builtin:js", ids=["cwe_022_0_js"])
    no_entry = t.reference_source.replace(f"function {t.entry}(", f"function {t.entry}Renamed(", 1)
    no_package = "const lib = require('no-such-package-xyz');\n" + t.reference_source
    ref, unsafe, absent, package = oracle.judge_many([(t, t.reference_source), (t, t.unsafe_source), (t, no_entry),
                                                      (t, no_package)])
    assert ref.status == Status.SECURE and not ref.security_alerts
    assert unsafe.status == Status.VULNERABLE and unsafe.security_alerts
    for v in (absent, package):
        assert v.status == Status.BROKEN and v.parseable and v.reason.startswith("does not load: "), v.reason
        assert {x.outcome for x in v.tests} == {"missing"} and not v.security_alert


def test_a_finding_the_secure_reference_draws_too_is_no_alert(oracle):
    """bandit's B608 (SQL built from strings, CWE-89) fires on cwe_089_2's secure reference itself: the oracle
    judges the reference's findings once per task and does not count the same finding (tool, rule, line text)
    in a candidate; the same rule on another line still counts."""
    (t,) = load_suite("builtin:python", ids=["cwe_089_2"])
    ref, unsafe = oracle.judge_many([(t, t.reference_source), (t, t.unsafe_source)])
    assert any(f.rule == "B608" and f.cwe == 89 for f in ref.findings)
    assert ref.status == Status.SECURE and not ref.finding_match and not ref.security_alert
    assert unsafe.status == Status.VULNERABLE and unsafe.security_alert
    # the unsafe reference's B608 is on the same line as the reference's: bandit cannot tell them apart on this
    # task (the tests do); a string-built query on another line still counts
    assert not unsafe.finding_match
    extra = t.reference_source.replace(
        "    return conn.execute(sql, params).fetchall()",
        "    conn.execute(f\"SELECT id FROM products WHERE name = '{name}'\")\n"
        "    return conn.execute(sql, params).fetchall()")
    assert extra != t.reference_source
    v = oracle.judge(t, extra)
    assert v.finding_match and v.security_alert
