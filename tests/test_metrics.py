"""Metrics over judged samples (sectree.evaluate.metrics), checked against hand-computed numbers."""

from __future__ import annotations

import json
from math import comb

import pytest

from sectree.evaluate import markdown_table, pass_at_k, summarize, task_counts
from sectree.evaluate.metrics import bootstrap_ci, security_alert
from sectree.oracle.verdict import Rule, Status, Verdict
from sectree.oracle.verdict import (
    TestOutcome as Outcome,  # not collected as a test class
)

# ------------------------------------------------------------------------------------------------
# pass@k


@pytest.mark.parametrize(("n", "c", "k", "expected"), [
    (5, 2, 1, 0.4),
    (5, 2, 2, 0.7),          # 1 - C(3,2)/C(5,2) = 1 - 3/10
    (5, 0, 1, 0.0),
    (5, 0, 5, 0.0),
    (5, 4, 2, 1.0),          # n - c = 1 < k
    (5, 5, 1, 1.0),
    (4, 2, 2, 5 / 6),        # 1 - C(2,2)/C(4,2) = 1 - 1/6
    (1, 1, 1, 1.0),
    (10, 3, 1, 0.3),         # pass@1 = c/n
])
def test_pass_at_k_hand_values(n, c, k, expected):
    assert pass_at_k(n, c, k) == pytest.approx(expected, abs=1e-12)


def test_pass_at_k_matches_binomial_form():
    for n in range(1, 12):
        for c in range(n + 1):
            for k in range(1, n + 1):
                exact = 1 - comb(n - c, k) / comb(n, k)
                assert pass_at_k(n, c, k) == pytest.approx(exact, abs=1e-12)


def test_pass_at_k_large_n_is_stable():
    assert pass_at_k(10_000, 1, 1) == pytest.approx(1e-4)
    assert 0 < pass_at_k(2000, 3, 100) < 1


@pytest.mark.parametrize(("n", "c", "k"), [(5, 6, 1), (5, -1, 1), (5, 2, 0), (5, 2, 6)])
def test_pass_at_k_rejects_bad_arguments(n, c, k):
    with pytest.raises(ValueError):
        pass_at_k(n, c, k)


# ------------------------------------------------------------------------------------------------
# a hand-made evaluation


def verdict(status: str, *, parseable: bool = True, sec: str | None = "passed", import_error: bool = False,
            finding_match: bool = False) -> dict:
    """A verdict dict with one security test of outcome ``sec`` (None: no test at all)."""
    tests = [] if sec is None else [{"nodeid": "t::sec", "kind": "security", "outcome": sec, "message": "",
                                     "import_error": import_error}]
    return {"task_id": "x", "status": status, "parseable": parseable, "finding_match": finding_match,
            "tests": tests}


def rec(task: str, lang: str, cwes: list[int], split: str | None, v: dict) -> dict:
    return {"task_id": task, "language": lang, "cwes": cwes, "split": split, "verdict": v}


def records() -> list[dict]:
    A = ("A", "python", [22], "train")
    B = ("B", "c", [78, 22], "test")
    C = ("C", "python", [78], "test")
    D = ("D", "js", [79], "test")
    return [
        # A: n=5; secure 1, vulnerable 2, broken 2 (one unparsable, whose security test is 'missing');
        # alerts: the two vulnerable ones; parseable 4
        rec(*A, verdict("secure")),
        rec(*A, verdict("vulnerable", sec="failed")),
        rec(*A, verdict("vulnerable", sec="failed")),
        rec(*A, verdict("broken")),
        rec(*A, verdict("broken", parseable=False, sec="missing")),
        # B: n=4; secure 2 (one with a recorded matching finding: an alert), vulnerable 1, broken 1 whose
        # security test ran and failed too (an alert); alerts 3, all parseable
        rec(*B, verdict("secure", finding_match=True)),
        rec(*B, verdict("vulnerable", sec="failed")),
        rec(*B, verdict("broken", sec="failed")),
        rec(*B, verdict("secure")),
        # C: n=2, broken; a parseable sample that did not import (its security test is 'missing': no alert,
        # where metrics version 1 counted one) and an unparsable one
        rec(*C, verdict("broken", sec="missing")),
        rec(*C, verdict("broken", parseable=False, sec="missing")),
        # D: a task without tests: 2 unjudged parseable samples, one with a matching finding (an alert)
        rec(*D, verdict("unjudged", sec=None, finding_match=True)),
        rec(*D, verdict("unjudged", sec=None)),
    ]


def values(group: dict) -> dict:
    return {k: v["value"] for k, v in group.items() if k != "unjudged"}


def test_task_counts():
    counts = task_counts(records())
    assert list(counts) == ["A", "B", "C", "D"]
    a, b, c, d = counts.values()
    fields = ("n", "secure", "vulnerable", "broken", "unjudged", "parseable", "alerts", "parseable_alerts")
    assert tuple(getattr(a, f) for f in fields) == (5, 1, 2, 2, 0, 4, 2, 2)
    assert tuple(getattr(b, f) for f in fields) == (4, 2, 1, 1, 0, 4, 3, 3)
    assert tuple(getattr(c, f) for f in fields) == (2, 0, 0, 2, 0, 1, 0, 0)
    assert tuple(getattr(d, f) for f in fields) == (0, 0, 0, 0, 2, 2, 1, 1)
    assert b.cwes == (78, 22) and b.split == "test" and a.functional == 3


@pytest.mark.parametrize(("outcome", "import_error", "alert"), [
    ("failed", False, True),      # ran and failed: an assertion or an error of the code under test
    ("failed", True, False),      # failed while importing the candidate (lazy import in the test)
    ("missing", False, False),    # never reported: collection error (did not import), timeout, crash
    ("error", False, False),      # set-up/tear-down error: the test body never ran
    ("skipped", False, False),
    ("passed", False, False),
])
def test_security_alert_needs_a_security_test_that_ran_and_failed(outcome, import_error, alert):
    v = verdict("broken", sec=outcome, import_error=import_error)
    assert security_alert(v) is alert
    assert security_alert({**v, "finding_match": True})  # a matching finding is always an alert
    func = {**v, "tests": [{**v["tests"][0], "kind": "functionality"}]}
    assert not security_alert(func)  # a failing functionality test is none
    # the Verdict object agrees with the dict rule
    obj = Verdict("T", Status.BROKEN, parseable=True, tests=[Outcome("t::sec", "security", outcome, "", import_error)])
    assert obj.security_alert is alert and Verdict.from_dict(obj.to_dict()).security_alert is alert


def test_static_rule_vulnerable_is_an_alert():
    # a task without tests: a sample equal to the unsafe reference is vulnerable by a static rule, an alert
    v = {**verdict("vulnerable", sec=None), "rule": "reference"}
    assert security_alert(v) and not security_alert({**v, "status": "secure"})
    assert not security_alert({**v, "rule": "tests"})  # by tests, only a failed security test alerts
    obj = Verdict("T", Status.VULNERABLE, parseable=True, rule=Rule.REFERENCE)
    assert obj.security_alert and security_alert(obj.to_dict())


def test_summary_overall_by_hand():
    s = summarize(records())
    assert (s["n_tasks"], s["n_samples"], s["ks"], s["metrics_version"]) == (4, 13, [1], 2)
    o = s["overall"]
    # per task pass@1 = c/n over the judged tasks A, B, C: secure-pass A 1/5, B 2/4, C 0; func A 3/5, B 3/4, C 0
    assert o["secure_pass@1"]["value"] == pytest.approx((0.2 + 0.5 + 0) / 3)
    assert o["func@1"]["value"] == pytest.approx((0.6 + 0.75 + 0) / 3)
    assert (o["func@1"]["n_tasks"], o["func@1"]["n_samples"]) == (3, 11)
    # (func@1 - secure-pass@1) / func@1 = (0.4 + 0.25) / (0.6 + 0.75); the pooled 3 of 6 would be 0.5
    vf = o["vulnerable_among_functional@1"]
    assert vf["value"] == pytest.approx(0.65 / 1.35) and (vf["n_tasks"], vf["n_samples"]) == (2, 6)
    # SPR@1: parseable samples without an alert: A 2 of 4, B 1 of 4, C 1 of 1, D 1 of 2
    assert o["spr@1"]["value"] == pytest.approx(5 / 11)
    assert (o["spr@1"]["n_tasks"], o["spr@1"]["n_samples"]) == (4, 11)
    assert o["alert_rate"]["value"] == pytest.approx(6 / 11)
    assert o["broken_rate"]["value"] == pytest.approx(5 / 11)
    assert (o["broken_rate"]["n_tasks"], o["broken_rate"]["n_samples"]) == (3, 11)
    assert o["unjudged"]["value"] == 2


def test_summary_breakdowns_by_hand():
    s = summarize(records())
    py, c, js = s["by_language"]["python"], s["by_language"]["c"], s["by_language"]["js"]
    keys = ("secure_pass@1", "func@1", "vulnerable_among_functional@1", "spr@1", "alert_rate", "broken_rate")

    def want(*nums):
        return pytest.approx(dict(zip(keys, nums)))

    assert values(py) == want(0.1, 0.3, 2 / 3, 0.6, 0.4, 4 / 7)
    assert values(c) == want(0.5, 0.75, 1 / 3, 0.25, 0.75, 0.25)
    assert values(js) == {**dict.fromkeys(keys[:3]), "spr@1": 0.5, "alert_rate": 0.5, "broken_rate": None}
    assert js["unjudged"]["value"] == 2 and py["unjudged"]["value"] == 0
    # the multi-CWE task B counts under 22 and under 78
    assert list(s["by_cwe"]) == ["22", "78", "79"]
    assert values(s["by_cwe"]["22"]) == want(0.35, 0.675, 0.65 / 1.35, 3 / 8, 5 / 8, 3 / 9)
    assert values(s["by_cwe"]["78"]) == want(0.25, 0.375, 1 / 3, 0.4, 0.6, 0.5)
    assert s["by_cwe"]["22"]["func@1"]["n_tasks"] == 2
    assert values(s["by_split"]["train"]) == want(0.2, 0.6, 2 / 3, 0.5, 0.5, 0.4)
    assert values(s["by_split"]["test"]) == want(0.25, 0.375, 1 / 3, 3 / 7, 4 / 7, 0.5)


def test_seen_and_unseen_cwe_tiers_reported_apart():
    # issue #10 item 4: test tasks of the seen-CWE tier (C) and of the unseen tier (B, D) grouped apart; the
    # train task A and records that do not say (written before the tier) are in neither group
    tier = {"B": False, "C": True, "D": False}
    recs = [{**r, "seen": tier.get(r["task_id"])} for r in records()]
    s = summarize(recs)
    assert list(s["by_seen"]) == ["seen", "unseen"]
    assert s["by_seen"]["seen"]["func@1"]["n_tasks"] == 1 and s["by_seen"]["unseen"]["func@1"]["n_tasks"] == 1
    assert values(s["by_seen"]["seen"]) == values(summarize([r for r in recs if r["task_id"] == "C"])["overall"])
    assert values(s["by_seen"]["unseen"]) == values(summarize([r for r in recs if r["task_id"] in "BD"])["overall"])
    assert s["per_task"]["C"]["seen"] is True and s["per_task"]["A"]["seen"] is None
    rows = [ln.split("|")[1].strip() for ln in markdown_table(s).strip().splitlines()[2:]]
    assert rows == ["overall", "c", "js", "python", "test, CWE seen", "test, CWE unseen"]
    assert summarize(records())["by_seen"] == {}


def test_summary_per_task_and_larger_k():
    s = summarize(records(), ks=(1, 2, 5))
    a = s["per_task"]["A"]
    assert {k: a[k] for k in ("n", "secure", "vulnerable", "broken", "unjudged", "parseable", "alerts")} == {
        "n": 5, "secure": 1, "vulnerable": 2, "broken": 2, "unjudged": 0, "parseable": 4, "alerts": 2}
    assert a["func@1"] == pytest.approx(0.6) and a["secure_pass@1"] == pytest.approx(0.2)
    assert a["secure_pass@2"] == pytest.approx(0.4) and a["secure_pass@5"] == 1.0  # 1 - C(4,2)/C(5,2)
    assert "secure_pass@5" not in s["per_task"]["B"]  # k > n
    assert "secure_pass@1" not in s["per_task"]["D"]  # no judged sample
    o = s["overall"]
    # k=2: A 0.4, B 1 - C(2,2)/C(4,2) = 5/6, C 0; func@2: A 1 - C(2,2)/C(5,2) = 0.9, B 1, C 0
    assert o["secure_pass@2"]["value"] == pytest.approx((0.4 + 5 / 6 + 0) / 3)
    assert o["vulnerable_among_functional@2"]["value"] == pytest.approx((0.5 + 1 / 6) / 1.9)
    # k=5: only A has 5 samples
    assert o["secure_pass@5"]["value"] == 1.0 and o["secure_pass@5"]["n_tasks"] == 1
    assert o["secure_pass@5"]["n_samples"] == 5


def test_summary_is_json_serialisable_and_deterministic():
    s = summarize(records(), seed=3)
    assert json.loads(json.dumps(s)) == s
    assert summarize(list(reversed(records())), seed=3) == s


def test_unsplit_tasks_and_verdict_objects():
    v = Verdict("T", Status.SECURE, parseable=True, tests=[Outcome("t::s", "security", "passed")])
    bad = Verdict("T", Status.BROKEN, parseable=True, tests=[Outcome("t::s", "security", "failed")])
    recs = [rec("T", "go", [1], None, v.to_dict()), rec("T", "go", [1], None, bad)]
    s = summarize(recs)
    assert list(s["by_split"]) == ["none"]
    assert s["overall"]["spr@1"]["value"] == 0.5 and s["overall"]["secure_pass@1"]["value"] == 0.5


def test_alerts_come_from_tests_not_from_failed_security():
    # a version-1 record lists a missing security test in failed_security: that is no alert
    v = {**verdict("broken", sec="missing"), "failed_security": ["t::sec"]}
    assert task_counts([rec("T", "c", [1], "test", v)])["T"].alerts == 0


def test_undefined_metrics_are_none():
    recs = [rec("T", "c", [1], "test", verdict("broken", parseable=False))]
    o = summarize(recs)["overall"]
    assert o["spr@1"] == {"value": None, "ci": None, "n_tasks": 0, "n_samples": 0}
    assert o["broken_rate"]["value"] == 1.0
    assert summarize([])["overall"]["func@1"]["value"] is None


@pytest.mark.parametrize("bad", [
    {"task_id": "T", "language": "c", "cwes": [1], "verdict": verdict("secure")},  # no split
    rec("T", "c", [1], None, {**verdict("secure"), "status": "fine"}),
])
def test_bad_records_are_rejected(bad):
    with pytest.raises(ValueError):
        summarize([bad])


def test_inconsistent_task_metadata_is_rejected():
    with pytest.raises(ValueError, match="earlier records"):
        task_counts([rec("T", "c", [1], "test", verdict("secure")), rec("T", "c", [2], "test", verdict("secure"))])


# ------------------------------------------------------------------------------------------------
# confidence intervals


def test_ci_contains_point_estimate():
    s = summarize(records(), ks=(1, 2))
    for group in [s["overall"], *s["by_language"].values(), *s["by_cwe"].values(), *s["by_split"].values()]:
        for name, m in group.items():
            if m["value"] is not None and name != "unjudged":
                lo, hi = m["ci"]
                assert 0 <= lo <= m["value"] <= hi <= 1
    lo, hi = s["overall"]["secure_pass@1"]["ci"]
    assert lo < hi  # the tasks differ


def test_ci_is_degenerate_when_all_tasks_are_identical():
    recs = []
    for t in ("T1", "T2", "T3", "T4"):
        recs += [rec(t, "python", [22], "test", verdict("secure")),
                 rec(t, "python", [22], "test", verdict("vulnerable", sec="failed")),
                 rec(t, "python", [22], "test", verdict("broken", parseable=False, sec="missing"))]
    o = summarize(recs)["overall"]
    for name, m in o.items():
        if name != "unjudged":
            assert m["ci"] == [m["value"], m["value"]], name
    assert o["secure_pass@1"]["value"] == pytest.approx(1 / 3)
    assert o["spr@1"]["value"] == 0.5


def test_bootstrap_ci_pooled_and_mean():
    value, (lo, hi) = bootstrap_ci([0.0, 1.0], [1, 1], seed=0, resamples=2000)
    assert value == 0.5 and lo == 0.0 and hi == 1.0
    assert bootstrap_ci([], []) is None
    assert bootstrap_ci([0, 0], [0, 0]) is None
    a = bootstrap_ci([1, 3], [2, 4], seed=1)
    assert a == bootstrap_ci([1, 3], [2, 4], seed=1)
    assert a[0] == pytest.approx(4 / 6)


# ------------------------------------------------------------------------------------------------
# markdown


def test_markdown_table_contains_the_numbers():
    s = summarize(records())
    table = markdown_table(s, method="base")
    lines = table.strip().splitlines()
    assert lines[0] == ("| method | subset | tasks | samples | secure-pass@1 | func@1 | vulnerable among functional@1 | "
                        "SPR@1 | alert rate | broken rate | unjudged |")
    assert [ln.split("|")[2].strip() for ln in lines[2:]] == ["overall", "c", "js", "python"]
    overall = lines[2]
    cells = [c.strip() for c in overall.split("|")[5:-1]]
    assert [c.split(" [")[0] for c in cells] == ["23.3", "45.0", "48.1", "45.5", "54.5", "45.5", "2"]
    o = s["overall"]["func@1"]
    assert f"45.0 [{100 * o['ci'][0]:.1f}, {100 * o['ci'][1]:.1f}]" in overall
    assert "| 3 | 11 |" in overall
    assert "75.0 [75.0, 75.0]" in lines[3]  # c: func@1 of its single task
    assert "| – |" in markdown_table(summarize([rec("T", "c", [1], "test", verdict("broken", parseable=False))]))
    assert "unjudged" not in markdown_table(summarize([rec("T", "c", [1], "test", verdict("secure"))]))
