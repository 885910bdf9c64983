"""The report's sections: the per-mode method tables, per language, seen and unseen CWEs, per seed, training
leaves, and the configured comparisons (``ANALYSIS_FUNCS``: paper ratio, alert-rate reduction, transfer), each
with its paired-bootstrap CIs. A section is the dict ``render.py`` renders."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from sectree.experiment.report.render import _context
from sectree.experiment.report.stats import _fmt_plain, _pct, columns, paired

PAPER_TSP, PAPER_SFT = 75.8, 57.0
"""The TSP paper's headline TSP vs SFT numbers (ratio 1.33)."""


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
    run = res["config"].get("run", res["config"].get("train", {}))  # results.json before the rename: train
    train_lang = run.get("language")
    return {"title": title,
            "notes": [(f"{t} trained on {train_lang or 'all languages'} "
                       f"({run.get('suite', 'builtin')}, train split) only; Δ = {t} − base in "
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


def analyses(res: dict, pooled_of: Callable) -> list[dict]:
    """Run the configured analyses into ``res["analyses"]``; returns their sections."""
    out = []
    for name in res["config"]["report"]["analyses"]:
        section, data = ANALYSIS_FUNCS[name](res, pooled_of)
        res["analyses"][name] = {"data": data, "section": section}
        out.append(section)
    return out
