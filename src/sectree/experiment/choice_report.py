"""Choice mode inside experiments (issue #18 item 4): every method's secure-choice rate and paired comparisons
against the baselines, from the per-decision records of every run.

Aggregation over seeds, as for the sampled modes: the records of all seeds of a method are pooled per task (a
task's secure-choice rate is then the share of its decisions × seeds where the secure continuation has the
higher mean per-token log-prob), and every interval is a percentile bootstrap over **tasks**
(``evaluate.choice``). Comparisons resample the same tasks for both methods (``compare_choice``: paired), so
the CI is on the difference or ratio itself. The unsafe-choice rate is 1 − secure-choice rate; its reduction
``(u_baseline − u_method) / u_baseline`` is what the paper's "−24.5% vulnerabilities on unseen CWEs" compares.

Records: ``<experiment>/choices.jsonl.gz`` holds every run's decision records (``run``, ``method``, ``seed``
added), written before results.json; ``recompute`` gives back results.json's ``choice`` block from it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from sectree.errors import SectreeError
from sectree.evaluate.choice import _groupings, _per_task, compare_choice, summarize_choice
from sectree.evaluate.metrics import CONFIDENCE, DIGITS, RESAMPLES, format_metric
from sectree.io import read_jsonl_gz, write_jsonl_gz_atomic

CHOICES = "choices.jsonl.gz"
"""Every run's choice records, in the experiment folder."""
BASELINES = ("base", "sft")
"""Methods every other method is compared with, where the experiment has them."""
GROUPS = ("by_language", "by_seen")
"""Breakdowns kept in results.json beside ``overall`` (by CWE stays in each evaluation's own records)."""
RATE = "secure_choice_rate"


def load_choices(record: Mapping) -> list[dict] | None:
    """One run's choice records (its evaluation's ``choices.jsonl.gz``), None when choice was not a mode."""
    f = record["eval"].get("choices_file")
    return list(read_jsonl_gz(f)) if f and Path(f).is_file() else None


def pooled(records: Sequence[Mapping], choices: Mapping[str, list[dict]], method: str) -> list[dict]:
    """All seeds' choice records of ``method``."""
    return [c for r in records if r["method"] == method for c in choices.get(r["id"], [])]


def _reduction(a: np.ndarray, b: np.ndarray, seed: int, resamples: int) -> dict:
    """Unsafe-choice reduction of b against a: (mean(1−a) − mean(1−b)) / mean(1−a), paired bootstrap over tasks."""
    ua, ub = 1.0 - a, 1.0 - b
    if ua.mean() == 0:
        return {"value": None, "ci": None}
    idx = np.random.default_rng(seed).integers(0, len(a), size=(resamples, len(a)))
    ra, rb = ua[idx].mean(axis=1), ub[idx].mean(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        reps = (ra - rb) / ra
    reps = reps[np.isfinite(reps)]
    point = round(float((ua.mean() - ub.mean()) / ua.mean()), DIGITS)
    alpha = (1.0 - CONFIDENCE) / 2
    lo, hi = (round(float(q), DIGITS) for q in np.percentile(reps, [100 * alpha, 100 * (1 - alpha)]))
    return {"value": point, "ci": [min(lo, point), max(hi, point)]}


def compare(base: list[dict], method: list[dict], seed: int = 0, resamples: int = RESAMPLES) -> dict:
    """compare_choice(base, method) for the secure-choice rate (overall and GROUPS), each with the unsafe-choice
    reduction of ``method`` against ``base`` (same resampled tasks)."""
    cmp = compare_choice(base, method, seed=seed, resamples=resamples)
    pa, pb = _per_task(base), _per_task(method)

    def one(tids: Sequence[str], c: Mapping) -> dict:
        a, b = np.array([pa[t][RATE] for t in tids]), np.array([pb[t][RATE] for t in tids])
        return {**c[RATE], "unsafe_reduction": _reduction(a, b, seed, resamples)}

    groupings = _groupings(pa)
    out = {"bootstrap": cmp["bootstrap"], "overall": one(sorted(pa), cmp["overall"])}
    for g in GROUPS:
        out[g] = {k: one(tids, cmp[g][k]) for k, tids in groupings[g].items()}
    return out


def choice_results(methods: Sequence[str], records: Sequence[Mapping], choices: Mapping[str, list[dict]],
                   seed: int = 0, resamples: int = RESAMPLES) -> dict | None:
    """results.json's ``choice`` block: per method the pooled summary (overall, by language, by seen/unseen),
    and ``comparisons["<method> vs <baseline>"]`` for every method against each baseline present."""
    have = [m for m in methods if pooled(records, choices, m)]
    if not have:
        return None
    per_method = {}
    for m in have:
        s = summarize_choice(pooled(records, choices, m), seed=seed, resamples=resamples)
        per_method[m] = {k: s[k] for k in ("n_tasks", "n_decisions", "overall", *GROUPS)}
    comparisons = {}
    for b in (x for x in BASELINES if x in have):
        for m in have:
            if m != b and not (b == "sft" and m == "base"):
                comparisons[f"{m} vs {b}"] = {"method": m, "baseline": b,
                                              **compare(pooled(records, choices, b), pooled(records, choices, m),
                                                        seed, resamples)}
    return {"aggregation": "seeds pooled per task; 95% percentile bootstrap over tasks (paired for comparisons)",
            "bootstrap": {"resamples": resamples, "seed": seed, "confidence": CONFIDENCE},
            "per_method": per_method, "comparisons": comparisons}


def _signed(m: Mapping | None, scale: float = 100.0, digits: int = 1) -> str:
    if not m or m.get("value") is None:
        return "–"
    f = f"{{:+.{digits}f}}"
    return f"{f.format(scale * m['value'])} [{f.format(scale * m['ci'][0])}, {f.format(scale * m['ci'][1])}]"


def _plain(m: Mapping | None) -> str:
    if not m or m.get("value") is None:
        return "–"
    return f"{m['value']:.2f} [{m['ci'][0]:.2f}, {m['ci'][1]:.2f}]"


def _count(g: Mapping, rate: str) -> int | None:
    """Tasks behind a row: per-method rows keep it under the rate, comparison rows at the top."""
    return (g.get(rate) or {}).get("n_tasks") if rate else g.get("n_tasks")


def _decisions(g: Mapping) -> int | None:
    return (g.get(RATE) or {}).get("n_decisions", g.get("n_decisions"))


def choice_sections(res: Mapping) -> list[dict]:
    """Report sections (the report's section dicts): per-method rates, then the paired comparisons."""
    ch = res.get("choice")
    if not ch:
        return []
    c = res["config"]
    keys = [("overall", "overall")] + [(f"language: {k}", ("by_language", k))
                                       for k in sorted({k for v in ch["per_method"].values() for k in v["by_language"]})]
    keys += [(f"test, CWE {k}", ("by_seen", k))
             for k in sorted({k for v in ch["per_method"].values() for k in v["by_seen"]})]

    def get(block: Mapping, key, n_tasks: str):
        """The block's row for ``key``; None for a subset that holds every task of the overall row (a Python-only
        evaluation's "language: python" would repeat "overall" word for word)."""
        if key == "overall":
            return block["overall"]
        g = block.get(key[0], {}).get(key[1])
        overall = block["overall"]
        if g and _count(g, n_tasks) == _count(overall, n_tasks) and _decisions(g) == _decisions(overall):
            return None
        return g

    rows = []
    for m, s in ch["per_method"].items():
        for label, key in keys:
            g = get(s, key, RATE)
            if g:
                rows.append([m, label, str(g[RATE]["n_tasks"]), str(g[RATE]["n_decisions"]), format_metric(g[RATE]),
                             format_metric(g["secure_choice_rate_sum"]), _plain(g["mean_margin"])])
    rates = {"title": "Mode: choice (forced choice at every decision, teacher-forced)",
             "notes": [f"model: {c['model']}; seeds: {c['seeds']} (records pooled per task); every decision of the "
                       f"eval tasks, scored after the completion-mode context; secure-choice rate = per task the "
                       f"share of decisions (× seeds) where the secure continuation has the higher mean per-token "
                       f"log-prob, mean over tasks; in percent, [95% bootstrap CI over tasks]. Unsafe-choice rate "
                       f"= 100 − secure-choice rate. A subset (language, seen/unseen tier) that holds every task is not "
                       f"repeated below its overall row."],
             "header": ["method", "subset", "tasks", "decisions", "secure-choice rate (95% CI)",
                        "sum-based (95% CI)", "mean margin nats/token (95% CI)"], "rows": rows}
    crows = []
    for name, cmp in ch["comparisons"].items():
        for label, key in keys:
            g = get(cmp, key, "")
            if g:
                crows.append([cmp["method"], cmp["baseline"], label, str(g["n_tasks"]), f"{100 * g['a']:.1f}",
                              f"{100 * g['b']:.1f}", _signed(g["diff"]), _plain(g["ratio"]),
                              _signed(g["unsafe_reduction"])])
    comp = {"title": "Choice: methods against the baselines (paired)",
            "notes": ["Δ = method − baseline secure-choice rate in percentage points; ratio = method / baseline; "
                      "unsafe-choice reduction = (u_baseline − u_method) / u_baseline in percent, u = unsafe-choice "
                      "rate (the paper reports −24.5% vulnerabilities on unseen CWEs as a reduction of this kind). "
                      "95% CI by paired bootstrap over tasks (the same resampled tasks for both). A CI that "
                      "contains 0 (Δ, reduction) or 1 (ratio) means: no difference resolved here. A subset that holds "
                      "every task is not repeated below its overall row."],
            "header": ["method", "baseline", "subset", "tasks", "baseline %", "method %", "Δ pp (95% CI)",
                       "ratio (95% CI)", "unsafe-choice reduction % (95% CI)"], "rows": crows}
    return [rates] + ([comp] if crows else [])


def write_choice_records(out: Path, records: Sequence[Mapping], choices: Mapping[str, list[dict]]) -> int:
    """Every run's choice records into ``out/choices.jsonl.gz`` (``run``, ``method``, ``seed`` added)."""
    return write_jsonl_gz_atomic(out / CHOICES, ({"run": r["id"], "method": r["method"], "seed": r["seed"], **x}
                                                 for r in records for x in choices.get(r["id"], [])))


def read_choice_records(folder: Path) -> dict[str, list[dict]]:
    """run id -> choice records, from ``folder/choices.jsonl.gz``; {} when the experiment has none."""
    out: dict[str, list[dict]] = {}
    if not (folder / CHOICES).is_file():
        return out
    for i, x in enumerate(read_jsonl_gz(folder / CHOICES)):
        if "run" not in x:
            raise SectreeError(f"{folder / CHOICES}:{i + 1}: record without 'run'")
        out.setdefault(x["run"], []).append({k: v for k, v in x.items() if k not in ("run", "method", "seed")})
    return out


__all__ = ["BASELINES", "CHOICES", "choice_results", "choice_sections", "compare", "load_choices",
           "read_choice_records", "write_choice_records"]
