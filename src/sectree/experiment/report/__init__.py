"""The experiment report: results.json, report.md (paper-style tables) and report.html (self-contained).

Aggregation over seeds (stated in every report): for each method and prompt mode the judged samples of all
seeds are **pooled per task** (a task then has seeds × n samples) and passed to
``sectree.evaluate.metrics.summarize``: per-task metrics (secure-pass@1, func@1) are c / (seeds·n) averaged
over tasks; pooled rates (SPR@1, vulnerable rate) are sums over all samples; the 95% CI is the percentile
bootstrap over **tasks** (a resampled task brings all its seeds' samples). The CI therefore reflects task and
sampling variation, not the variance between training runs; the per-seed table shows that spread. With one
seed the pooled numbers are exactly the evaluation's own.

Comparisons (ratios, reductions, differences) use a paired bootstrap: the same resampled tasks for both methods.

report.html holds no external reference: figures are PNGs inlined as base64 ``data:`` URIs; example trees are
the tree viewer's own page in an ``<iframe srcdoc>`` (escaped, and every ``:`` written as ``&#58;`` so no
URL-like text of generated code appears in the outer file; the browser decodes it back).
"""

from __future__ import annotations

import base64
import io
import json
import os
import platform
import re
import time
from collections.abc import Callable, Mapping
from html import escape
from pathlib import Path

import numpy as np

from sectree.errors import SectreeError
from sectree.evaluate.metrics import METRICS_VERSION, format_metric, summarize, task_counts
from sectree.io import read_jsonl, read_jsonl_gz, write_json_atomic, write_jsonl_gz_atomic, write_text_atomic

COLUMNS = (("secure-pass@1", "secure_pass@1"), ("SPR@1", "spr@1"), ("func@1", "func@1"),
           ("vulnerable among functional@1", "vulnerable_among_functional@1"))
"""The paper-style table: method rows × these metrics (each 'value [95% CI]' in percent)."""
COLUMNS_V1 = (("secure-pass@1", "secure_pass@1"), ("SPR@1", "spr@1"), ("func@1", "func@1"),
              ("vulnerable rate", "vulnerable_rate"))
"""The table of results made under metrics version 1 (kept to show committed v1 results as they were)."""
RECORDS = "samples.jsonl.gz"
"""An experiment's per-sample records beside its results.json: every run's judged samples, one JSON line each
with ``run``, ``method`` and ``seed`` added (tools/readme_results.py recomputes the tables from them)."""
V1_NOTE = ("Computed under metrics version 1 and superseded: a security test that did not pass — missing or "
           "erroring because the sample did not even import — counted as a security failure, so broken code "
           "counted as vulnerable (SPR@1, vulnerable rate). These runs kept no per-sample records, so they cannot "
           "be recomputed under the current alert definition without re-running the experiment.")

AGGREGATION = ("seeds pooled per task: each task's samples from all seeds together (seeds × n per task); "
               "per-task metrics (secure-pass@1, func@1) = c / (seeds·n) averaged over tasks, pooled rates "
               "(SPR@1, alert rate) over all parseable samples; 95% CI = percentile bootstrap over tasks "
               "(1000 resamples), so it covers task and sampling variation, not run-to-run training variance "
               "(see the per-seed table)")

METRIC_TEXT = ("Metrics (sectree.evaluate.metrics, version 2): secure-pass@1 = functional and secure; SPR@1 = "
               "parseable samples without a security alert / parseable samples (the TSP paper's SPR@1; an alert is a "
               "security test that ran and failed or a matching analyzer finding, and a sample that does not import "
               "has none); func@1 = all functionality tests pass; vulnerable among functional@1 = (func@1 − "
               "secure-pass@1) / func@1 (CWEval's); alert rate = 1 − SPR@1.")
METRIC_TEXT_V1 = ("Metrics (sectree.evaluate.metrics, version 1, superseded): secure-pass@1 = functional and secure; "
                  "SPR@1 = parseable samples without a security failure (any security test not passed, missing ones "
                  "included, or a matching analyzer finding) / parseable samples; func@1 = all functionality tests "
                  "pass; vulnerable rate = 1 − SPR@1.")

PAPER_TSP, PAPER_SFT = 75.8, 57.0
"""The TSP paper's headline TSP vs SFT numbers (ratio 1.33)."""


# ------------------------------------------------------------------------------------------ machine


def machine() -> dict:
    """Cores and CPU model (from /proc/cpuinfo where there is one)."""
    model = None
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cores": os.cpu_count() or 1, "cpu": model or platform.processor() or platform.machine(),
            "platform": platform.platform()}


def machine_line(m: Mapping) -> str:
    return f"{m['cores']} cores, {m['cpu']}"


# ------------------------------------------------------------------------------------------ numbers


def version(res: Mapping) -> int:
    """The metrics version ``res`` (an experiment's results.json) was computed under; 1 before it was recorded."""
    return int(res.get("metrics_version", 1))


def columns(res: Mapping) -> tuple:
    return COLUMNS if version(res) >= 2 else COLUMNS_V1


def load_samples(record: Mapping) -> list[dict]:
    """The judged samples of one run's evaluation: its per-sample records beside its results.json (written by
    sectree.evaluate.run.evaluate), or the ``samples`` an older results.json embedded."""
    from sectree.evaluate.run import records_path

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


# ------------------------------------------------------------------------------------------ sections
# A section is {"title", "notes": [str], "header": [str], "rows": [[str]]}: rendered to Markdown and HTML alike.


def _context(res: dict, mode: str | None) -> str:
    c, e = res["config"], res["config"]["eval"]
    calls = res["oracle_calls"]
    ev_calls = calls["eval_by_mode"].get(mode, 0) if mode else calls["eval"]
    per = (f"samples per decision: {e['span_n']} per seed; temperature: {e['temperature']}; max_new_tokens: "
           f"{e['span_max_new_tokens']}" if mode == "span" and "span_n" in e else
           f"samples per task: {e['n']} per seed; temperature: {e['temperature']}; max_new_tokens: "
           f"{e['max_new_tokens']}")
    return (f"model: {c['model']}; prompt mode: {mode or ', '.join(e['modes'])}; seeds: {c['seeds']}; "
            f"{per}; eval: {e['suite']} split {e['split']}"
            f"{'' if e['language'] is None else ', language ' + str(e['language'])}"
            f"{', CWEs ' + res['eval_cwes_text'] if res['eval_cwes_text'] else ''}; oracle calls: "
            f"{ev_calls} eval ({mode or 'all modes'}) + {calls['train']} training; wall time: "
            f"{res['wall_seconds_total'] / 60:.1f} min (all runs: training, sampling, judging); machine: "
            f"{machine_line(res['machine'])}; date: {res['date']}")


def method_table(res: dict, mode: str) -> dict:
    rows = []
    for m in res["methods"]:
        t = res["table"][mode][m]
        rows.append([m, str(t["n_tasks"]), str(t["n_samples"])] + [_pct(t["overall"].get(k)) for _, k in columns(res)])
    return {"title": f"Mode: {mode}", "notes": [_context(res, mode)],
            "header": ["method", "tasks", "samples"] + [f"{c} (95% CI)" for c, _ in columns(res)], "rows": rows}


def language_table(res: dict, mode: str) -> dict | None:
    langs = sorted({lang for m in res["methods"] for lang in res["table"][mode][m]["by_language"]})
    if len(langs) < 2:
        return None
    rows = [[m, lang] + [_pct(res["table"][mode][m]["by_language"].get(lang, {}).get(k)) for _, k in columns(res)]
            for m in res["methods"] for lang in langs]
    return {"title": f"Per language, mode: {mode}", "notes": [],
            "header": ["method", "language"] + [c for c, _ in columns(res)], "rows": rows}


def seen_table(res: dict, mode: str) -> dict | None:
    """Test tasks by CWE tier (seen: every CWE of the task has a train task; unseen: some CWE has none), per
    method; None unless both tiers were evaluated."""
    tiers = sorted({k for m in res["methods"] for k in res["table"][mode][m].get("by_seen", {})})
    if len(tiers) < 2:
        return None
    rows = [[m, k, str(res["table"][mode][m]["by_seen"].get(k, {}).get("broken_rate", {}).get("n_tasks", 0))]
            + [_pct(res["table"][mode][m]["by_seen"].get(k, {}).get(c)) for _, c in columns(res)]
            for m in res["methods"] for k in tiers]
    return {"title": f"Seen and unseen CWEs, mode: {mode}",
            "notes": ["Test tasks whose every CWE also occurs in a train task of their language (seen: new code "
                      "for a trained weakness) against those with a CWE no train task has (unseen)."],
            "header": ["method", "CWE tier", "tasks"] + [c for c, _ in columns(res)], "rows": rows}


def seed_table(res: dict) -> dict:
    rows = []
    for r in res["runs"]:
        tr, ev = r["train"], r["eval"]
        for mode, overall in r["metrics"].items():
            wall = (f"{tr.get('wall_seconds') or 0:.0f} / {ev['generate_seconds']:.0f} / {ev['judge_seconds']:.0f}")
            rows.append([r["method"], str(r["seed"]), mode] + [_pct(overall.get(k)) for _, k in columns(res)]
                        + [f"{tr.get('oracle_calls', 0)} / {ev['oracle_calls']}",
                           f"{tr.get('tokens_generated', 0)} / {ev['tokens']}", wall])
    return {"title": "Per seed (each evaluation's own results.json)",
            "notes": [("oracle calls, tokens and wall seconds are per run (all modes): training / evaluation; wall "
                       "= training / sampling / judging. Tokens: sampled in training rollouts / in evaluation.")],
            "header": ["method", "seed", "mode"] + [c for c, _ in columns(res)] + ["oracle calls", "tokens", "wall s"],
            "rows": rows}


def leaves_table(res: dict) -> dict | None:
    """Training leaves by opponent and verdict, and pairs by kind, per run (runs that grew trees only)."""
    rows = []
    for r in res["runs"]:
        tr = r["train"]
        pk = tr.get("pairs_by_kind") or {}
        for opp, by in (tr.get("leaves_by_opponent") or {}).items():
            rows.append([r["method"], str(r["seed"]), opp, str(by.get("secure", 0)), str(by.get("vulnerable", 0)),
                         str(by.get("broken", 0)), f"{pk.get('security', 0)} / {pk.get('function', 0)}"])
    if not rows:
        return None
    return {"title": "Training leaves by opponent and verdict",
            "notes": ["Leaves of all training rounds (tree.opponents); pairs: security (rejected leaf vulnerable) / "
                      "function (rejected leaf broken), for the whole run."],
            "header": ["method", "seed", "opponent", "secure", "vulnerable", "broken", "pairs sec / fun"],
            "rows": rows}


def _missing(res: dict, need: list[str], what: str) -> dict | None:
    absent = [m for m in need if m not in res["methods"]]
    if absent:
        return {"title": what, "notes": [f"not computed: needs method(s) {', '.join(absent)}"], "header": [], "rows": []}
    return None


def _parseable(overall: Mapping) -> str:
    """Parseable samples behind the alert rate and SPR@1 (their denominator)."""
    v = (overall or {}).get("spr@1") or {}
    return str(v.get("n_samples", 0))


def paper_ratio(res: dict, pooled_of: Callable) -> tuple[dict, dict]:
    t = res["config"]["report"]["method"]
    title = f"{t} vs sft (ratio, paper: {PAPER_TSP}/{PAPER_SFT} = {PAPER_TSP / PAPER_SFT:.2f})"
    miss = _missing(res, ["sft", t], title)
    if miss:
        return miss, {}
    rows, data = [], {}
    for mode in res["modes"]:
        a, b = pooled_of(t, mode), pooled_of("sft", mode)
        for label, k in (("secure-pass@1", "secure_pass@1"), ("SPR@1", "spr@1")):
            r = paired(a, b, k, "ratio")
            data.setdefault(mode, {})[k] = r
            rows.append([mode, label, _pct(res["table"][mode][t]["overall"][k]),
                         _pct(res["table"][mode]["sft"]["overall"][k]), _fmt_plain(r),
                         f"{PAPER_TSP}/{PAPER_SFT} = {PAPER_TSP / PAPER_SFT:.2f}"])
    return {"title": title,
            "notes": [(f"ratio = metric({t}) / metric(sft), 95% CI by paired bootstrap over tasks; the paper's "
                       f"headline numbers are {PAPER_TSP} (TSP) vs {PAPER_SFT} (SFT).")],
            "header": ["mode", "metric", t, "sft", f"ratio {t}/sft (95% CI)", "paper ratio"], "rows": rows}, data


def vulnerable_reduction(res: dict, pooled_of: Callable) -> tuple[dict, dict]:
    t = res["config"]["report"]["method"]
    title = f"Alert-rate reduction of {t}"
    bases = [b for b in ("sft", "base") if b in res["methods"] and b != t]
    if not bases:
        return _missing(res, ["sft or base"], title), {}
    vf = "vulnerable_among_functional@1"
    rows, data = [], {}
    for mode in res["modes"]:
        for b in bases:
            tb, tt = res["table"][mode][b]["overall"], res["table"][mode][t]["overall"]
            r = paired(pooled_of(t, mode), pooled_of(b, mode), "alert_rate", "reduction")
            data.setdefault(mode, {})[b] = r
            rows.append([mode, b, f"{_parseable(tb)} → {_parseable(tt)}", _pct(tb["alert_rate"]),
                         _pct(tt["alert_rate"]), _fmt_plain(r, 100, 1),
                         f"{_pct(tb['func@1'])} → {_pct(tt['func@1'])}", f"{_pct(tb[vf])} → {_pct(tt[vf])}",
                         f"{_pct(tb['secure_pass@1'])} → {_pct(tt['secure_pass@1'])}"])
    return {"title": title,
            "notes": [(f"reduction = (rate_baseline − rate_{t}) / rate_baseline, in percent; rate = alert rate "
                       "= parseable samples with a security alert (a security test that ran and failed, or a "
                       "matching analyzer finding) / parseable samples = 1 − SPR@1. 95% CI by paired bootstrap over "
                       "tasks. func@1, vulnerable among functional@1 and secure-pass@1 shown beside it (baseline "
                       f"→ {t}): a lower alert rate bought with broken code is no gain.")],
            "header": ["mode", "baseline", f"parseable samples baseline → {t}", "alert rate (baseline)",
                       f"alert rate ({t})", "reduction % (95% CI)", "func@1", "vulnerable among functional@1",
                       "secure-pass@1"], "rows": rows}, data


def transfer(res: dict, pooled_of: Callable) -> tuple[dict, dict]:
    t = res["config"]["report"]["method"]
    title = f"Transfer: {t} vs base per evaluated language"
    miss = _missing(res, ["base", t], title)
    if miss:
        return miss, {}
    vf = "vulnerable_among_functional@1"
    rows, data = [], {}
    for mode in res["modes"]:
        a_all, b_all = pooled_of(t, mode), pooled_of("base", mode)
        for lang in sorted({s["language"] for s in a_all}):
            a = [s for s in a_all if s["language"] == lang]
            b = [s for s in b_all if s["language"] == lang]
            dv, ds = paired(a, b, "alert_rate", "diff"), paired(a, b, "secure_pass@1", "diff")
            data.setdefault(mode, {})[lang] = {"alert_rate": dv, "secure_pass@1": ds}
            ta = res["table"][mode][t]["by_language"].get(lang, {})
            tb = res["table"][mode]["base"]["by_language"].get(lang, {})
            rows.append([mode, lang, f"{_parseable(tb)} → {_parseable(ta)}", _pct(tb.get("alert_rate")),
                         _pct(ta.get("alert_rate")), _fmt_plain(dv, 100, 1, signed=True),
                         f"{_pct(tb.get('func@1'))} → {_pct(ta.get('func@1'))}",
                         f"{_pct(tb.get(vf))} → {_pct(ta.get(vf))}", _pct(tb.get("secure_pass@1")),
                         _pct(ta.get("secure_pass@1")), _fmt_plain(ds, 100, 1, signed=True)])
    train_lang = res["config"]["train"].get("language")
    return {"title": title,
            "notes": [(f"{t} trained on {train_lang or 'all languages'} "
                       f"({res['config']['train'].get('suite', 'builtin')}, train split) only; Δ = {t} − base in "
                       "percentage points (negative Δ alert rate and positive Δ secure-pass@1 are improvements), "
                       "95% CI by paired bootstrap over tasks. The alert rate (1 − SPR@1) is over parseable "
                       "samples only (their count is shown): with few of them it swings widely.")],
            "header": ["mode", "language", f"parseable samples base → {t}", "alert rate base", f"alert rate {t}",
                       "Δ alert rate pp (95% CI)", f"func@1 base → {t}", f"vulnerable among functional@1 base → {t}",
                       "secure-pass@1 base", f"secure-pass@1 {t}", "Δ secure-pass@1 pp (95% CI)"],
            "rows": rows}, data


ANALYSIS_FUNCS: dict[str, Callable] = {
    "paper-ratio": paper_ratio,
    "vulnerable-reduction": vulnerable_reduction,
    "transfer": transfer,
}


# ------------------------------------------------------------------------------------------ Markdown


def section_md(s: dict) -> str:
    text = f"### {s['title']}\n\n" + "".join(f"{n}\n\n" for n in s["notes"])
    if s["rows"]:
        lines = ["| " + " | ".join(s["header"]) + " |", "|" + "|".join("---" for _ in s["header"]) + "|"]
        text += "\n".join(lines + ["| " + " | ".join(r) + " |" for r in s["rows"]]) + "\n\n"
    return text


def render_md(res: dict, sections: dict[str, list[dict]]) -> str:
    c = res["config"]
    head = (f"# Experiment: {c['name']}\n\n{provenance(res)}\n\n"
            f"Methods {', '.join(res['methods'])}; seeds {c['seeds']}; model {c['model']}; "
            f"{machine_line(res['machine'])}; {res['date']}.\n\n"
            f"Aggregation over seeds: {AGGREGATION}.\n\n"
            f"{METRIC_TEXT if version(res) >= 2 else METRIC_TEXT_V1} Values in percent, [95% CI].\n\n")
    if shared_line(res):
        head += shared_line(res) + "\n\n"
    body = []
    for title, secs in sections.items():
        if secs:
            body.append(f"## {title}\n\n" + "".join(section_md(s) for s in secs))
    return head + "".join(body)


# ------------------------------------------------------------------------------------------ figures


def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight", metadata={"Software": None})
    import matplotlib.pyplot as plt

    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def fig_bars(res: dict) -> str:
    import matplotlib.pyplot as plt

    modes, methods = res["modes"], res["methods"]
    cols = columns(res)
    fig, axes = plt.subplots(len(modes), len(cols), figsize=(3.2 * len(cols), 2.8 * len(modes)), squeeze=False)
    colors = plt.cm.tab10(np.arange(len(methods)) % 10)
    for i, mode in enumerate(modes):
        for j, (label, key) in enumerate(cols):
            ax = axes[i][j]
            vals, err = [], [[], []]
            for m in methods:
                x = res["table"][mode][m]["overall"].get(key) or {}
                v = x.get("value")
                vals.append(np.nan if v is None else 100 * v)
                lo, hi = x.get("ci") or (v, v)
                err[0].append(0 if v is None else 100 * (v - lo))
                err[1].append(0 if v is None else 100 * (hi - v))
            ax.bar(range(len(methods)), vals, yerr=err, color=colors, capsize=4)
            ax.set_xticks(range(len(methods)), methods, rotation=30, ha="right", fontsize=8)
            ax.set_ylim(0, 100)
            ax.set_title(f"{label} ({mode})", fontsize=9)
            ax.grid(axis="y", alpha=0.3)
    fig.suptitle("per method, % with 95% CI (seeds pooled)", fontsize=10)
    fig.tight_layout()
    return _png(fig)


def fig_heat(res: dict) -> str | None:
    import matplotlib.pyplot as plt

    modes, methods = res["modes"], res["methods"]
    cwes = sorted({int(c) for mode in modes for m in methods for c in res["table"][mode][m]["by_cwe"]})
    if not cwes:
        return None
    fig, axes = plt.subplots(len(modes), 1, figsize=(max(5.0, 0.45 * len(cwes) + 2), 0.5 * len(methods) * len(modes)
                                                      + 1.4 * len(modes)), squeeze=False)
    cmap = plt.get_cmap("Reds").with_extremes(bad="#dddddd")
    rate = "alert_rate" if version(res) >= 2 else "vulnerable_rate"
    for i, mode in enumerate(modes):
        ax = axes[i][0]
        grid = np.full((len(methods), len(cwes)), np.nan)
        for a, m in enumerate(methods):
            for b, c in enumerate(cwes):
                v = (res["table"][mode][m]["by_cwe"].get(str(c), {}).get(rate) or {}).get("value")
                grid[a, b] = np.nan if v is None else v
        im = ax.imshow(np.ma.masked_invalid(grid), cmap=cmap, vmin=0, vmax=1, aspect="auto")
        ax.set_xticks(range(len(cwes)), [str(c) for c in cwes], rotation=90, fontsize=7)
        ax.set_yticks(range(len(methods)), methods, fontsize=8)
        ax.set_xlabel("CWE", fontsize=8)
        ax.set_title(f"{rate.replace('_', ' ')} per CWE ({mode}; grey = no parseable sample)", fontsize=9)
        if grid.size <= 600:
            for (a, b), v in np.ndenumerate(grid):
                if np.isfinite(v):
                    ax.text(b, a, f"{100 * v:.0f}", ha="center", va="center", fontsize=6,
                            color="white" if v > 0.6 else "black")
        fig.colorbar(im, ax=ax, fraction=0.02, pad=0.01)
    fig.tight_layout()
    return _png(fig)


def run_stats(record: Mapping) -> list[dict]:
    d = record["train"].get("dir")
    if not d or not (Path(d) / "stats.jsonl").exists():
        return []
    return list(read_jsonl(Path(d) / "stats.jsonl"))


def fig_curves(res: dict, records: list[dict]) -> str | None:
    """Pairs and loss per round, and loss per optimizer step: one colour per method, one line per seed."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    runs = [(r["method"], run_stats(r)) for r in records]
    runs = [(m, rows) for m, rows in runs if rows]
    if not runs:
        return None
    colours = {m: f"C{i}" for i, m in enumerate(dict.fromkeys(m for m, _ in runs))}
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.2))
    labelled: set[tuple[int, str]] = set()

    def plot(ax_i: int, x, y, style: str, method: str) -> None:
        label = None if (ax_i, method) in labelled else method
        labelled.add((ax_i, method))
        axes[ax_i].plot(x, y, style, color=colours[method], label=label, alpha=0.8)

    for method, rows in runs:
        rounds = [r.get("round") for r in rows]
        if any("pairs/total" in r for r in rows):
            plot(0, rounds, [r.get("pairs/total", np.nan) for r in rows], "o-", method)
        plot(1, rounds, [r.get("loss/total", np.nan) for r in rows], "o-", method)
        steps = [v for r in rows for v in (r.get("curves") or {}).get("loss/total", [])]
        if steps:
            plot(2, range(1, len(steps) + 1), steps, ".-", method)
    for ax, t, xl in zip(axes, ("pairs/total per round", "loss/total per round (last step)", "loss/total per step"),
                         ("round", "round", "optimizer step (all rounds)")):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        lo, hi = ax.get_xlim()
        if ax.has_data() and hi - lo < 2:  # a single round: centre it instead of fractional ticks
            mid = round((lo + hi) / 2)
            ax.set_xlim(mid - 1, mid + 1)
        ax.set_title(t, fontsize=9)
        ax.set_xlabel(xl, fontsize=8)
        ax.grid(alpha=0.3)
        if ax.has_data():
            ax.legend(fontsize=7)
    fig.tight_layout()
    return _png(fig)


# ------------------------------------------------------------------------------------------ example trees


def example_trees(res: dict, records: list[dict], k: int) -> tuple[str, list[str]] | None:
    """(tree viewer page, task ids) for up to ``k`` trees of the report method's first run (else any tree run)."""
    from sectree.tree.model import load_trees
    from sectree.tree.view import interest, render_html

    if k <= 0:
        return None
    want = res["config"]["report"]["method"]
    order = [r for r in records if r["method"] == want] + [r for r in records if r["method"] != want]
    for r in order:
        d = r["train"].get("dir")
        files = sorted(Path(d).glob("round-*/trees.jsonl"), key=lambda p: int(p.parent.name.split("-")[1])) if d else []
        if not files:
            continue
        trees = load_trees(files[-1])
        if not trees:
            continue

        pick = sorted(trees, key=interest)[:k]
        title = f"{r['id']}: {len(pick)} of {len(trees)} trees from {files[-1].parent.name}"
        return render_html(pick, title=title), [t.task_id for t in pick]
    return None


# ------------------------------------------------------------------------------------------ HTML

_CSS = """body{font:14px/1.45 system-ui,sans-serif;margin:1.5em auto;max-width:1200px;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:.6em 0 1.2em;font-size:13px}th,td{border:1px solid #ccc;padding:3px 7px;
text-align:left}th{background:#f3f3f3}td:not(:first-child){font-variant-numeric:tabular-nums}
.note{color:#555;font-size:12.5px;margin:.2em 0}img{max-width:100%;border:1px solid #eee}
iframe{width:100%;height:720px;border:1px solid #ccc}h2{border-bottom:1px solid #ddd;padding-bottom:.2em}"""


def section_html(s: dict) -> str:
    notes = "".join(f'<p class="note">{escape(n)}</p>' for n in s["notes"])
    table = ""
    if s["rows"]:
        table = ("<table><tr>" + "".join(f"<th>{escape(h)}</th>" for h in s["header"]) + "</tr>"
                 + "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in r) + "</tr>" for r in s["rows"])
                 + "</table>")
    return f"<h3>{escape(s['title'])}</h3>{notes}{table}"


def srcdoc(page: str) -> str:
    """``page`` as an iframe srcdoc attribute value: escaped, with ':' as '&#58;' (decoded back by the browser)."""
    return escape(page, quote=True).replace(":", "&#58;")


def render_html(res: dict, sections: dict[str, list[dict]], figures: dict[str, str | None],
                trees: tuple[str, list[str]] | None) -> str:
    c = res["config"]
    csp = "img-src data:; connect-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'"
    parts = [f"<h1>Experiment: {escape(c['name'])}</h1>",
             f'<p class="note">{escape(provenance(res))}</p>',
             f'<p class="note">{escape(_context(res, None))}</p>',
             *([f'<p class="note">{escape(shared_line(res))}</p>'] if shared_line(res) else []),
             f'<p class="note">Aggregation over seeds: {escape(AGGREGATION)}.</p>']
    for title, secs in sections.items():
        if secs:
            parts.append(f"<h2>{escape(title)}</h2>" + "".join(section_html(s) for s in secs))
    captions = {"bars": "Metrics per method with 95% CIs", "heat": "Alert rate (1 − SPR@1) per CWE (methods × CWEs)",
                "curves": "Training curves (from the runs' stats.jsonl)"}
    parts.append("<h2>Figures</h2>")
    for key, cap in captions.items():
        b64 = figures.get(key)
        parts.append(f"<h3>{escape(cap)}</h3>" + (f'<img alt="{escape(cap)}" src="data:image/png;base64,{b64}">'
                                                   if b64 else '<p class="note">nothing to plot</p>'))
    parts.append("<h2>Example trees</h2>")
    if trees:
        page, ids = trees
        parts.append(f'<p class="note">tasks: {escape(", ".join(ids))} (the tree viewer, sectree trees show)</p>'
                     f'<iframe sandbox="allow-scripts" title="example trees" srcdoc="{srcdoc(page)}"></iframe>')
    else:
        parts.append('<p class="note">no trees (no tree-building method in this experiment)</p>')
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f'<meta http-equiv="Content-Security-Policy" content="{csp}"><meta name="referrer" content="no-referrer">'
            f"<title>{escape(c['name'])}: sectree experiment</title><style>{_CSS}</style></head>\n<body>"
            + "\n".join(parts) + "\n</body></html>\n")


# ------------------------------------------------------------------------------------------ assemble


def build_results(cfg, records: list[dict], estimate: dict | None = None, config_file: str | None = None,
                  session_seconds: float | None = None, command: str | None = None
                  ) -> tuple[dict, dict[str, list[dict]], dict[str, list[dict]]]:
    """results.json's content, the judged samples and the choice records per run id."""
    from dataclasses import asdict

    from sectree.experiment.choice_report import choice_results, load_choices

    samples = {r["id"]: load_samples(r) for r in records}
    choices = {r["id"]: c for r in records if (c := load_choices(r)) is not None}
    modes, table, per_run = tables(list(cfg.eval.modes), list(cfg.methods), records, samples)
    runs = [{**r, **per_run[r["id"]]} for r in records]
    wall = sum((r["train"].get("wall_seconds") or 0) + r["eval"]["generate_seconds"] + r["eval"]["judge_seconds"]
               + (r["eval"].get("choice_seconds") or 0) for r in records)  # choice mode: scoring, no sampling
    by_mode = {mode: sum(table[mode][m]["n_samples"] for m in cfg.methods) for mode in modes}
    cwes = records[0]["eval"]["settings"][next(iter(records[0]["eval"]["settings"]))]["cwes"] if records else []
    res = {
        "name": cfg.name,
        "metrics_version": METRICS_VERSION,
        "records": RECORDS,
        "config": asdict(cfg),
        "config_file": config_file,
        "command": command,
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
        "machine": machine(),
        "methods": list(cfg.methods),
        "seeds": list(cfg.seeds),
        "modes": modes,
        "eval_cwes": cwes,
        "eval_cwes_text": _cwes_text(cfg, cwes),
        "shared": {"from": cfg.share,
                   "runs": [r["id"] for r in records if r["train"].get("shared")],
                   "evals": [r["id"] for r in records if r["eval"].get("shared")]},
        "aggregation": AGGREGATION,
        "estimate_minutes": estimate,
        "wall_seconds_total": round(wall, 1),
        "wall_seconds_this_invocation": None if session_seconds is None else round(session_seconds, 1),
        "oracle_calls": {"train": sum(r["train"].get("oracle_calls", 0) for r in records),
                         "eval": sum(r["eval"]["oracle_calls"] for r in records), "eval_by_mode": by_mode},
        "tokens": {"train_generated": sum(r["train"].get("tokens_generated", 0) for r in records),
                   "train_forward": sum(r["train"].get("train_tokens", 0) for r in records),
                   "eval_generated": sum(r["eval"]["tokens"] for r in records)},
        "runs": runs,
        "table": table,
        "choice": choice_results(list(cfg.methods), records, choices),
        "analyses": {},
    }
    return res, samples, choices


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


def analyses(res: dict, pooled_of: Callable) -> list[dict]:
    """Run the configured analyses into ``res["analyses"]``; returns their sections."""
    out = []
    for name in res["config"]["report"]["analyses"]:
        section, data = ANALYSIS_FUNCS[name](res, pooled_of)
        res["analyses"][name] = {"data": data, "section": section}
        out.append(section)
    return out


def write_records(out: Path, records: list[dict], samples: dict[str, list[dict]]) -> int:
    """Every run's judged samples into ``out/samples.jsonl.gz`` (``run``, ``method``, ``seed`` added)."""
    return write_jsonl_gz_atomic(out / RECORDS, ({"run": r["id"], "method": r["method"], "seed": r["seed"], **x}
                                                 for r in records for x in samples[r["id"]]))


def read_records(folder: Path) -> dict[str, list[dict]]:
    """run id -> judged samples, from ``folder/samples.jsonl.gz`` (see write_records)."""
    out: dict[str, list[dict]] = {}
    for i, x in enumerate(read_jsonl_gz(folder / RECORDS)):
        if "run" not in x:
            raise SectreeError(f"{folder / RECORDS}:{i + 1}: record without 'run'")
        out.setdefault(x["run"], []).append({k: v for k, v in x.items() if k not in ("run", "method", "seed")})
    return out


def recompute(res: dict, samples: dict[str, list[dict]], choices: dict[str, list[dict]] | None = None) -> dict:
    """``res`` (a version-2 results.json) with every number that samples determine recomputed from ``samples``
    (run id -> judged samples): the pooled table, each run's own metrics and the analyses; with ``choices``
    (run id -> choice records, ``choice_report.read_choice_records``) the choice block too. What the README
    shows of an experiment is then a function of its committed per-sample records."""
    res = json.loads(json.dumps(res))  # a deep copy
    records = [{"id": r["id"], "method": r["method"], "seed": r["seed"]} for r in res["runs"]]
    missing = [r["id"] for r in records if r["id"] not in samples]
    if missing:
        raise SectreeError(f"{res['name']}: no per-sample records of run(s) {', '.join(missing)}")
    modes, table, per_run = tables(res["config"]["eval"]["modes"], res["methods"], records, samples)
    res.update(modes=modes, table=table, analyses={})
    for r in res["runs"]:
        r.update(per_run[r["id"]])
    analyses(res, lambda method, mode: pooled(records, samples, method, mode))
    if choices is not None and res.get("choice") is not None:
        from sectree.experiment.choice_report import choice_results

        res["choice"] = choice_results(res["methods"], records, choices,
                                       seed=res["choice"]["bootstrap"]["seed"],
                                       resamples=res["choice"]["bootstrap"]["resamples"])
    return res


def _cwes_text(cfg, cwes: list[int]) -> str:
    if cfg.eval.cwes == "unseen":
        from sectree.experiment.config import unseen_cwes

        every = "" if cwes else "; every eval task has one, so no task is filtered out"
        return f"unseen by training (no train-split task has them): {', '.join(map(str, unseen_cwes(cfg)))}{every}"
    return ", ".join(map(str, cwes))


def write_report(cfg, out: str | Path, records: list[dict], *, estimate: dict | None = None,
                 config_file: str | None = None, session_seconds: float | None = None,
                 command: str | None = None) -> dict:
    """Write results.json, report.md and report.html into ``out``; return the results."""
    import matplotlib

    matplotlib.use("Agg")
    out = Path(out)
    from sectree.experiment.choice_report import choice_sections, write_choice_records

    res, samples, choices = build_results(cfg, records, estimate, config_file, session_seconds, command)

    def pooled_of(method: str, mode: str) -> list[dict]:
        return pooled(records, samples, method, mode)

    comparisons = analyses(res, pooled_of)
    langs = [t for t in (language_table(res, m) for m in res["modes"]) if t]
    seens = [t for t in (seen_table(res, m) for m in res["modes"]) if t]
    sections = {"Results": [method_table(res, m) for m in res["modes"]], "Forced choice": choice_sections(res),
                "Comparisons": comparisons,
                "Per language": langs, "Seen and unseen CWEs": seens, "Per seed": [seed_table(res)] + [t for t in [leaves_table(res)] if t]}
    write_records(out, records, samples)  # before results.json: results.json names a complete record file
    if choices:
        write_choice_records(out, records, choices)
    write_json_atomic(out / "results.json", res)
    write_text_atomic(out / "report.md", render_md(res, sections))
    figures = {"bars": fig_bars(res), "heat": fig_heat(res), "curves": fig_curves(res, records)}
    trees = example_trees(res, records, cfg.report.trees)
    write_text_atomic(out / "report.html", render_html(res, sections, figures, trees))
    return res


def provenance(res: dict) -> str:
    """One line: how the results were made (command, machine, date, wall time, oracle calls)."""
    calls = res["oracle_calls"]
    cmd = res.get("command") or f"sectree experiment {res.get('config_file') or '<config>'}"
    return (f"Command: `{cmd}`; {machine_line(res['machine'])}; {res['date']}; wall time "
            f"{res['wall_seconds_total'] / 60:.1f} min over all runs; oracle calls: {calls['train']} in training, "
            f"{calls['eval']} in evaluation.")


def shared_line(res: dict) -> str:
    """Which runs and evaluations were taken from another experiment (``share``); "" when none were."""
    sh = res.get("shared") or {}
    if not (sh.get("runs") or sh.get("evals")):
        return ""
    return (f"Taken from {sh['from']} (same settings, copied, not recomputed; their wall times are those runs'): "
            f"training {', '.join(sh['runs']) or 'none'}; evaluations {', '.join(sh['evals']) or 'none'}.")


def readme_md(res: dict) -> str:
    """The README's generated block for one experiment: provenance, the per-mode tables and the analyses (a
    version-1 result says first that it is superseded)."""
    text = provenance(res) + "\n\n" + ("" if version(res) >= 2 else f"**{V1_NOTE}**\n\n")
    text += "".join(section_md(method_table(res, m)) for m in res["modes"])
    if res.get("choice"):
        from sectree.experiment.choice_report import choice_sections

        text += "".join(section_md(s) for s in choice_sections(res))
    text += "".join(section_md(a["section"]) for a in res["analyses"].values())
    return re.sub(r"(?m)^### ", "#### ", text)


def tables_md(res: dict) -> str:
    """The per-mode method tables and, where choice was a mode, its rates and comparisons (what the CLI prints)."""
    from sectree.experiment.choice_report import choice_sections

    return "".join(section_md(method_table(res, m)) for m in res["modes"]) + \
        "".join(section_md(s) for s in choice_sections(res))


__all__ = ["AGGREGATION", "COLUMNS", "RECORDS", "build_results", "read_records", "recompute", "tables",
           "write_records", "machine", "paired", "provenance", "readme_md", "tables_md",
           "write_report"]
