"""Metrics over judged samples (sectree.evaluate.metrics), checked against hand-computed numbers."""

from __future__ import annotations

import json
from math import comb

import pytest

from sectree.evaluate import markdown_table, pass_at_k, summarize, task_counts
from sectree.evaluate.metrics import bootstrap_ci
from sectree.oracle.verdict import Status, Verdict
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


def verdict(status: str, *, parseable: bool = True, failed_security: list[str] | None = None,
            finding_match: bool = False) -> dict:
    return {"task_id": "x", "status": status, "parseable": parseable, "finding_match": finding_match,
            "failed_security": failed_security or [], "tests": []}


def rec(task: str, lang: str, cwes: list[int], split: str | None, v: dict) -> dict:
    return {"task_id": task, "language": lang, "cwes": cwes, "split": split, "verdict": v}


def records() -> list[dict]:
    A = ("A", "python", [22], "train")
    B = ("B", "c", [78, 22], "test")
    C = ("C", "python", [78], "test")
    return [
        # A: n=5; secure 2, vulnerable 1, broken 2 (one unparsable); security failures: the vulnerable one and
        # the unparsable one (its security tests are 'missing'); parseable 4 of which 1 with a failure
        rec(*A, verdict("secure")),
        rec(*A, verdict("secure")),
        rec(*A, verdict("vulnerable", failed_security=["t::sec"])),
        rec(*A, verdict("broken")),
        rec(*A, verdict("broken", parseable=False, failed_security=["t::sec"])),
        # B: n=4; secure 2 (one with a recorded matching finding), vulnerable 1, broken 1 that also fails a
        # security test; security failures 3, all parseable
        rec(*B, verdict("secure", finding_match=True)),
        rec(*B, verdict("vulnerable", failed_security=["t::sec"])),
        rec(*B, verdict("broken", failed_security=["t::sec"])),
        rec(*B, verdict("secure")),
        # C: n=2, both unparsable
        rec(*C, verdict("broken", parseable=False, failed_security=["t::sec"])),
        rec(*C, verdict("broken", parseable=False, failed_security=["t::sec"])),
    ]


def values(group: dict) -> dict:
    return {k: v["value"] for k, v in group.items()}


def test_task_counts():
    counts = task_counts(records())
    assert list(counts) == ["A", "B", "C"]
    a, b, c = counts.values()
    assert (a.n, a.secure, a.vulnerable, a.broken, a.parseable, a.security_failures, a.parseable_failures) == (5, 2, 1, 2, 4, 2, 1)
    assert (b.n, b.secure, b.vulnerable, b.broken, b.parseable, b.security_failures, b.parseable_failures) == (4, 2, 1, 1, 4, 3, 3)
    assert (c.n, c.secure, c.vulnerable, c.broken, c.parseable, c.security_failures, c.parseable_failures) == (2, 0, 0, 2, 0, 2, 0)
    assert b.cwes == (78, 22) and b.split == "test"


def test_summary_overall_by_hand():
    s = summarize(records())
    assert (s["n_tasks"], s["n_samples"], s["ks"]) == (3, 11, [1])
    o = s["overall"]
    # per task pass@1 = c/n: secure-pass A 2/5, B 2/4, C 0; func A 3/5, B 3/4, C 0; secure A 3/5, B 1/4, C 0
    assert o["secure_pass@1"]["value"] == pytest.approx((0.4 + 0.5 + 0) / 3)
    assert o["func@1"]["value"] == pytest.approx((0.6 + 0.75 + 0) / 3)
    assert o["secure@1"]["value"] == pytest.approx((0.6 + 0.25 + 0) / 3)
    # SPR@1: parseable samples without a security failure: A 3 of 4, B 1 of 4; C has no parseable sample
    assert o["spr@1"]["value"] == pytest.approx(4 / 8)
    assert (o["spr@1"]["n_tasks"], o["spr@1"]["n_samples"]) == (2, 8)
    assert o["vulnerable_rate"]["value"] == pytest.approx(4 / 8)
    assert o["broken_rate"]["value"] == pytest.approx(5 / 11)
    assert (o["broken_rate"]["n_tasks"], o["broken_rate"]["n_samples"]) == (3, 11)
    assert (o["func@1"]["n_tasks"], o["func@1"]["n_samples"]) == (3, 11)


def test_summary_breakdowns_by_hand():
    s = summarize(records())
    py, c = s["by_language"]["python"], s["by_language"]["c"]
    assert values(py) == pytest.approx({"secure_pass@1": 0.2, "func@1": 0.3, "secure@1": 0.3, "spr@1": 0.75,
                                        "vulnerable_rate": 0.25, "broken_rate": 4 / 7})
    assert values(c) == pytest.approx({"secure_pass@1": 0.5, "func@1": 0.75, "secure@1": 0.25, "spr@1": 0.25,
                                       "vulnerable_rate": 0.75, "broken_rate": 0.25})
    # the multi-CWE task B counts under 22 and under 78
    assert list(s["by_cwe"]) == ["22", "78"]
    assert values(s["by_cwe"]["22"]) == pytest.approx({"secure_pass@1": 0.45, "func@1": 0.675, "secure@1": 0.425,
                                                       "spr@1": 0.5, "vulnerable_rate": 0.5, "broken_rate": 3 / 9})
    assert values(s["by_cwe"]["78"]) == pytest.approx({"secure_pass@1": 0.25, "func@1": 0.375, "secure@1": 0.125,
                                                       "spr@1": 0.25, "vulnerable_rate": 0.75, "broken_rate": 0.5})
    assert s["by_cwe"]["22"]["func@1"]["n_tasks"] == 2
    assert values(s["by_split"]["train"]) == pytest.approx({"secure_pass@1": 0.4, "func@1": 0.6, "secure@1": 0.6,
                                                            "spr@1": 0.75, "vulnerable_rate": 0.25, "broken_rate": 0.4})
    assert values(s["by_split"]["test"]) == pytest.approx({"secure_pass@1": 0.25, "func@1": 0.375, "secure@1": 0.125,
                                                           "spr@1": 0.25, "vulnerable_rate": 0.75, "broken_rate": 0.5})


def test_summary_per_task_and_larger_k():
    s = summarize(records(), ks=(1, 2, 5))
    a = s["per_task"]["A"]
    assert {k: a[k] for k in ("n", "secure", "vulnerable", "broken", "parseable", "security_failures")} == {
        "n": 5, "secure": 2, "vulnerable": 1, "broken": 2, "parseable": 4, "security_failures": 2}
    assert a["func@1"] == pytest.approx(0.6) and a["secure_pass@1"] == pytest.approx(0.4)
    assert a["secure_pass@2"] == pytest.approx(0.7) and a["secure_pass@5"] == 1.0
    assert "secure_pass@5" not in s["per_task"]["B"]  # k > n
    o = s["overall"]
    # k=2: A 0.7, B 1 - C(2,2)/C(4,2) = 5/6, C 0
    assert o["secure_pass@2"]["value"] == pytest.approx((0.7 + 5 / 6 + 0) / 3)
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


def test_failed_security_derived_from_tests_when_absent():
    v = verdict("broken")
    del v["failed_security"]
    v["tests"] = [{"nodeid": "t::s", "kind": "security", "outcome": "error", "message": ""}]
    assert task_counts([rec("T", "c", [1], "test", v)])["T"].security_failures == 1


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
        for m in group.values():
            if m["value"] is not None:
                lo, hi = m["ci"]
                assert 0 <= lo <= m["value"] <= hi <= 1
    lo, hi = s["overall"]["secure_pass@1"]["ci"]
    assert lo < hi  # the tasks differ


def test_ci_is_degenerate_when_all_tasks_are_identical():
    recs = []
    for t in ("T1", "T2", "T3", "T4"):
        recs += [rec(t, "python", [22], "test", verdict("secure")),
                 rec(t, "python", [22], "test", verdict("vulnerable", failed_security=["s"])),
                 rec(t, "python", [22], "test", verdict("broken", parseable=False, failed_security=["s"]))]
    o = summarize(recs)["overall"]
    for name, m in o.items():
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
    assert lines[0] == ("| method | subset | tasks | samples | secure-pass@1 | func@1 | secure@1 | SPR@1 | "
                        "vulnerable rate | broken rate |")
    assert [ln.split("|")[2].strip() for ln in lines[2:]] == ["overall", "c", "python"]
    overall = lines[2]
    for number in ("30.0 [", "45.0 [", "28.3 [", "50.0 [", "45.5 ["):
        assert number in overall
    o = s["overall"]["func@1"]
    assert f"45.0 [{100 * o['ci'][0]:.1f}, {100 * o['ci'][1]:.1f}]" in overall
    assert "| 3 | 11 |" in overall
    assert "75.0 [75.0, 75.0]" in lines[3]  # c: func@1 of its single task
    assert "| – |" in markdown_table(summarize([rec("T", "c", [1], "test", verdict("broken", parseable=False))]))
    assert markdown_table(s).startswith("| subset |")
