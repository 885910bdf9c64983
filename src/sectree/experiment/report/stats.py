"""The report's numbers: seeds pooled per task, the pooled tables, paired-bootstrap comparisons, and the metric
columns of each metrics version (see the package docstring for how seeds are aggregated)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np

from sectree.evaluate.metrics import format_metric, summarize, task_counts
from sectree.evaluate.run import records_path
from sectree.io import read_jsonl_gz

COLUMNS = (("secure-pass@1", "secure_pass@1"), ("SPR@1", "spr@1"), ("func@1", "func@1"),
           ("vulnerable among functional@1", "vulnerable_among_functional@1"))
"""The paper-style table: method rows × these metrics (each 'value [95% CI]' in percent)."""


COLUMNS_V1 = (("secure-pass@1", "secure_pass@1"), ("SPR@1", "spr@1"), ("func@1", "func@1"),
              ("vulnerable rate", "vulnerable_rate"))
"""The table of results made under metrics version 1 (kept to show committed v1 results as they were)."""


def version(res: Mapping) -> int:
    """The metrics version ``res`` (an experiment's results.json) was computed under; 1 before it was recorded."""
    return int(res.get("metrics_version", 1))


def columns(res: Mapping) -> tuple:
    return COLUMNS if version(res) >= 2 else COLUMNS_V1


def load_samples(record: Mapping) -> list[dict]:
    """The judged samples of one run's evaluation: its per-sample records beside its results.json (written by
    sectree.evaluate.run.evaluate), or the ``samples`` an older results.json embedded."""
    res_file = Path(record["eval"]["results_file"])
    recs = records_path(res_file)
    if recs.is_file():
        return list(read_jsonl_gz(recs))
    return json.loads(res_file.read_text())["samples"]


def pooled(records: list[dict], samples: dict[str, list[dict]], method: str, mode: str) -> list[dict]:
    """All seeds' judged samples of ``method`` in ``mode``."""
    return [s for r in records if r["method"] == method for s in samples[r["id"]] if s["mode"] == mode]


_PARTS: dict[str, Callable] = {
    # metric -> per-task (numerator, denominator); metric = sum(num) / sum(den) over tasks (metrics.py);
    # a task with no judged sample (all unjudged) has denominator 0 in the per-task metrics, so it drops out
    "secure_pass@1": lambda t: (t.secure / t.n, 1.0) if t.n else (0.0, 0.0),
    "func@1": lambda t: (t.functional / t.n, 1.0) if t.n else (0.0, 0.0),
    "vulnerable_among_functional@1": lambda t: (t.vulnerable / t.n, t.functional / t.n) if t.n else (0.0, 0.0),
    "spr@1": lambda t: (t.parseable - t.parseable_alerts, t.parseable),
    "alert_rate": lambda t: (t.parseable_alerts, t.parseable),
}


_STATS: dict[str, Callable] = {
    "ratio": lambda a, b: a / b,  # method / baseline
    "diff": lambda a, b: a - b,  # method − baseline
    "reduction": lambda a, b: (b - a) / b,  # (rate_baseline − rate_method) / rate_baseline
}


def paired(recs_a: list[dict], recs_b: list[dict], metric: str, stat: str, seed: int = 0,
           resamples: int = 1000) -> dict | None:
    """``stat(metric(a), metric(b))`` over the tasks both have, with a paired percentile-bootstrap 95% CI."""
    ca, cb = task_counts(recs_a), task_counts(recs_b)
    ids = sorted(set(ca) & set(cb))
    if not ids:
        return None
    part, fn = _PARTS[metric], _STATS[stat]
    na, da = (np.array(x, dtype=float) for x in zip(*(part(ca[i]) for i in ids)))
    nb, db = (np.array(x, dtype=float) for x in zip(*(part(cb[i]) for i in ids)))
    with np.errstate(invalid="ignore", divide="ignore"):
        value = fn(na.sum() / da.sum(), nb.sum() / db.sum())
        if not np.isfinite(value):
            return None
        idx = np.random.default_rng(seed).integers(0, len(ids), size=(resamples, len(ids)))
        reps = fn(na[idx].sum(1) / da[idx].sum(1), nb[idx].sum(1) / db[idx].sum(1))
    reps = reps[np.isfinite(reps)]
    lo, hi = (np.percentile(reps, [2.5, 97.5]) if reps.size else (value, value))
    return {"value": round(float(value), 12), "ci": [round(float(min(lo, value)), 12), round(float(max(hi, value)), 12)],
            "n_tasks": len(ids)}


def _fmt_plain(m: Mapping | None, scale: float = 1.0, digits: int = 2, signed: bool = False) -> str:
    if not m or m.get("value") is None:
        return "–"
    f = f"{{:{'+' if signed else ''}.{digits}f}}"
    lo, hi = m["ci"]
    return f"{f.format(scale * m['value'])} [{f.format(scale * lo)}, {f.format(scale * hi)}]"


def _pct(m: Mapping | None) -> str:
    return format_metric(m)


def tables(modes: list[str], methods: list[str], records: list[dict],
           samples: dict[str, list[dict]]) -> tuple[list[str], dict, dict[str, dict]]:
    """(modes present, the pooled table mode -> method -> metrics, run id -> {"metrics", "by_language"} of
    that run alone) from the judged samples per run id: everything results.json holds that samples determine."""
    modes = [m for m in modes if any(s["mode"] == m for v in samples.values() for s in v)]
    table: dict = {}
    for mode in modes:
        table[mode] = {}
        for m in methods:
            s = summarize(pooled(records, samples, m, mode))
            table[mode][m] = {"seeds": [r["seed"] for r in records if r["method"] == m], "n_tasks": s["n_tasks"],
                              "n_samples": s["n_samples"], "overall": s["overall"], "by_language": s["by_language"],
                              "by_cwe": s["by_cwe"], "by_split": s["by_split"], "by_seen": s["by_seen"]}
    per_run = {}
    for r in records:
        own = {m: summarize([x for x in samples[r["id"]] if x["mode"] == m])
               for m in dict.fromkeys(x["mode"] for x in samples[r["id"]])}
        per_run[r["id"]] = {"metrics": {m: s["overall"] for m, s in own.items()},
                            "by_language": {m: s["by_language"] for m, s in own.items()}}
    return modes, table, per_run
