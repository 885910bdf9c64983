"""The paper's three claims against our committed results (README "Results", issue #18 item 6).

One row per claim: what the paper reports, what we measured (with the 95% CI of the paired difference or ratio),
and whether the claim holds here. Everything comes from the experiments' per-decision choice records, recomputed
(``report.recompute`` / ``choice_report``), so the row cannot drift from the records.

Verdict rule (the same for every claim): "holds" when the whole 95% CI is on the paper's side of no difference
(ratio > 1, Δ > 0, reduction > 0); "reversed" when the whole CI is on the other side; otherwise "not resolved"
(the CI contains no difference). A claim whose experiment has no version-2 results says so instead.

Our instrument is the forced-choice secure rate (``evaluate/choice.py``), not the paper's SPR@1 on whole
answers: at 135M whole answers almost never work (v1: func@1 1–4%), so SPR@1 cannot separate methods here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from sectree.experiment.choice_report import compare, pooled

Loader = Callable[[str], "tuple[dict, dict[str, list[dict]]] | None"]
"""name -> (recomputed results, run id -> choice records), or None when the experiment has no v2 choice results."""


def verdict(m: Mapping | None, null: float) -> str:
    """'holds' / 'reversed' / 'not resolved' for a point-and-CI ``m`` against the no-difference value ``null``."""
    if not m or m.get("value") is None or not m.get("ci"):
        return "not measurable"
    lo, hi = m["ci"]
    if lo > null:
        return "holds"
    if hi < null:
        return "reversed"
    return "not resolved (the CI contains no difference)"


def _ratio(m: Mapping) -> str:
    return f"{m['value']:.2f} [{m['ci'][0]:.2f}, {m['ci'][1]:.2f}]"


def _pp(m: Mapping) -> str:
    return f"{100 * m['value']:+.1f} pp [{100 * m['ci'][0]:+.1f}, {100 * m['ci'][1]:+.1f}]"


def _pct(m: Mapping) -> str:
    return f"{100 * m['value']:+.1f}% [{100 * m['ci'][0]:+.1f}, {100 * m['ci'][1]:+.1f}]"


def _cmp(res: dict, choices: dict, baseline: str, method: str) -> dict | None:
    runs = [{"id": r["id"], "method": r["method"], "seed": r["seed"]} for r in res["runs"]]
    a, b = pooled(runs, choices, baseline), pooled(runs, choices, method)
    if not a or not b:
        return None
    boot = res["choice"]["bootstrap"]
    return compare(a, b, seed=boot["seed"], resamples=boot["resamples"])


_LANGUAGE_NAMES = {"python": "Python", "go": "Go", "js": "JavaScript", "c": "C", "cpp": "C++"}


def claim_rows(load: Loader) -> list[list[str]]:
    """[claim, paper, ours (95% CI), holds?, source] rows."""
    rows: list[list[str]] = []
    got = load("python")
    if got is None:
        rows.append(["1. TSP beats SFT and self-play", "SPR@1 75.8 vs 57.0 (ratio 1.33)", "not yet run (v2)", "–",
                     "python.yaml"])
    else:
        res, ch = got
        for base in ("sft", "selfplay"):
            c = _cmp(res, ch, base, "tsp")
            if c is None:
                continue
            o = c["overall"]
            rows.append([f"1. TSP beats {'SFT' if base == 'sft' else 'unstructured self-play'}",
                         "SPR@1 75.8 vs 57.0: ratio 1.33" if base == "sft" else "TSP > self-play",
                         f"secure-choice rate {100 * o['a']:.1f} → {100 * o['b']:.1f}; ratio {_ratio(o['ratio'])}; "
                         f"Δ {_pp(o['diff'])}", verdict(o["ratio"], 1.0), "python.yaml, choice, all test decisions"])
    got = load("unseen-cwe")
    if got is None:
        rows.append(["2. fewer vulnerabilities on unseen CWEs", "−24.5%", "not yet run (v2)", "–", "unseen-cwe.yaml"])
    else:
        res, ch = got
        for base in ("sft", "base"):
            c = _cmp(res, ch, base, "tsp")
            if c is not None:
                r = c["overall"]["unsafe_reduction"]
                rows.append([f"2. fewer vulnerabilities on unseen CWEs (vs {base})", "−24.5% vulnerabilities",
                             f"unsafe-choice rate reduced by {_pct(r)}" if r.get("value") is not None else "–",
                             verdict(r, 0.0), "unseen-cwe.yaml, choice, unseen-CWE decisions"])
    got = load("transfer-c")
    if got is None:
        rows.append(["3. C/C++ training transfers to Python, Go, JS", "fewer vulnerabilities in each",
                     "not yet run (v2)", "–", "transfer-c.yaml"])
    else:
        res, ch = got
        c = _cmp(res, ch, "base", "tsp") or {}
        # the claim is per language; the pooled row (every Python, Go and JS test decision) comes first because it
        # is the one with the most tasks, and a reader must not take it for the per-language claim
        groups = ([("Python, Go and JS pooled", c["overall"])] if c.get("overall") else []) + \
            sorted(c.get("by_language", {}).items())
        for lang, g in groups:
            lang = _LANGUAGE_NAMES.get(lang, lang)
            rows.append([f"3. C/C++ training transfers to {lang}", "fewer vulnerabilities",
                         f"secure-choice rate {100 * g['a']:.1f} → {100 * g['b']:.1f}; Δ {_pp(g['diff'])}",
                         verdict(g["diff"], 0.0), "transfer-c.yaml, choice, test decisions"])
    return rows


def claims_md(load: Loader) -> str:
    """The README's claims table (markdown)."""
    head = "| claim | paper (CodeLlama-7B) | ours (SmolLM2-135M, 95% CI, paired over tasks) | holds here? | source |\n" \
           "|---|---|---|---|---|\n"
    return head + "".join("| " + " | ".join(r) + " |\n" for r in claim_rows(load))


__all__ = ["claim_rows", "claims_md", "verdict"]
