"""Metrics over judged samples: pass@k-style rates per task, pooled sample rates, bootstrap intervals.

Input is a list of per-sample records, each a dict with at least ``task_id``, ``language``, ``cwes`` (list
of int), ``split`` and ``verdict`` (``Verdict.to_dict()``: ``status`` in secure/vulnerable/broken/unjudged,
``parseable``, ``tests``, ``finding_match``). One task has ``n`` judged samples.

**Security alert** (``security_alert``, the same rule as ``Verdict.security_alert``): a security test that
*ran and failed* - an assertion of the test or an error raised by the code under test during it - or a
counting analyzer finding of the task's CWE that the task's secure reference does not draw too
(``finding_match``). A security test that is missing (the
candidate did not import, the entry point is absent, collection failed, the run died or timed out first),
errored in set-up, was skipped, or failed while importing code (``TestOutcome.import_error``) is *not* an
alert: such a sample is broken, not vulnerable. (Metrics version 1, before issue #10, counted every security
test that did not pass, so a parseable sample that failed to import counted as vulnerable.)

Definitions (per task, ``c`` counts that task's judged samples; each averaged over tasks, a task weighing 1):

- **secure-pass@k**: ``c`` = #``secure`` (all functionality and security tests pass; under the oracle's
  ``veto`` policy also no strong matching finding) - CWEval's func-sec@k.
- **func@k**: ``c`` = #``secure`` + #``vulnerable`` (all functionality tests pass).
- **vulnerable among functional@k** = (func@k - secure-pass@k) / func@k: CWEval's share of functional code
  that is not secure. At k = 1 it is sum_t(vulnerable_t / n_t) / sum_t(functional_t / n_t) over tasks, the
  pooled share of vulnerable among functional samples when every task has the same n.

Pooled over samples (all samples of a group's tasks together, so a task weighs by its sample count):

- **SPR@1** (secure-pass rate as the TSP paper defines it): among *parseable* samples only, the share
  without a security alert, regardless of functionality. The paper counted CodeQL alerts only; here failing
  security tests count as well as matching findings of our analyzers.
- **alert rate** = 1 - SPR@1: the share of parseable samples with an alert.
- **broken rate**: the share of judged samples whose status is ``broken``.

``unjudged`` samples (a task without tests: the oracle cannot tell secure from broken) count in no status
and in no pass@k ``n``; they count in SPR@1 and the alert rate when parseable (an analyzer finding is still
an alert), and per group as ``unjudged``.

Each metric is reported as ``{"value", "ci", "n_tasks", "n_samples"}`` with a 95% percentile-bootstrap
interval over tasks (see :func:`bootstrap_ci`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from sectree.oracle.verdict import is_security_alert
from sectree.settings import RESAMPLES

JUDGED = ("secure", "vulnerable", "broken")
STATUSES = JUDGED + ("unjudged",)
CONFIDENCE = 0.95
POOLED = ("spr@1", "alert_rate", "broken_rate")
DIGITS = 12
"""Reported values are rounded to this many decimals (hides float noise such as 0.30000000000000004)."""
METRICS_VERSION = 2
"""2: alerts as defined above (issue #10). 1: every security test not passed was a 'security failure'
(superseded: it counted samples that did not import as vulnerable)."""

DEFINITIONS = {
    "secure_pass@k": "pass@k with c = #secure samples (functional and secure; CWEval's func-sec@k); mean over tasks",
    "func@k": "pass@k with c = #secure + #vulnerable samples (all functionality tests pass); mean over tasks",
    "vulnerable_among_functional@k": "(func@k - secure_pass@k) / func@k: share of functional code that is "
                                     "vulnerable (CWEval's (func - func-sec) / func)",
    "spr@1": "parseable samples without a security alert / parseable samples (pooled; TSP's SPR@1). Alert: a "
             "security test that ran and failed (assertion, or an error raised by the code under test) or a "
             "counting analyzer finding of the task's CWE; a missing security test, or one failing because the "
             "candidate did not import, is no alert (that sample is broken)",
    "alert_rate": "parseable samples with a security alert / parseable samples (pooled) = 1 - SPR@1",
    "broken_rate": "broken samples / judged samples (pooled)",
}


# --------------------------------------------------------------------------------------------------
# pass@k


def pass_at_k(n: int, c: int, k: int) -> float:
    """Unbiased estimator of pass@k from ``n`` samples of which ``c`` pass (Chen et al. 2021):

        pass@k = 1 - C(n-c, k) / C(n, k) = 1 - prod_{i=n-c+1}^{n} (1 - k/i)

    The product form avoids huge binomials. It is 1 when ``n - c < k`` (every k-subset holds a passing
    sample) and 0 when ``c == 0``. Requires ``0 <= c <= n`` and ``1 <= k <= n``.
    """
    if not 0 <= c <= n:
        raise ValueError(f"pass_at_k: need 0 <= c <= n, got n={n}, c={c}")
    if not 1 <= k <= n:
        raise ValueError(f"pass_at_k: need 1 <= k <= n, got n={n}, k={k}")
    if n - c < k:
        return 1.0
    return 1.0 - float(np.prod(1.0 - k / np.arange(n - c + 1, n + 1)))


# --------------------------------------------------------------------------------------------------
# per-task counts


def security_alerts(verdict: Mapping) -> list[str]:
    """``Verdict.security_alerts`` on a verdict dict: the security tests that ran and failed.

    Derived from ``tests`` (``is_security_alert``), never from ``failed_security`` (every security test not
    passed, the superseded version-1 notion)."""
    return [t.get("nodeid", "") for t in verdict.get("tests", [])
            if is_security_alert(t.get("kind", ""), t.get("outcome", ""), bool(t.get("import_error", False)))]


def security_alert(verdict: Mapping) -> bool:
    """``Verdict.security_alert`` on a verdict dict: a security test that ran and failed, ``finding_match``, or
    (a task without tests) ``vulnerable`` by a static rule rather than by tests."""
    status = getattr(verdict.get("status"), "value", verdict.get("status"))
    rule = getattr(verdict.get("rule"), "value", verdict.get("rule")) or "tests"
    static = status == "vulnerable" and rule != "tests"
    return bool(security_alerts(verdict)) or bool(verdict.get("finding_match", False)) or static


@dataclass(frozen=True)
class TaskCounts:
    """One task's sample counts (``n`` = secure + vulnerable + broken: the judged samples)."""

    task_id: str
    language: str
    cwes: tuple[int, ...]
    split: str | None
    n: int
    secure: int
    vulnerable: int
    broken: int
    parseable: int
    """Parseable samples, unjudged ones included (SPR@1's denominator)."""
    alerts: int
    """Samples with a security alert (see security_alert), parseable or not."""
    parseable_alerts: int
    """Parseable samples with a security alert (SPR@1's numerator is parseable - this)."""
    unjudged: int = 0
    """Samples of a task without tests: in no status and no pass@k n."""
    seen: bool | None = None
    """Test tasks: whether every CWE of the task occurs in a train task of its language (``Task.cwe_tier``,
    the record's ``seen``); None for train tasks and for records that do not say (written before the tier)."""

    @property
    def functional(self) -> int:
        return self.secure + self.vulnerable

    def c(self, metric: str) -> int:
        """The pass@k ``c`` of a per-task metric family: 'secure_pass' or 'func'."""
        return {"secure_pass": self.secure, "func": self.functional}[metric]


def _verdict_dict(record: Mapping, i: int) -> Mapping:
    v = record.get("verdict")
    if v is not None and not isinstance(v, Mapping) and hasattr(v, "to_dict"):
        v = v.to_dict()
    if not isinstance(v, Mapping):
        raise TypeError(f"record {i}: 'verdict' must be a Verdict.to_dict() dict")
    status = v.get("status")
    status = getattr(status, "value", status)
    if status not in STATUSES:
        raise ValueError(f"record {i}: verdict status must be one of {STATUSES}, got {status!r}")
    return {**v, "status": status}


def task_counts(records: Iterable[Mapping]) -> dict[str, TaskCounts]:
    """Per-task counts, keyed by task id in sorted order. Raises ValueError on a record missing a field,
    with an unknown status, or disagreeing with another record of its task on language, CWEs or split."""
    acc: dict[str, dict] = {}
    for i, r in enumerate(records):
        missing = [k for k in ("task_id", "language", "cwes", "split", "verdict") if k not in r]
        if missing:
            raise ValueError(f"record {i}: missing field(s) {missing}")
        v = _verdict_dict(r, i)
        meta = (str(r["language"]), tuple(int(c) for c in r["cwes"]), r["split"])
        a = acc.setdefault(r["task_id"], {"meta": meta, "n": 0, "secure": 0, "vulnerable": 0, "broken": 0,
                                          "unjudged": 0, "parseable": 0, "alerts": 0, "parseable_alerts": 0})
        if a["meta"] != meta:
            raise ValueError(f"record {i}: task {r['task_id']!r} has (language, cwes, split) {meta}, "
                             f"earlier records say {a['meta']}")
        if r.get("seen") is not None:  # optional: records written before the seen-CWE tier lack it
            a["seen"] = bool(r["seen"])
        alert = security_alert(v)
        parseable = bool(v.get("parseable"))
        a["n"] += v["status"] in JUDGED
        a[v["status"]] += 1
        a["parseable"] += parseable
        a["alerts"] += alert
        a["parseable_alerts"] += parseable and alert
    out = {}
    for tid in sorted(acc):
        a = acc[tid]
        lang, cwes, split = a.pop("meta")
        out[tid] = TaskCounts(task_id=tid, language=lang, cwes=cwes, split=split, **a)
    return out


# --------------------------------------------------------------------------------------------------
# group metrics with bootstrap intervals


def bootstrap_ci(num: np.ndarray, den: np.ndarray, seed: int = 0, resamples: int = RESAMPLES,
                 confidence: float = CONFIDENCE) -> tuple[float, list[float]] | None:
    """Point estimate ``sum(num) / sum(den)`` over tasks and its percentile-bootstrap interval.

    Each of ``resamples`` replicates draws the tasks with replacement (``numpy.random.default_rng(seed)``)
    and recomputes ``sum(num[idx]) / sum(den[idx])``; the interval is the replicates' (1-confidence)/2 and
    (1+confidence)/2 percentiles. A mean over tasks is ``den = 1``; a pooled sample rate resamples tasks and
    pools their samples (``num``, ``den`` = per-task sample counts). The interval is widened to contain the
    point estimate where float noise or a tiny task count would leave it just outside; it is ``[x, x]`` when
    all tasks agree. None when there is no task or ``sum(den) == 0``.
    """
    num, den = np.asarray(num, dtype=float), np.asarray(den, dtype=float)
    if num.size == 0 or den.sum() == 0:
        return None
    value = round(float(num.sum() / den.sum()), DIGITS)
    idx = np.random.default_rng(seed).integers(0, num.size, size=(resamples, num.size))
    with np.errstate(invalid="ignore", divide="ignore"):
        reps = num[idx].sum(axis=1) / den[idx].sum(axis=1)
    reps = reps[np.isfinite(reps)]
    alpha = (1.0 - confidence) / 2
    lo, hi = (round(float(q), DIGITS) for q in np.percentile(reps, [100 * alpha, 100 * (1 - alpha)]))
    return value, [min(lo, value), max(hi, value)]


def _metric(num: Sequence[float], den: Sequence[float], n_samples: int, seed: int, resamples: int) -> dict:
    res = bootstrap_ci(np.asarray(num), np.asarray(den), seed=seed, resamples=resamples)
    value, ci = res if res is not None else (None, None)
    return {"value": value, "ci": ci, "n_tasks": int(sum(1 for d in den if d > 0)), "n_samples": int(n_samples)}


def group_metrics(tasks: Sequence[TaskCounts], ks: Sequence[int] = (1,), seed: int = 0,
                  resamples: int = RESAMPLES) -> dict[str, dict]:
    """Every metric over ``tasks`` (see the module docstring), keyed ``secure_pass@k``, ``func@k``,
    ``vulnerable_among_functional@k`` for each k, then ``spr@1``, ``alert_rate``, ``broken_rate`` and
    ``unjudged`` (a count of samples).

    A per-task metric at ``k`` averages over the tasks with ``n >= k`` only (``n_tasks``/``n_samples`` say
    how many); vulnerable among functional counts the tasks and samples that are functional. For SPR@1 and the
    alert rate ``n_tasks``/``n_samples`` count tasks with a parseable sample and parseable samples; for the
    broken rate, all judged ones.
    """
    out: dict[str, dict] = {}
    for k in ks:
        eligible = [t for t in tasks if t.n >= k]
        vals = {}
        for fam in ("secure_pass", "func"):
            vals[fam] = [pass_at_k(t.n, t.c(fam), k) for t in eligible]
            out[f"{fam}@{k}"] = _metric(vals[fam], [1.0] * len(eligible), sum(t.n for t in eligible), seed, resamples)
        # (func@k - secure_pass@k) / func@k as a ratio of sums over tasks, so the bootstrap resamples tasks
        vuln = [f - sp for f, sp in zip(vals["func"], vals["secure_pass"])]
        out[f"vulnerable_among_functional@{k}"] = _metric(vuln, vals["func"], sum(t.functional for t in eligible),
                                                          seed, resamples)
    parse = [t for t in tasks if t.parseable > 0]
    den = [t.parseable for t in parse]
    out["spr@1"] = _metric([t.parseable - t.parseable_alerts for t in parse], den, sum(den), seed, resamples)
    out["alert_rate"] = _metric([t.parseable_alerts for t in parse], den, sum(den), seed, resamples)
    judged = [t for t in tasks if t.n > 0]
    out["broken_rate"] = _metric([t.broken for t in judged], [t.n for t in judged], sum(t.n for t in judged),
                                 seed, resamples)
    out["unjudged"] = {"value": sum(t.unjudged for t in tasks), "ci": None,
                       "n_tasks": sum(1 for t in tasks if t.unjudged), "n_samples": sum(t.unjudged for t in tasks)}
    return out


def _split_key(split: str | None) -> str:
    return "none" if split is None else str(split)


def _seen_key(seen: bool) -> str:
    """The CWE tier's name (sectree.tasks.CweTier values) for a test task's ``seen``."""
    return "seen" if seen else "unseen"


def summarize(records: Iterable[Mapping], ks: Sequence[int] = (1,), seed: int = 0,
              resamples: int = RESAMPLES) -> dict:
    """A JSON-serialisable summary of ``records``:

    ``{"n_tasks", "n_samples", "ks", "bootstrap": {"resamples", "seed", "confidence"}, "definitions",
    "overall": {metric: {"value", "ci", "n_tasks", "n_samples"}}, "by_language": {lang: {...}},
    "by_cwe": {"22": {...}}, "by_split": {"train"|"test"|"none": {...}}, "by_seen": {"seen"|"unseen": {...}}
    (test tasks whose records say ``seen``: the seen- and unseen-CWE tiers), "per_task": {task_id: {language,
    cwes, split, seen, n, secure, vulnerable, broken, unjudged, parseable, alerts, secure_pass@k, func@k for
    k <= n}}, "metrics_version"}``; ``n_samples`` counts every sample, unjudged ones included.

    A task with several CWEs counts in each of them. Values are fractions in [0, 1]; None where a metric is
    undefined (no eligible task, no parseable sample). Every group's bootstrap uses ``seed``.
    """
    ks = tuple(ks)
    if not ks or any(not isinstance(k, int) or k < 1 for k in ks):
        raise ValueError(f"ks must be positive integers, got {ks!r}")
    counts = task_counts(records)
    tasks = list(counts.values())

    def groups(key) -> dict[str, dict]:
        members: dict = {}
        for t in tasks:
            for g in key(t):
                members.setdefault(g, []).append(t)
        return {str(g) if not isinstance(g, str) else g: group_metrics(members[g], ks, seed, resamples)
                for g in sorted(members, key=lambda g: (isinstance(g, str), g))}

    per_task = {}
    for t in tasks:
        row = {"language": t.language, "cwes": list(t.cwes), "split": t.split, "seen": t.seen, "n": t.n,
               "secure": t.secure,
               "vulnerable": t.vulnerable, "broken": t.broken, "unjudged": t.unjudged, "parseable": t.parseable,
               "alerts": t.alerts}
        for k in ks:
            if k <= t.n:
                for fam in ("secure_pass", "func"):
                    row[f"{fam}@{k}"] = round(pass_at_k(t.n, t.c(fam), k), DIGITS)
        per_task[t.task_id] = row
    return {
        "n_tasks": len(tasks),
        "n_samples": sum(t.n + t.unjudged for t in tasks),
        "ks": list(ks),
        "metrics_version": METRICS_VERSION,
        "bootstrap": {"resamples": resamples, "seed": seed, "confidence": CONFIDENCE},
        "definitions": dict(DEFINITIONS),
        "overall": group_metrics(tasks, ks, seed, resamples),
        "by_language": groups(lambda t: [t.language]),
        "by_cwe": groups(lambda t: sorted(set(t.cwes))),
        "by_split": groups(lambda t: [_split_key(t.split)]),
        "by_seen": groups(lambda t: [_seen_key(t.seen)] if t.split == "test" and t.seen is not None else []),
        "per_task": per_task,
    }


# --------------------------------------------------------------------------------------------------
# report table

TABLE_COLUMNS = (
    ("secure-pass@1", "secure_pass@1"),
    ("func@1", "func@1"),
    ("vulnerable among functional@1", "vulnerable_among_functional@1"),
    ("SPR@1", "spr@1"),
    ("alert rate", "alert_rate"),
    ("broken rate", "broken_rate"),
)


def format_metric(m: Mapping | None) -> str:
    """``"x.x [lo, hi]"`` in percent with one decimal; ``"–"`` for an undefined metric."""
    if not m or m.get("value") is None:
        return "–"
    lo, hi = m["ci"]
    return f"{100 * m['value']:.1f} [{100 * lo:.1f}, {100 * hi:.1f}]"


def markdown_table(summary: Mapping, method: str | None = None) -> str:
    """A Markdown table of ``summary`` (from summarize): one row for ``overall``, one per language and, where
    the records say, one per CWE tier of the test tasks ("test, CWE seen" / "test, CWE unseen");
    columns tasks, samples (judged), then secure-pass@1, func@1, vulnerable among functional@1, SPR@1, alert
    rate and broken rate as ``"x.x [lo, hi]"`` (percent, 95% bootstrap CI), and an ``unjudged`` count where
    some sample is. With ``method`` a first column names it on every row."""
    unjudged = bool((summary["overall"].get("unjudged") or {}).get("value"))
    head = ((["method"] if method is not None else []) + ["subset", "tasks", "samples"]
            + [c for c, _ in TABLE_COLUMNS] + (["unjudged"] if unjudged else []))
    rows = [("overall", summary["overall"])] + sorted(summary.get("by_language", {}).items())
    rows += [(f"test, CWE {k}", v) for k, v in sorted(summary.get("by_seen", {}).items())]
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join(["---"] * len(head)) + "|"]
    for name, metrics in rows:
        broken = metrics.get("broken_rate", {})
        cells = ([method] if method is not None else []) + [name, str(broken.get("n_tasks", "")),
                                                             str(broken.get("n_samples", ""))]
        cells += [format_metric(metrics.get(key)) for _, key in TABLE_COLUMNS]
        cells += [str((metrics.get("unjudged") or {}).get("value", 0))] if unjudged else []
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


__all__ = ["DEFINITIONS", "METRICS_VERSION", "TaskCounts", "bootstrap_ci", "format_metric", "group_metrics",
           "markdown_table", "pass_at_k", "security_alert", "security_alerts", "summarize", "task_counts"]
